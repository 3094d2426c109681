"""Create the demo office, staff, couriers and about 150 queued deliveries."""

from datetime import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from delivery import services
from delivery.demo_data import demo_deliveries
from delivery.demo_history import seed_history
from delivery.models import Courier, Depot, Office, Role
from delivery.services.staff import courier_create, staff_create

DEMO_PASSWORD = "antar-demo"
COURIERS = [
    ("kurir1", "Rudi Hartono", "+6281266001001", "motorbike"),
    ("kurir2", "Yoga Pratama", "+6281266001002", "motorbike"),
    ("kurir3", "Feri Andika", "+6281266001003", "motorbike"),
    ("kurir4", "Reno Saputra", "+6281266001004", "motorbike"),
    ("kurir5", "Dedi Kurnia", "+6281266001005", "motorbike"),
    ("kurir6", "Agus Salim", "+6281266001006", "car"),
]
# Southern Dharmasraya is 90-120 km from Muaro Sijunjung: too far for a day's round
# trip from the office. The planned UKK at Pulau Punjung (delivery/data/README.md)
# is a depot, and one courier lives in Sitiung (docs/DESIGN.md, "Courier bases").
UKK_PULAU_PUNJUNG = {
    "name": "UKK Pulau Punjung",
    # No address exists yet: a demo point in Pulau Punjung town.
    "address": "Pulau Punjung, Kabupaten Dharmasraya (alamat demo)",
    "lat": -0.9502,
    "lon": 101.5113,
}
DEPOT_COURIER = "kurir5"
HOME_BASED = ("kurir4", "13.10.04.2001")  # Sitiung


class Command(BaseCommand):
    help = "Seed the demo: office, UKK depot, staff, 6 couriers, deliveries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--deliveries", type=int, default=150)
        parser.add_argument(
            "--history-days",
            type=int,
            default=120,
            help="days of past deliveries, surveys and complaints (0: none)",
        )

    def handle(
        self, *args: Any, deliveries: int, history_days: int, **options: Any
    ) -> None:
        office, _ = Office.objects.get_or_create(
            code="sijunjung",
            defaults={
                "name": "Kantor Imigrasi Sijunjung",
                # No office exists yet (see delivery/data/README.md): a demo point
                # in Muaro Sijunjung town.
                "address": "Muaro Sijunjung, Kabupaten Sijunjung (alamat demo)",
                "phone": "+6275420000",
                "opening_hours": "Senin-Jumat 08.00-16.00 WIB",
                "lat": -0.6636,
                "lon": 100.9433,
            },
        )
        self._create_people(office)
        self._create_bases(office)
        if history_days:
            past = seed_history(office=office, days=history_days)
            self.stdout.write(
                f"History: {past.deliveries} past deliveries, {past.surveys} "
                f"surveys, {past.complaints} complaints."
            )
        report = self._create_deliveries(office, deliveries)
        self.stdout.write(
            f"Deliveries: {len(report.created)} created, "
            f"{len(report.existing)} existed, {len(report.errors)} refused."
        )
        self._print_logins()

    def _create_people(self, office: Office) -> None:
        user_model = get_user_model()
        if not user_model.objects.filter(username="admin").exists():
            user_model.objects.create_superuser("admin", "", DEMO_PASSWORD)
        staff_create(
            office=office,
            role=Role.DISPATCHER,
            username="petugas",
            password=DEMO_PASSWORD,
            full_name="Nurul Hasanah",
        )
        staff_create(
            office=office,
            role=Role.AUDITOR,
            username="auditor",
            password=DEMO_PASSWORD,
            full_name="Hendri Yanto",
        )
        for username, name, phone, vehicle in COURIERS:
            courier_create(
                office=office,
                username=username,
                password=DEMO_PASSWORD,
                full_name=name,
                phone=phone,
                vehicle_kind=vehicle,
                capacity=60 if vehicle == "car" else 35,
                shift=(time(8, 0), time(16, 0)),
            )

    def _create_bases(self, office: Office) -> None:
        depot, _ = Depot.objects.get_or_create(
            office=office, name=UKK_PULAU_PUNJUNG["name"], defaults=UKK_PULAU_PUNJUNG
        )
        by_username = {
            c.staff.user.username: c
            for c in Courier.objects.filter(staff__office=office).select_related(
                "staff__user"
            )
        }
        services.courier_set_base(
            courier=by_username[DEPOT_COURIER], actor=None, depot=depot
        )
        username, village = HOME_BASED
        services.courier_set_base(
            courier=by_username[username], actor=None, village_code=village
        )

    def _create_deliveries(self, office: Office, count: int) -> services.ImportReport:
        items = [
            {
                "application_number": d.application_number,
                "passport_number": d.passport_number,
                "full_name": d.full_name,
                "phone": d.phone,
                "address": d.address,
                "village_code": d.village_code,
                "issued_on": d.issued_on.isoformat(),
                "window_start": d.window[0].isoformat() if d.window else None,
                "window_end": d.window[1].isoformat() if d.window else None,
                "priority": d.priority,
            }
            for d in demo_deliveries(count, today=timezone.localdate())
        ]
        return services.deliveries_intake_batch(
            office=office, actor=services.Actor.system(), items=items
        )

    def _print_logins(self) -> None:
        base = "http://127.0.0.1:8000"
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  admin    superuser      {base}/admin/")
        self.stdout.write(f"  petugas  dispatcher     {base}/petugas/")
        self.stdout.write(f"  auditor  auditor        {base}/petugas/")
        self.stdout.write(f"  kurir1..kurir6  couriers  {base}/kurir/")
        self.stdout.write("  (API token: POST /api/auth/token/)")
        self.stdout.write(
            f"  {DEPOT_COURIER} starts at {UKK_PULAU_PUNJUNG['name']}, "
            f"{HOME_BASED[0]} at home in Sitiung"
        )
