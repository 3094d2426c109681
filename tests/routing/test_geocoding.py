"""Geocoding over the gazetteer, Nominatim (against a local double) and pins.

No database and no network: Nominatim is a tiny HTTP double on 127.0.0.1.
"""

import json
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.location import Location
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delivery.gazetteer import load_gazetteer
from routing.core import geocoding
from routing.core.geo_result import GeoResult
from routing.core.nominatim import NominatimConfig

GAZETTEER = load_gazetteer()


def resolve_address(address: str, **options) -> GeoResult:
    return geocoding.resolve_address(address, gazetteer=GAZETTEER, **options)


def pin(lat: float, lon: float) -> GeoResult:
    return geocoding.pin(lat, lon, gazetteer=GAZETTEER)


def gazetteer_geocoder() -> geocoding.GazetteerGeocoder:
    return geocoding.GazetteerGeocoder(gazetteer=GAZETTEER)


PALANGKI = "13.03.05.2001"
KOTO_BARU_IV_NAGARI = "13.03.05.2002"
KOTO_BARU_DHARMASRAYA = "13.10.01.2002"
PADANG_LAWEH_KOTO_VII = "13.03.08.2004"
PADANG_LAWEH_DHARMASRAYA = "13.10.09.2001"
KAMANG_BARU = "13.03.06"

VILLAGES = GAZETTEER.villages()
_NAME_COUNT = Counter(v.name for v in VILLAGES)
UNIQUE_VILLAGES = [v for v in VILLAGES if _NAME_COUNT[v.name] == 1]
SHARED_VILLAGES = [v for v in VILLAGES if _NAME_COUNT[v.name] > 1]


def _code(address: str) -> str | None:
    return resolve_address(address).village_code


@pytest.mark.parametrize("village", UNIQUE_VILLAGES, ids=lambda v: v.name)
def test_every_unique_village_name_resolves_to_its_own_code(village):
    result = resolve_address(village.name)

    assert result.village_code == village.code
    assert result.district_code == village.parent_code
    assert result.quality == "village"
    assert result.source == "gazetteer"
    assert (result.lat, result.lon) == (village.lat, village.lon)
    assert result.score == 100


@pytest.mark.parametrize("village", SHARED_VILLAGES, ids=lambda v: v.code)
def test_shared_village_name_resolves_with_its_district(village):
    district = load_gazetteer().district_of(village)

    result = resolve_address(f"{village.name}, Kec. {district.name}")

    assert result.village_code == village.code


