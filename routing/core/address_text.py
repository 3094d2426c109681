"""An address's text cut into labelled segments of words spelled one canonical way.

An address is cut into segments at commas and at label words ("Nagari", "Kec.",
"Jorong", "Jl." ...); each segment's words are spelled one canonical way (Minang
"lubuak" and Indonesian "lubuk" both become "lubuk", number words and Roman numerals
become digits), so that the gazetteer matching compares like with like.
"""

import re
import unicodedata
from dataclasses import dataclass

# Minang, colloquial and abbreviated spellings -> one canonical spelling.
_SPELLING = {
    **dict.fromkeys(("aie", "aia"), "air"),
    "lubuak": "lubuk",
    "buluah": "buluh",
    "guguak": "guguk",
    "tanjuang": "tanjung",
    "tj": "tanjung",
    **dict.fromkeys(("sungei", "sei", "sg", "sungi"), "sungai"),
    "kota": "koto",
    "parik": "parit",
    "mudiak": "mudik",
    "hilie": "hilir",
    "tangah": "tengah",
    "labuah": "labuh",
    "sibusuak": "sibusuk",
    "takuang": "takung",
    "batuang": "batung",
    "manjulua": "manjulur",
    "pasa": "pasar",
    "pdg": "padang",
}
# Number words (Minang and Indonesian) and Roman numerals -> digits, so that
# "IV Nagari", "4 Nagari" and "Ampek Nagari" are one name.
_NUMBERS = {
    **dict.fromkeys(("oso", "satu", "ciek", "i"), "1"),
    **dict.fromkeys(("duo", "dua", "ii"), "2"),
    **dict.fromkeys(("tigo", "tiga", "iii"), "3"),
    **dict.fromkeys(("ampek", "empat", "iv"), "4"),
    **dict.fromkeys(("limo", "lima", "v"), "5"),
    **dict.fromkeys(("anam", "enam", "vi"), "6"),
    **dict.fromkeys(("tujuah", "tujuh", "vii"), "7"),
    **dict.fromkeys(("salapan", "delapan", "viii"), "8"),
    **dict.fromkeys(("sambilan", "sembilan", "ix"), "9"),
}
_LABELS = {
    **dict.fromkeys(("nagari", "nag", "kenagarian", "desa", "ds"), "village"),
    **dict.fromkeys(("kel", "kelurahan"), "village"),
    **dict.fromkeys(("jorong", "jr", "dusun", "dsn", "korong"), "jorong"),
    **dict.fromkeys(("kec", "kecamatan"), "district"),
    **dict.fromkeys(("kab", "kabupaten"), "regency"),
    **dict.fromkeys(("jl", "jln", "jalan", "gg", "gang", "lorong"), "street"),
    **dict.fromkeys(("komplek", "komp", "perum", "perumahan"), "street"),
}
# Replaced by a segment break: RT/RW, house numbers, province, postal codes.
_NOISE_RE = re.compile(
    r"\brt\s*/\s*rw\b\.?\s*:?\s*\d+\s*/\s*\d+"
    r"|\b(?:rt|rw)\b\.?\s*:?\s*\d+"
    r"|\b(?:no|nomor|nmr)\b\.?\s*\d+\w*"
    r"|\bsumatr?e?ra\s+barat\b|\bsumbar\b|\bprop?insi\b|\bprov\b|\bindonesia\b"
    r"|\b\d{3,}\b"
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of canonical words and the label word in front of it, if any."""

    label: str | None
    tokens: tuple[str, ...]


def _canonical(token: str) -> str | None:
    if any(c.isdigit() for c in token):
        # Single digits belong to names ("Koto 7"); longer ones are house numbers.
        return token if len(token) == 1 and token.isdigit() else None
    return _NUMBERS.get(token, _SPELLING.get(token, token))


def segments(text: str) -> list[Segment]:
    """Cut an address into labelled segments, leaving out noise and empty runs."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NOISE_RE.sub(",", text.lower())
    runs: list[Segment] = []
    for part in re.split(r"[,;\n]+", text):
        words = (_canonical(w) for w in re.findall(r"[a-z0-9]+", part))
        runs.extend(_label_runs([w for w in words if w]))
    return [s for s in runs if s.tokens]


def _label_runs(tokens: list[str]) -> list[Segment]:
    runs: list[Segment] = []
    label: str | None = None
    current: list[str] = []
    for i, token in enumerate(tokens):
        kind = _LABELS.get(token)
        # "IV Nagari" is a district's name, not the label "Nagari".
        if kind and not (i and tokens[i - 1].isdigit()):
            runs.append(Segment(label, tuple(current)))
            label, current = kind, []
        else:
            current.append(token)
    runs.append(Segment(label, tuple(current)))
    return runs


def canonical_name(name: str) -> str:
    """A place's name as the words `segments` would read in an address."""
    # Official names carry labels too ("Desa Kampung Baru", "Kabupaten Sijunjung").
    return " ".join(t for s in segments(name) for t in s.tokens)
