"""Geocoding of applicants' addresses: gazetteer names, Nominatim, manual pins.

Pure Python (geopy and rapidfuzz, no Django). An address is cut into segments at
commas and at label words ("Nagari", "Kec.", "Jorong", "Jl." ...); each segment's
words are spelled one canonical way (Minang "lubuak" and Indonesian "lubuk" both
become "lubuk", number words and Roman numerals become digits) and its word spans
are compared with rapidfuzz to the gazetteer names and to a small alias table.

Decisions, because several names repeat ("Koto Baru" and "Padang Laweh" are each
two villages and a district):

- A name that is no village ("Kec. Koto VII", "Kab. Dharmasraya", but also a bare
  "Kiliran Jao" or "Dharmasraya") is a hard filter on the villages; a "Kab." that
  is not in the gazetteer ("Kab. Solok") rejects them all.
- A village after "Nagari"/"Desa"/"Kel." is preferred to unlabelled names; a
  "Jorong" name is used only through the alias table (jorong names such as
  "Koto Tuo" are often also other nagari's names).
- Among the remaining villages, one whose district or regency is named elsewhere
  in the address (e.g. "Muaro, Sijunjung") wins, then the higher similarity.
- Ambiguity is reported, not guessed: tied villages in one district give the
  district ("district" quality); tied villages in different districts ("Koto
  Baru" alone), or a village that contradicts the named district, give quality
  "none" with the codes in `candidates`, so that a dispatcher picks or pins.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cache, lru_cache
from typing import Any, Literal

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from rapidfuzz import fuzz, process

from routing.core.places import Gazetteer, Place

Quality = Literal["pin", "street", "village", "district", "none"]
Source = Literal["gazetteer", "nominatim", "manual"]

DEFAULT_USER_AGENT = "antar-passport-delivery/0.1 (Kantor Imigrasi Sijunjung)"

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

# Names that are not (or not only) gazetteer names, mapped to a village or district.
ALIASES = {
    # delivery/data/README.md section 6: the town of Muaro Sijunjung is in Nagari Muaro.
    "Muaro Sijunjung": "13.03.04.2001",
    # README section 6: Kiliran Jao is a jorong in Kec. Kamang Baru; its tower is
    # recorded as Nagari Kunpar but falls in Muaro Takuang, so only the district.
    "Kiliran Jao": "13.03.06",
    # README section 6: BPS spellings with extra words or a short form.
    "Muaro Silokek": "13.03.04.2003",
    "Sepakat Silantai": "13.03.09.2001",
    "Mengganti": "13.03.09.2008",
    "Mangganti": "13.03.09.2008",
    "Kunpar": "13.03.06.2006",
    # README section 2: the decree's abbreviation "Kubang S. Selatan".
    "Kubang Sirakuk Selatan": "13.73.01.1003",
    # README section 7: jorong named in tower addresses with their nagari.
    "Tanah Badantuang": "13.03.04.2009",
    "Sibisir": "13.03.03.2001",
    "Batang Kariang": "13.03.06.2002",
    "Lintas Harapan": "13.03.05.2001",
    # README section 7 puts the Muaro-Tanjung Ampalu-Tanjung road in Koto VII; the
    # nagari of Tanjung Ampalu is not given, so only the district.
    "Tanjung Ampalu": "13.03.08",
    # The city is written without "Kota" too. (Pulau Punjung needs no alias: it is
    # the district's own name.)
    "Sawahlunto": "13.73",
}

# Common words that are also a village's whole name: "Pasar Kiliran Jao" is the
# market of Kiliran Jao, not Kel. Pasar (Sawahlunto); "Tanjung Pati" is not Nagari
# Tanjung. They name the village only when they are the whole segment.
_DESCRIPTORS = {"pasar", "tanjung"}
# "Palangky"~"Palangki" (87.5) passes; "Koto Besar"~"Koto Baru" (84.2) does not.
_FUZZY_CUTOFF = 86.0
_TIE_MARGIN = 2.0
_MAX_SPAN = 5  # longest name is 4 words; one noise word may sit inside
_SPAN_PENALTY = 0.5  # prefer one long name ("Muaro Sijunjung") to two short ones
# A Nominatim hit farther than this from the gazetteer's point is some other street
# of the same name, not the applicant's.
_MAX_STREET_OFFSET_KM = {"village": 15.0, "district": 30.0}


@dataclass(frozen=True, slots=True)
class GeoResult:
    """Where an address is, how good that is, and which name matched.

    `lat`/`lon` are None when `quality` is "none". `score` is the name similarity
    (0-100) of the gazetteer match, 100 for pins and village codes, 0 when nothing
    matched. `candidates` lists the codes a dispatcher should choose from when the
    address was ambiguous or contradictory.
    """

    lat: float | None
    lon: float | None
    quality: Quality
    source: Source
    village_code: str | None
    district_code: str | None
    matched_name: str
    score: float
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NominatimConfig:
    """Where a Nominatim server is, e.g. NominatimConfig(domain="nominatim.example")."""

    domain: str
    scheme: str = "https"
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 5.0


@dataclass(frozen=True, slots=True)
class _Entry:
    text: str
    place: Place
    alias: bool


@dataclass(frozen=True, slots=True)
class _Segment:
    label: str | None
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Mention:
    label: str | None
    hits: tuple[tuple[Place, float], ...]


def _canonical(token: str) -> str | None:
    if any(c.isdigit() for c in token):
        # Single digits belong to names ("Koto 7"); longer ones are house numbers.
        return token if len(token) == 1 and token.isdigit() else None
    return _NUMBERS.get(token, _SPELLING.get(token, token))


def _segments(text: str) -> list[_Segment]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NOISE_RE.sub(",", text.lower())
    segments: list[_Segment] = []
    for part in re.split(r"[,;\n]+", text):
        words = (_canonical(w) for w in re.findall(r"[a-z0-9]+", part))
        segments.extend(_label_runs([w for w in words if w]))
    return [s for s in segments if s.tokens]


def _label_runs(tokens: list[str]) -> list[_Segment]:
    runs: list[_Segment] = []
    label: str | None = None
    current: list[str] = []
    for i, token in enumerate(tokens):
        kind = _LABELS.get(token)
        # "IV Nagari" is a district's name, not the label "Nagari".
        if kind and not (i and tokens[i - 1].isdigit()):
            runs.append(_Segment(label, tuple(current)))
            label, current = kind, []
        else:
            current.append(token)
    runs.append(_Segment(label, tuple(current)))
    return runs


def _canonical_name(name: str) -> str:
    # Official names carry labels too ("Desa Kampung Baru", "Kabupaten Sijunjung").
    return " ".join(t for s in _segments(name) for t in s.tokens)


@cache
def _entries(gazetteer: Gazetteer, label: str | None) -> tuple[_Entry, ...]:
    places = gazetteer.places
    entries = [_Entry(_canonical_name(p.name), p, False) for p in places.values()]
    entries += [_Entry(_canonical_name(a), places[c], True) for a, c in ALIASES.items()]
    return tuple(e for e in entries if _allowed(e, label))


@cache
def _texts(gazetteer: Gazetteer, label: str | None) -> tuple[str, ...]:
    return tuple(e.text for e in _entries(gazetteer, label))


def _allowed(entry: _Entry, label: str | None) -> bool:
    if label is None:
        return True
    if label == "jorong":
        return entry.alias
    if label == "village":
        return entry.place.level == "village" or entry.alias
    return entry.place.level == label


def _digits(text: str) -> set[str]:
    return {t for t in text.split() if t.isdigit()}


def _span_hits(
    span: str, label: str | None, gazetteer: Gazetteer
) -> list[tuple[Place, float]]:
    entries = _entries(gazetteer, label)
    cutoff = 100.0 if len(span) < 5 else _FUZZY_CUTOFF
    found = process.extract(
        span,
        _texts(gazetteer, label),
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        limit=None,
    )
    # "Silungkang 2" must not match "Silungkang 3": numbers must agree exactly.
    hits = [
        (entries[i].place, s)
        for _, s, i in found
        if _digits(entries[i].text) == _digits(span)
    ]
    if not hits:
        return []
    best = max(s for _, s in hits)
    return sorted(
        {p.code: (p, s) for p, s in hits if s >= best - _TIE_MARGIN}.values(),
        key=lambda h: -h[1],
    )


def _segment_mentions(segment: _Segment, gazetteer: Gazetteer) -> list[_Mention]:
    # Weighted interval scheduling: cover the most characters with the best names.
    tokens = segment.tokens
    best: list[tuple[float, list[_Mention]]] = [(0.0, [])] * (len(tokens) + 1)
    for j in range(1, len(tokens) + 1):
        best[j] = best[j - 1]
        for i in range(max(0, j - _MAX_SPAN), j):
            span = " ".join(tokens[i:j])
            if len(tokens) > 1 and span in _DESCRIPTORS:
                continue
            hits = _span_hits(span, segment.label, gazetteer)
            weight = (
                best[i][0] + hits[0][1] / 100 * len(span) - _SPAN_PENALTY if hits else 0
            )
            if weight > best[j][0]:
                best[j] = (weight, [*best[i][1], _Mention(segment.label, tuple(hits))])
    if segment.label == "regency" and not best[-1][1]:
        # "Kab. Solok": a regency outside the gazetteer; keep it as a contradiction.
        return [_Mention(segment.label, ())]
    return best[-1][1]


def _mentions(address: str, gazetteer: Gazetteer) -> list[_Mention]:
    segments = [s for s in _segments(address) if s.label != "street"]
    return [m for s in segments for m in _segment_mentions(s, gazetteer)]


def _regency_code(place: Place) -> str:
    # Kemendagri codes are hierarchical: 13.03.04.2001 is in 13.03.04 and 13.03.
    return place.code[:5]


def _constraints(mentions: list[_Mention]) -> list[set[str]]:
    # A name that is no village ("Kec. Koto VII", "Kiliran Jao", "Dharmasraya")
    # must hold for the answer; an empty set (an unknown "Kab.") fails every place.
    return [
        {p.code for p, _ in m.hits}
        for m in mentions
        if m.label in {"district", "regency"}
        or not any(p.is_village for p, _ in m.hits)
    ]


def _fits(place: Place, constraints: list[set[str]]) -> bool:
    own = {place.code, place.parent_code, _regency_code(place)}
    return all(own & allowed for allowed in constraints)


def _support(index: int, place: Place, mentions: list[_Mention]) -> bool:
    parents = {place.parent_code, _regency_code(place)}
    return any(
        p.code in parents
        for j, m in enumerate(mentions)
        if j != index
        for p, _ in m.hits
    )


def _from_place(
    place: Place, score: float, candidates: tuple[str, ...] = ()
) -> GeoResult:
    village = place if place.is_village else None
    return GeoResult(
        lat=place.lat,
        lon=place.lon,
        quality="village" if village else "district",
        source="gazetteer",
        village_code=village.code if village else None,
        district_code=place.parent_code if village else place.code,
        matched_name=place.name,
        score=score,
        candidates=candidates,
    )


def _nothing(candidates: set[str] | tuple[str, ...] = ()) -> GeoResult:
    return GeoResult(
        None, None, "none", "gazetteer", None, None, "", 0.0, tuple(sorted(candidates))
    )


def _pick_village(
    fitting: list[tuple[int, Place, float]],
    mentions: list[_Mention],
    gazetteer: Gazetteer,
) -> GeoResult:
    ranked = [(_support(i, p, mentions), s, p) for i, p, s in fitting]
    top_support = max(r[0] for r in ranked)
    top_score = max(s for sup, s, _ in ranked if sup == top_support)
    winners = {
        p.code: p
        for sup, s, p in ranked
        if sup == top_support and s >= top_score - _TIE_MARGIN
    }
    if len(winners) == 1:
        return _from_place(next(iter(winners.values())), top_score)
    districts = {p.parent_code for p in winners.values()}
    if len(districts) == 1:
        district = gazetteer.places[districts.pop()]
        return _from_place(district, top_score, tuple(sorted(winners)))
    return _nothing(tuple(winners))


def _pick_district(mentions: list[_Mention], constraints: list[set[str]]) -> GeoResult:
    hits = {
        p.code: (p, s) for m in mentions for p, s in m.hits if p.level == "district"
    }
    fitting = [(p, s) for p, s in hits.values() if _fits(p, constraints)]
    if len(fitting) != 1:
        return _nothing({p.code for p, _ in fitting})
    return _from_place(*fitting[0])


def _resolve_names(address: str, gazetteer: Gazetteer) -> GeoResult:
    mentions = _mentions(address, gazetteer)
    constraints = _constraints(mentions)
    villages = [
        (i, p, s) for i, m in enumerate(mentions) for p, s in m.hits if p.is_village
    ]
    villages = [v for v in villages if mentions[v[0]].label == "village"] or villages
    fitting = [v for v in villages if _fits(v[1], constraints)]
    if fitting:
        return _pick_village(fitting, mentions, gazetteer)
    if villages:  # the named village contradicts a named district or regency
        places = gazetteer.places
        named = {c for cs in constraints for c in cs if places[c].level == "district"}
        return _nothing({p.code for _, p, _ in villages} | named)
    return _pick_district(mentions, constraints)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Haversine on the mean Earth radius: plenty for a 15-30 km plausibility check.
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


@lru_cache(maxsize=8)
def _nominatim(config: NominatimConfig) -> Callable[..., Location | None]:
    # One limiter per server for the whole process, so that 1 request/s holds
    # across calls (Nominatim's usage policy). Errors give None: the gazetteer's
    # answer stands when the server is down.
    geocoder = Nominatim(
        domain=config.domain,
        scheme=config.scheme,
        user_agent=config.user_agent,
        timeout=config.timeout_s,
    )
    limited: Callable[..., Location | None] = RateLimiter(
        geocoder.geocode, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=True
    )
    return limited


def _street_hit(
    address: str, config: NominatimConfig, gazetteer: Gazetteer
) -> Location | None:
    area = gazetteer.service_area
    location = _nominatim(config)(
        address,
        exactly_one=True,
        country_codes="id",
        viewbox=[(area.max_lat, area.min_lon), (area.min_lat, area.max_lon)],
        bounded=True,
    )
    if location is None or not area.contains(location.latitude, location.longitude):
        return None
    # A village or boundary hit is no better than the gazetteer: not a "street".
    if location.raw.get("class") in {"place", "boundary"}:
        return None
    return location


def _refine(
    address: str,
    base: GeoResult,
    config: NominatimConfig | None,
    gazetteer: Gazetteer,
) -> GeoResult:
    if config is None or not address.strip():
        return base
    hit = _street_hit(address, config, gazetteer)
    if hit is None:
        return base
    if base.lat is not None and base.lon is not None:
        offset_km = _distance_km(base.lat, base.lon, hit.latitude, hit.longitude)
        if offset_km > _MAX_STREET_OFFSET_KM[base.quality]:
            return base
    return replace(
        base,
        lat=hit.latitude,
        lon=hit.longitude,
        quality="street",
        source="nominatim",
        matched_name=hit.address,
        candidates=(),
    )


def resolve_address(
    address: str,
    *,
    gazetteer: Gazetteer,
    village_code: str | None = None,
    nominatim: NominatimConfig | None = None,
) -> GeoResult:
    """Locate an applicant's address as well as the sources allow.

    Parameters
    ----------
    address
        Free text as the applicant wrote it.
    gazetteer
        The service area's places (the project ships one; any object with the
        `Gazetteer` protocol's fields will do).
    village_code
        Kemendagri code of the village when the applicant chose it from a list; it
        then replaces the name matching.
    nominatim
        A Nominatim server to ask for a street-level point; None (the default)
        means no network at all.

    Returns
    -------
    GeoResult
        Quality "street" from Nominatim when it found a street or building inside
        the service area and near the gazetteer's answer, otherwise the
        gazetteer's "village", "district" or "none".

    Raises
    ------
    ValueError
        If `village_code` is not a village of the gazetteer.
    """
    if village_code is None:
        base = _resolve_names(address, gazetteer)
    else:
        place = gazetteer.get(village_code)
        if place is None or not place.is_village:
            raise ValueError(f"{village_code!r} is not a village code of the gazetteer")
        base = _from_place(place, 100.0)
    return _refine(address, base, nominatim, gazetteer)


def pin(lat: float, lon: float, *, gazetteer: Gazetteer) -> GeoResult:
    """Return a dispatcher's hand-placed point, checked against the service area.

    Parameters
    ----------
    lat, lon
        WGS84 decimal degrees.
    gazetteer
        Its `service_area` is the box a pin must fall in.

    Raises
    ------
    ValueError
        If the point is not a finite number pair inside the service area.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"pin ({lat}, {lon}) is not a pair of finite numbers")
    area = gazetteer.service_area
    if not area.contains(lat, lon):
        hint = " (latitude and longitude swapped?)" if area.contains(lon, lat) else ""
        raise ValueError(
            f"pin ({lat}, {lon}) is outside the service area: latitude must be in "
            f"{area.min_lat}..{area.max_lat} and longitude in "
            f"{area.min_lon}..{area.max_lon}{hint}"
        )
    return GeoResult(lat, lon, "pin", "manual", None, None, "", 100.0)