@pytest.mark.parametrize(
    ("address", "code"),
    [
        # delivery/data/README.md section 6, every spelling in the table
        ("Muaro Silokek", "13.03.04.2003"),
        ("Aia Angek", "13.03.04.2008"),
        ("Paruh", "13.03.04.2006"),
        ("Mengganti", "13.03.09.2008"),
        ("Mangganti", "13.03.09.2008"),
        ("Sepakat Silantai", "13.03.09.2001"),
        ("Tanjuang Labuah", "13.03.09.2010"),
        ("Tanjung Labuh", "13.03.09.2010"),
        ("Batu Manjulua", "13.03.10.2001"),
        ("Padang Sibusuak", "13.03.10.2003"),
        ("Lubuk Tarok", "13.03.07.2001"),
        ("Buluh Kasok", "13.03.07.2003"),
        ("Guguk", "13.03.08.2003"),
        ("Kunangan Parit Rantang", "13.03.06.2006"),
        ("Kunpar", "13.03.06.2006"),
        ("Muaro Takung", "13.03.06.2003"),
        ("Air Amo", "13.03.06.2004"),
        ("Aia Amo", "13.03.06.2004"),
        ("Kampung Baru", "13.03.10.2004"),
        # README section 2: the decree's abbreviation and its long form
        ("Kubang S. Selatan", "13.73.01.1003"),
        ("Kubang Sirakuk Selatan", "13.73.01.1003"),
        # Minang <-> Indonesian forms, numbers, abbreviations, typos
        ("Talawi Hilir", "13.73.04.2001"),
        ("Talawi Mudik", "13.73.04.2002"),
        ("Kolok Mudik", "13.73.02.2006"),
        ("Kubang Tengah", "13.73.01.2009"),
        ("Tumpuk Tengah", "13.73.04.2006"),
        ("Air Dingin", "13.73.01.1006"),
        ("Lubuak Besar", "13.10.10.2003"),
        ("Lubuk Karak", "13.10.05.2002"),
        ("Silungkang Dua", "13.73.03.2001"),
        ("Silungkang Tiga", "13.73.03.2003"),
        ("Silungkang I", "13.73.03.2002"),
        ("Alahan Nan Tiga", "13.10.10.2002"),
        ("IV Koto Pulau Punjung", "13.10.02.2006"),
        ("Ampek Koto Pulau Punjung", "13.10.02.2006"),
        ("Koto Nan Ampek Dibawuh", "13.10.05.2003"),
        ("Durian 2", "13.73.02.1004"),
        ("Durian 1", "13.73.02.1003"),
        ("Sei. Dareh", "13.10.02.2001"),
        ("Sungei Kambut", "13.10.02.2007"),
        ("Tj. Gadang", "13.03.03.2002"),
        ("Pasar Kubang", "13.73.01.2011"),
        ("Sungai Batung", "13.03.06.2005"),
        ("Palangky", PALANGKI),
        ("MUARO  BODI", "13.03.05.2003"),
    ],
)
def test_spelling_variant_resolves_to_the_right_village(address, code):
    assert _code(address) == code


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Jorong Koto Tuo, Nagari Palangki, Kec. IV Nagari, Kab. Sijunjung", PALANGKI),
        ("Jr. Koto Tuo Nag. Palangki Kec. IV Nagari", PALANGKI),
        ("Nagari Palangki, Kecamatan Ampek Nagari", PALANGKI),
        (
            "Jl. Lintas Sumatera No. 12, RT 01/RW 02, Kel. Aia Dingin, "
            "Kec. Lembah Segar, Kota Sawahlunto 27421",
            "13.73.01.1006",
        ),
        (
            "KENAGARIAN LUBUAK TAROK, KECAMATAN LUBUK TAROK, KABUPATEN SIJUNJUNG, "
            "SUMATERA BARAT",
            "13.03.07.2001",
        ),
        ("Desa Kampung Baru Kec. Kupitan", "13.03.10.2004"),
        ("Jorong Tanah Badantuang, Kec. Sijunjung", "13.03.04.2009"),
        ("Muaro Sijunjung", "13.03.04.2001"),
        ("Jl. Prof. M. Yamin No. 5 Muaro Sijunjung", "13.03.04.2001"),
        ("Nagari Sungai Dareh, Kec. Pulau Punjung, Kab. Dharmasraya", "13.10.02.2001"),
        ("Sitiung, Kab. Dharmasraya", "13.10.04.2001"),
        ("Nag. Silungkang Tigo, Kec. Silungkang", "13.73.03.2003"),
        ("Muaro, Sijunjung", "13.03.04.2001"),
        ("RT 003 RW 001 Nagari Tanjung Kaliang", "13.03.06.2007"),
        ("Kel. Pasar, Kec. Lembah Segar", "13.73.01.1004"),
        ("Pasar Muaro, Sijunjung", "13.03.04.2001"),
    ],
)
def test_prefixed_and_noisy_address_resolves_to_the_village(address, code):
    assert _code(address) == code


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Koto Baru, Kec. IV Nagari", KOTO_BARU_IV_NAGARI),
        ("Koto Baru, Kec. Koto Baru, Kab. Dharmasraya", KOTO_BARU_DHARMASRAYA),
        ("Nagari Koto Baru, Sijunjung", KOTO_BARU_IV_NAGARI),
        ("Kota Baru, Dharmasraya", KOTO_BARU_DHARMASRAYA),
        ("Nagari Padang Laweh, Kec. Koto VII", PADANG_LAWEH_KOTO_VII),
        ("Padang Laweh, Kecamatan Koto 7", PADANG_LAWEH_KOTO_VII),
        ("Padang Laweh, Dharmasraya", PADANG_LAWEH_DHARMASRAYA),
    ],
)
def test_ambiguous_village_name_is_resolved_by_district_or_regency(address, code):
    assert _code(address) == code


