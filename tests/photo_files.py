"""Hostile and honest image files, built byte by byte as an attacker would."""

import io
import os
import struct
import zlib

from PIL import Image

SCRIPT = (
    b"<html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_declaring(width: int, height: int, *, rows: int = 1, end: bool = True) -> bytes:
    """A PNG header declaring width x height, with only `rows` rows of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    idat = zlib.compress(b"\x00" * (width + 1) * rows, 9)
    body = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat)
    return b"\x89PNG\r\n\x1a\n" + body + (_chunk(b"IEND", b"") if end else b"")


def bomb_png() -> bytes:
    """About 100 bytes declaring 20000 x 20000 pixels (400 MP once decoded)."""
    return png_declaring(20000, 20000, rows=1)


def truncated_png() -> bytes:
    """A PNG that declares 12000 x 12000 but whose pixel data stops after two rows.

    Its chunks are well formed (IEND included), so Pillow's verify() accepts it.
    """
    return png_declaring(12000, 12000, rows=2)


def damaged_png() -> bytes:
    """A real 200 x 200 PNG of noise, cut off halfway through its pixel data."""
    out = io.BytesIO()
    Image.frombytes("L", (200, 200), os.urandom(40_000)).save(out, "PNG")
    return out.getvalue()[:20_000]


def gif_html_polyglot() -> bytes:
    """A real GIF followed by an HTML page with a script (a browser-run polyglot)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "GIF")
    return out.getvalue() + SCRIPT


def photo_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """An honest phone photo."""
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()
