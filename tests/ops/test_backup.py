"""The restore drill: deploy/backup.sh, deploy/restore.sh, then audit_verify.

The scripts run as the operator runs them (subprocesses on the test database), so the
rows they see must be committed: transactional tests. The restored database is a
second one next to the test database, dropped afterwards.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from delivery.crypto import decrypt
from delivery.models import AuditRecord, ProofOfDelivery, Status
from delivery.services.audit import audit_checkpoint_record
from delivery.services.photos import photo_file
from tests.conftest import TEST_DATA_KEY
from tests.factories import CourierFactory, OfficeFactory, make_delivery
from tests.photo_files import photo_jpeg

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINT_KEY = "backup-drill-checkpoint-key-kept-apart"


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(*command: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(command),
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _backup(dest: Path) -> Path:
    done = _run(
        "deploy/backup.sh",
        str(dest),
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def _restore(backup: Path, url: str, media: Path) -> subprocess.CompletedProcess:
    return _run(
        "deploy/restore.sh", str(backup), DATABASE_URL=url, MEDIA_ROOT=str(media)
    )


def _audit_verify(url: str) -> subprocess.CompletedProcess:
    return _run(
        sys.executable,
        "manage.py",
        "audit_verify",
        DATABASE_URL=url,
        AUDIT_CHECKPOINT_KEY=CHECKPOINT_KEY,
        DATA_ENCRYPTION_KEY=TEST_DATA_KEY,
        SMS_BACKEND="memory",  # the drill sends no SMS; DEBUG=0 refuses "console"
    )


def _tables(url: str) -> int:
    query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    done = _run("psql", "--no-psqlrc", "-Atc", query, url)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.fixture
def history(settings) -> ProofOfDelivery:
    """Two delivered passports (events, audit records), a proof photo, a checkpoint."""
    settings.AUDIT_CHECKPOINT_KEY = CHECKPOINT_KEY
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office)
    delivered = make_delivery(Status.DELIVERED, office=office, courier=courier)
    make_delivery(Status.DELIVERED, office=office, courier=courier)
    proof = ProofOfDelivery.objects.create(
        delivery=delivered, courier=courier, recipient_kind="holder",
        recipient_name="Siti", photo=photo_file(ContentFile(photo_jpeg())),
    )  # fmt: skip
    assert audit_checkpoint_record() is not None
    return proof


@pytest.fixture
def empty_database():
    """The URL of a new, empty database beside the test database; dropped after."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_passes_audit_verify_and_its_photo_decrypts(
    history, empty_database, tmp_path
):
    backup = _backup(tmp_path / "backups")
    media = tmp_path / "restored-media"

    restored = _restore(backup, empty_database, media)
    verified = _audit_verify(empty_database)

    assert restored.returncode == 0, restored.stderr
    assert verified.returncode == 0, verified.stderr
    records = AuditRecord.objects.count()
    assert f"audit trail OK: {records} records" in verified.stdout
    assert "1 checkpoints" in verified.stdout
    photo = (media / history.photo.name).read_bytes()
    assert decrypt(photo) == decrypt(history.photo.read())
    assert decrypt(photo).startswith(b"\xff\xd8")  # a JPEG


def test_a_backup_folder_holds_its_checksums_and_no_key(history, tmp_path):
    backup = _backup(tmp_path / "backups")

    sums = (backup / "SHA256SUMS").read_text()
    checked = subprocess.run(
        ["sha256sum", "--check", "SHA256SUMS"],
        cwd=backup,
        capture_output=True,
        check=False,
    )

    assert backup.name.startswith("antar-")
    assert {line.split()[1] for line in sums.splitlines()} == {
        "database.dump", "media.tar", "INFO",
    }  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    for part in backup.iterdir():
        assert TEST_DATA_KEY.encode() not in part.read_bytes()
        assert CHECKPOINT_KEY.encode() not in part.read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(history, tmp_path):
    backup = _backup(tmp_path / "backups")
    records = AuditRecord.objects.count()
    live = _url(connection.settings_dict["NAME"])  # the test database, in use

    refused = _restore(backup, live, tmp_path / "restored-media")

    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert not (tmp_path / "restored-media").exists()
    assert AuditRecord.objects.count() == records


def test_restore_refuses_a_photo_folder_that_is_not_empty(
    history, empty_database, tmp_path
):
    backup = _backup(tmp_path / "backups")
    media = tmp_path / "media-in-use"
    media.mkdir()
    (media / "someone-elses.jpg.enc").write_bytes(b"x")

    refused = _restore(backup, empty_database, media)

    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert _tables(empty_database) == 0


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    history, empty_database, tmp_path
):
    backup = _backup(tmp_path / "backups")
    tar = backup / "media.tar"
    data = bytearray(tar.read_bytes())
    data[-1] ^= 0xFF
    tar.write_bytes(bytes(data))

    refused = _restore(backup, empty_database, tmp_path / "restored-media")

    assert refused.returncode != 0
    assert "checksums" in refused.stderr
    assert not (tmp_path / "restored-media").exists()
    assert _tables(empty_database) == 0


def test_a_failed_backup_exits_non_zero_and_leaves_no_folder(tmp_path):
    dest = tmp_path / "backups"

    failed = _run(
        "deploy/backup.sh",
        str(dest),
        DATABASE_URL=_url("antar_backups_no_such_database"),
        MEDIA_ROOT=str(tmp_path),
    )

    assert failed.returncode != 0
    assert list(dest.iterdir()) == []