class GazetteerGeocoder(Geocoder):  # type: ignore[misc]  # geopy has no type hints
    """A geopy geocoder over the shipped gazetteer; it never touches the network.

    ``geocode("Nagari Palangki, Kec. IV Nagari")`` returns a
    `geopy.location.Location` at the village (or the district when only that is
    certain); its ``raw`` is the `GeoResult` as a dict.
    """

    def __init__(
        self, *, gazetteer: Gazetteer, user_agent: str = DEFAULT_USER_AGENT
    ) -> None:
        super().__init__(user_agent=user_agent)
        self.gazetteer = gazetteer

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Resolve an address; with ``exactly_one=False`` list the candidates too.

        Parameters
        ----------
        query
            The address.
        exactly_one
            True: the resolved point or None. False: the resolved point (if any)
            followed by the ambiguous candidates, or None when there are neither.
        timeout
            Ignored (no network); kept for geopy's interface.
        """
        result = resolve_address(query, gazetteer=self.gazetteer)
        places = self.gazetteer.places
        resolved = result.lat is not None
        codes = [result.village_code or result.district_code] if resolved else []
        if not exactly_one:
            codes += [c for c in result.candidates if c not in codes]
        locations = [self._location(places[c], result) for c in codes if c]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def _location(self, place: Place, result: GeoResult) -> Location:
        raw = {**asdict(result), "code": place.code, "level": place.level}
        label = self.gazetteer.label(place.code)
        return Location(label, (place.lat, place.lon), raw)
