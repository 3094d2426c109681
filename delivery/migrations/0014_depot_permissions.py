"""Dispatchers keep the office's depots (view, add, change); auditors may view them."""

from django.db import migrations

GRANTS = {
    "dispatcher": ["view_depot", "add_depot", "change_depot"],
    "auditor": ["view_depot"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("delivery")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="delivery", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="delivery", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0013_courier_bases_and_depots")]

    operations = [migrations.RunPython(grant, revoke)]