@pytest.mark.parametrize(
    ("address", "codes"),
    [
        ("Koto Baru", {KOTO_BARU_IV_NAGARI, KOTO_BARU_DHARMASRAYA}),
        ("Padang Laweh", {PADANG_LAWEH_KOTO_VII, PADANG_LAWEH_DHARMASRAYA}),
    ],
)
def test_ambiguous_village_name_alone_gives_no_point_but_candidates(address, codes):
    result = resolve_address(address)

    assert result.quality == "none"
    assert (result.lat, result.lon, result.village_code) == (None, None, None)
    assert set(result.candidates) == codes


def test_two_villages_of_one_district_give_the_district():
    result = resolve_address("Koto Tuo Palangki IV Nagari")

    assert result.quality == "district"
    assert result.district_code == "13.03.05"
    assert result.village_code is None
    assert set(result.candidates) == {PALANGKI, "13.03.05.2005"}


@pytest.mark.parametrize(
    ("address", "district_code"),
    [
        ("Kec. Kamang Baru", KAMANG_BARU),
        ("Kamang Baru, Kab. Sijunjung", KAMANG_BARU),
        ("Jorong Kiliran Jao", KAMANG_BARU),
        ("Pasar Kiliran Jao", KAMANG_BARU),
        ("Pulau Punjung", "13.10.02"),
        ("Tanjung Ampalu", "13.03.08"),
        ("Kecamatan Talawi, Kota Sawahlunto", "13.73.04"),
    ],
)
def test_town_or_district_only_gives_district_quality(address, district_code):
    result = resolve_address(address)

    assert result.quality == "district"
    assert result.district_code == district_code
    assert result.village_code is None
    district = load_gazetteer().get(district_code)
    assert (result.lat, result.lon) == (district.lat, district.lon)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ,,, ",
        "xyz",
        "Jl. Sudirman No. 1, Kota Bukittinggi",
        "Jl. Pasar Baru",  # a street name, not Kel. Pasar
        "Koto Baru, Kab. Solok",  # a regency outside the service area
        "Kabupaten Sijunjung",  # a regency is too coarse to deliver to
    ],
)
def test_unknown_place_gives_quality_none(address):
    result = resolve_address(address)

    assert result.quality == "none"
    assert (result.lat, result.lon) == (None, None)
    assert result.score == 0


def test_village_contradicting_the_district_gives_none_and_both_candidates():
    result = resolve_address("Nagari Palangki, Kec. Kamang Baru")

    assert result.quality == "none"
    assert set(result.candidates) == {PALANGKI, KAMANG_BARU}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    village=st.sampled_from(VILLAGES),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
)
def test_random_noise_around_a_village_name_never_crashes(village, before, after):
    result = resolve_address(f"{before}{village.name}{after}")

    assert isinstance(result, GeoResult)
    assert result.quality in {"village", "district", "none"}
    assert (result.lat is None) == (result.quality == "none")


@settings(max_examples=100, deadline=None)
@given(
    village=st.sampled_from(UNIQUE_VILLAGES),
    before=st.text(alphabet=" ,.;:-()\n\t", max_size=6),
    after=st.text(alphabet=" ,.;:-()\n\t", max_size=6),
    upper=st.booleans(),
)
def test_punctuation_and_case_do_not_change_the_match(village, before, after, upper):
    name = village.name.upper() if upper else village.name.lower()

    assert _code(f"{before}{name}{after}") == village.code


def test_chosen_village_code_replaces_name_matching():
    result = resolve_address("somewhere", village_code=PALANGKI)

    assert (result.village_code, result.quality, result.score) == (
        PALANGKI,
        "village",
        100,
    )


@pytest.mark.parametrize("code", ["13.99.99.9999", KAMANG_BARU])
def test_unknown_village_code_is_rejected(code):
    with pytest.raises(ValueError, match="not a village code"):
        resolve_address("Palangki", village_code=code)


def test_geopy_geocoder_returns_a_location_at_the_village():
    palangki = load_gazetteer().get(PALANGKI)

    location = gazetteer_geocoder().geocode("Nagari Palangki, Kec. IV Nagari")

    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == (palangki.lat, palangki.lon)
    assert location.address == "Palangki, Kec. IV Nagari"
    assert location.raw["quality"] == "village"


def test_geopy_geocoder_lists_candidates_of_an_ambiguous_name():
    geocoder = gazetteer_geocoder()

    one = geocoder.geocode("Koto Baru")
    many = geocoder.geocode("Koto Baru", exactly_one=False)

    assert one is None
    assert [loc.raw["code"] for loc in many] == [
        KOTO_BARU_IV_NAGARI,
        KOTO_BARU_DHARMASRAYA,
    ]


