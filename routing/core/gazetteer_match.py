"""Gazetteer names in an address, matched with rapidfuzz and weighed against each other.

Each segment's word spans (routing.core.address_text) are compared to the gazetteer
names and to a small alias table. Decisions, because several names repeat ("Koto
Baru" and "Padang Laweh" are each two villages and a district):

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

from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from routing.core.address_text import Segment, canonical_name, segments
from routing.core.geo_result import GeoResult
from routing.core.places import Gazetteer, Place

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


@dataclass(frozen=True, slots=True)
class _Entry:
    text: str
    place: Place
    alias: bool


@dataclass(frozen=True, slots=True)
class _Mention:
    label: str | None
    hits: tuple[tuple[Place, float], ...]


@cache
def _entries(gazetteer: Gazetteer, label: str | None) -> tuple[_Entry, ...]:
    places = gazetteer.places
    entries = [_Entry(canonical_name(p.name), p, False) for p in places.values()]
    entries += [_Entry(canonical_name(a), places[c], True) for a, c in ALIASES.items()]
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


def _segment_mentions(segment: Segment, gazetteer: Gazetteer) -> list[_Mention]:
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
    named = [s for s in segments(address) if s.label != "street"]
    return [m for s in named for m in _segment_mentions(s, gazetteer)]


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


def place_result(
    place: Place, score: float, candidates: tuple[str, ...] = ()
) -> GeoResult:
    """The gazetteer's answer at a village, or at a district when that is all."""
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
        return place_result(next(iter(winners.values())), top_score)
    districts = {p.parent_code for p in winners.values()}
    if len(districts) == 1:
        district = gazetteer.places[districts.pop()]
        return place_result(district, top_score, tuple(sorted(winners)))
    return _nothing(tuple(winners))


def _pick_district(mentions: list[_Mention], constraints: list[set[str]]) -> GeoResult:
    hits = {
        p.code: (p, s) for m in mentions for p, s in m.hits if p.level == "district"
    }
    fitting = [(p, s) for p, s in hits.values() if _fits(p, constraints)]
    if len(fitting) != 1:
        return _nothing({p.code for p, _ in fitting})
    return place_result(*fitting[0])


def match_names(address: str, gazetteer: Gazetteer) -> GeoResult:
    """Locate an address by the gazetteer names in it; ambiguity gives "none"."""
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
