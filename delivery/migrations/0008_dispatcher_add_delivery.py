"""Dispatchers may import deliveries (CSV in the admin): the add permission says so."""

from django.db import migrations


def grant_add_delivery(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("delivery")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="dispatcher")
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="delivery", codename="add_delivery"
        )
    )


def revoke_add_delivery(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="dispatcher").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="delivery", codename="add_delivery"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0007_encrypt_personal_data")]

    operations = [migrations.RunPython(grant_add_delivery, revoke_add_delivery)]