def test_geopy_geocoder_returns_none_for_an_unknown_place():
    assert gazetteer_geocoder().geocode("Kota Bukittinggi") is None


def test_pin_inside_the_service_area():
    result = pin(-0.66, 100.96)

    assert (result.lat, result.lon) == (-0.66, 100.96)
    assert (result.quality, result.source) == ("pin", "manual")


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (-0.95, 100.35, "outside the service area"),  # Padang
        (100.96, -0.66, "swapped"),
        (float("nan"), 100.9, "finite"),
    ],
)
def test_pin_outside_the_service_area_is_rejected(lat, lon, message):
    with pytest.raises(ValueError, match=message):
        pin(lat, lon)


class _NominatimDouble:
    """Answers /search with the configured JSON list and records the requests."""

    def __init__(self) -> None:
        self.results: list[dict[str, object]] = []
        self.status = 200
        self.requests: list[tuple[str, dict[str, list[str]], str]] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                agent = self.headers.get("User-Agent", "")
                double.requests.append((url.path, parse_qs(url.query), agent))
                body = json.dumps(double.results).encode()
                self.send_response(double.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.config = NominatimConfig(
            domain=f"127.0.0.1:{self.server.server_address[1]}", scheme="http"
        )

    def hit(self, lat: float, lon: float, kind: str = "highway") -> None:
        name = "Jalan Prof. M. Yamin, Muaro, Sijunjung"
        self.results = [
            {"lat": str(lat), "lon": str(lon), "display_name": name, "class": kind}
        ]


@pytest.fixture
def nominatim():
    double = _NominatimDouble()
    thread = threading.Thread(target=double.server.serve_forever, args=(0.05,))
    thread.start()
    yield double
    double.server.shutdown()
    double.server.server_close()
    thread.join(timeout=5)


def test_nominatim_street_hit_near_the_village_gives_street_quality(nominatim):
    nominatim.hit(-0.6601, 100.9452)

    result = resolve_address("Jl. Prof. M. Yamin, Muaro", nominatim=nominatim.config)

    assert (result.lat, result.lon) == (-0.6601, 100.9452)
    assert (result.quality, result.source) == ("street", "nominatim")
    assert result.village_code == "13.03.04.2001"
    path, query, agent = nominatim.requests[0]
    assert path == "/search"
    assert query["countrycodes"] == ["id"]
    assert query["bounded"] == ["1"]
    assert agent.startswith("antar-passport-delivery")


def test_nominatim_street_hit_without_gazetteer_match_is_used(nominatim):
    nominatim.hit(-0.6601, 100.9452)

    result = resolve_address("Jl. Prof. M. Yamin 5", nominatim=nominatim.config)

    assert result.quality == "street"
    assert result.village_code is None


@pytest.mark.parametrize(
    ("lat", "lon", "kind"),
    [
        (-0.95, 100.35, "highway"),  # Padang: outside the service area
        (-1.0, 101.7, "highway"),  # inside the area, but 60 km from Muaro
        (-0.6601, 100.9452, "place"),  # a village node is no street
    ],
)
def test_nominatim_hit_is_ignored_when_implausible(nominatim, lat, lon, kind):
    nominatim.hit(lat, lon, kind)

    result = resolve_address("Jl. Prof. M. Yamin, Muaro", nominatim=nominatim.config)

    assert (result.quality, result.source) == ("village", "gazetteer")


def test_nominatim_failure_keeps_the_gazetteer_answer(nominatim):
    nominatim.status = 500

    result = resolve_address("Nagari Palangki", nominatim=nominatim.config)

    assert (result.quality, result.village_code) == ("village", PALANGKI)
    assert len(nominatim.requests) == 1


def test_nominatim_is_not_asked_unless_configured(nominatim):
    nominatim.hit(-0.6601, 100.9452)

    result = resolve_address("Jl. Prof. M. Yamin, Muaro")

    assert result.quality == "village"
    assert nominatim.requests == []


def test_geocoding_module_does_not_import_django():
    code = "import sys, routing.core.geocoding; print('django' in sys.modules)"

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "False"
