"""Realistic demo data for the Sijunjung office: names, phones, addresses, dates.

Seeded, so the same demo comes out every time. Villages are drawn weighted by
population: Sijunjung's nagari have their own counts; for Dharmasraya and Sawahlunto,
whose villages have none in the gazetteer, the regency's count is spread evenly.
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from delivery.gazetteer import Place, load_gazetteer

FIRST_NAMES = [
    "Rahmat",
    "Fitri",
    "Yusuf",
    "Nurhayati",
    "Andi",
    "Rina",
    "Fauzan",
    "Siti",
    "Hendra",
    "Dewi",
    "Rizki",
    "Yuliana",
    "Zulkifli",
    "Mardiana",
    "Afrizal",
    "Wahyuni",
    "Irwan",
    "Lestari",
    "Budi",
    "Ratna",
    "Syafri",
    "Elfina",
    "Doni",
    "Novita",
    "Arif",
    "Desmawati",
    "Ilham",
    "Sri",
    "Firdaus",
    "Yenni",
    "Rusdi",
    "Aulia",
]
FAMILY_NAMES = [
    "Putra",
    "Putri",
    "Saputra",
    "Chaniago",
    "Piliang",
    "Tanjung",
    "Koto",
    "Sikumbang",
    "Caniago",
    "Jambak",
    "Melayu",
    "Guci",
    "Sinaga",
    "Syahputra",
    "Hidayat",
    "Rahman",
    "Fauzi",
    "Harahap",
    "Nasution",
    "Effendi",
    "Yulianti",
    "Ramadhan",
    "Kurniawan",
]
STREETS = [
    "Jl. Lintas Sumatera",
    "Jl. Prof. M. Yamin",
    "Jl. Sudirman",
    "Jl. Diponegoro",
    "Jl. Ahmad Yani",
    "Jl. Imam Bonjol",
    "Jl. Pahlawan",
    "Jl. Pasar",
    "Jl. Masjid Raya",
]
JORONG = [
    "Koto Tangah",
    "Koto Lamo",
    "Pasar",
    "Tanah Badantuang",
    "Sungai Batang",
    "Padang",
]
# Mobile prefixes of Indonesian operators (Telkomsel, Indosat, XL, Tri, Smartfren).
MOBILE_PREFIXES = [
    "812",
    "813",
    "821",
    "822",
    "852",
    "853",
    "815",
    "856",
    "857",
    "817",
    "818",
    "819",
    "859",
    "877",
    "878",
    "896",
    "895",
    "881",
]


@dataclass(frozen=True)
class DemoDelivery:
    application_number: str
    passport_number: str
    full_name: str
    phone: str
    address: str
    village_code: str
    issued_on: date
    window: tuple[time, time] | None
    priority: int


def _village_weights(villages: list[Place]) -> list[float]:
    gazetteer = load_gazetteer()
    per_regency: dict[str, list[Place]] = {}
    for village in villages:
        regency = gazetteer.regency_of(village)
        per_regency.setdefault(regency.code if regency else "", []).append(village)
    weights = []
    for village in villages:
        if village.population:
            weights.append(float(village.population))
            continue
        regency = gazetteer.regency_of(village)
        siblings = per_regency[regency.code if regency else ""]
        total = regency.population if regency and regency.population else 1000
        weights.append(total / len(siblings))
    return weights


def demo_deliveries(count: int, *, today: date, seed: int = 2026) -> list[DemoDelivery]:
    """Return `count` realistic deliveries issued in the last 25 days."""
    rng = random.Random(seed)
    villages = load_gazetteer().villages()
    weights = _village_weights(villages)
    result = []
    for index in range(count):
        village = rng.choices(villages, weights)[0]
        start = rng.choice([8, 9, 10, 11, 12, 13, 14])
        window = (time(start), time(start + 2)) if rng.random() < 0.3 else None
        issued = today - timedelta(days=rng.randint(1, 25))
        result.append(
            DemoDelivery(
                application_number=f"2C3SJ{today:%y%m}{index + 1:05d}",
                passport_number=f"{rng.choice('CEX')}{rng.randint(1000000, 9999999)}",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}",
                phone=_phone(rng),
                address=_address(rng, village),
                village_code=village.code,
                issued_on=issued,
                window=window,
                priority=2 if (today - issued).days > 20 else rng.choice([0, 0, 0, 1]),
            )
        )
    return result


def _address(rng: random.Random, village: Place) -> str:
    street = rng.choice(STREETS)
    jorong = rng.choice(JORONG)
    return f"{street} No. {rng.randint(1, 120)}, Jorong {jorong}, {village.name}"


def _phone(rng: random.Random) -> str:
    return f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(10**7, 10**8 - 1)}"
