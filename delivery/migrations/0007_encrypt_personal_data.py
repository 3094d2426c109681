"""Encrypt passport numbers (with their keyed index) and every stored photo.

Passport numbers are read and written with raw SQL: through the model, the new field
would try to decrypt the plain numbers still in the column. Photos are re-encoded by
the one domain function (delivery.services.photos), encrypted, and stored under a new
server-chosen name; the old files are deleted only once the migration has committed.
A stored file that is not a photo (a polyglot, a truncated image) is deleted and its
row left without a photo.
"""

import logging

from django.core.files.base import ContentFile
from django.db import migrations, transaction

import delivery.models.fields

logger = logging.getLogger(__name__)
FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte 0x80


def _passport_rows(cursor, table):
    cursor.execute(f"SELECT id, passport_number FROM {table}")  # noqa: S608
    return cursor.fetchall()


def encrypt_passports(apps, schema_editor):
    from delivery.crypto import encrypt, passport_index

    table = apps.get_model("delivery", "Document")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for pk, number in _passport_rows(cursor, table):
            if not number or number.startswith(FERNET_PREFIX):
                continue
            cursor.execute(
                f"UPDATE {table} SET passport_number = %s, "  # noqa: S608
                "passport_number_index = %s WHERE id = %s",
                [encrypt(number.encode()).decode(), passport_index(number), pk],
            )


def decrypt_passports(apps, schema_editor):
    from delivery.crypto import decrypt

    table = apps.get_model("delivery", "Document")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for pk, token in _passport_rows(cursor, table):
            if token and token.startswith(FERNET_PREFIX):
                plain = decrypt(token.encode()).decode()
                cursor.execute(
                    f"UPDATE {table} SET passport_number = %s WHERE id = %s",  # noqa: S608
                    [plain, pk],
                )


def _is_encrypted(field_file) -> bool:
    from delivery.crypto import InvalidToken, decrypt

    try:
        with field_file.open("rb") as stored:
            decrypt(stored.read())
    except (InvalidToken, ValueError):
        return False
    return True


def _new_photo(field_file):
    """The stored file as an encrypted JPEG, or None when it is no photo at all."""
    from delivery.services.photos import PhotoRejected, photo_file

    try:
        with field_file.open("rb") as stored:
            return photo_file(ContentFile(stored.read()))
    except (PhotoRejected, OSError):
        return None


def encrypt_photos(apps, schema_editor):
    for model_name in ("ProofOfDelivery", "EventPhoto"):
        model = apps.get_model("delivery", model_name)
        for row in model.objects.exclude(photo="").order_by("id").iterator():
            old = row.photo.name
            if row.photo.storage.exists(old) and _is_encrypted(row.photo):
                continue
            new = _new_photo(row.photo) if row.photo.storage.exists(old) else None
            if new is None:
                logger.warning("%s %s: stored file is no photo", model_name, row.pk)
                row.photo = ""
            else:
                row.photo.save(new.name, new, save=False)
            model.objects.filter(pk=row.pk).update(photo=row.photo.name or "")
            storage = row.photo.storage
            transaction.on_commit(lambda s=storage, n=old: s.delete(n))


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0006_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="passport_number_index",
            field=delivery.models.fields.PassportIndexField(
                db_index=True,
                default="",
                editable=False,
                max_length=64,
                source="passport_number",
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="passport_number",
            field=delivery.models.fields.EncryptedCharField(
                plain_max_length=20, verbose_name="passport number"
            ),
        ),
        migrations.RunPython(encrypt_passports, decrypt_passports),
        migrations.RunPython(encrypt_photos, migrations.RunPython.noop),
    ]
