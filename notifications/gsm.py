"""GSM 03.38 (GSM-7) text: which characters cost one septet, two, or force UCS-2,
and how many SMS segments a text takes."""

import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"
_BASIC_SET = frozenset(BASIC)
_EXTENSION_SET = frozenset(EXTENSION)
# Characters people type that have a plain GSM-7 equivalent.
_REPLACEMENTS = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\t": " "}
)

SINGLE_GSM, MULTI_GSM = 160, 153
SINGLE_UCS2, MULTI_UCS2 = 70, 67


def is_gsm7(text: str) -> bool:
    """True when every character has a GSM-7 encoding."""
    return all(c in _BASIC_SET or c in _EXTENSION_SET for c in text)


def septets(text: str) -> int:
    """Length in GSM-7 septets (extension characters count twice)."""
    return sum(2 if c in _EXTENSION_SET else 1 for c in text)


def ucs2_units(text: str) -> int:
    """Length in 16-bit units: a character outside the BMP (an emoji) takes two."""
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments the text is sent as."""
    if is_gsm7(text):
        length, single, multi = septets(text), SINGLE_GSM, MULTI_GSM
    else:
        length, single, multi = ucs2_units(text), SINGLE_UCS2, MULTI_UCS2
    if length <= single:
        return 1
    return -(-length // multi)


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 lacks: curly quotes, dashes, accents; drop the rest."""
    text = text.translate(_REPLACEMENTS)
    out = []
    for char in text:
        if char in _BASIC_SET or char in _EXTENSION_SET:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(plain if is_gsm7(plain) else "")
    return "".join(out)
