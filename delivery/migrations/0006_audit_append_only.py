"""The audit trail and the delivery events are append-only for the application.

On PostgreSQL, triggers refuse UPDATE and DELETE on delivery_auditrecord,
delivery_deliveryevent and delivery_auditcheckpoint. (TRUNCATE is not refused: the test
suite's flush needs it, and only the table owner may run it.) A database superuser can
still disable the triggers: the hash chain and the signed checkpoints are what detect
that. SQLite gets no triggers, because Django's test flush deletes rows there.
"""

from django.db import migrations

TABLES = ["delivery_auditrecord", "delivery_deliveryevent", "delivery_auditcheckpoint"]
FUNCTION = """
CREATE OR REPLACE FUNCTION antar_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: the table is append-only',
        TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION antar_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS antar_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("delivery", "0005_handover_trust_models")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
