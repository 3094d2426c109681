"""Groups for the roles, with the admin permissions each role needs."""

from django.db import migrations

VIEW_ALL = [
    "view_office",
    "view_staff",
    "view_courier",
    "view_applicant",
    "view_document",
    "view_delivery",
    "view_deliveryevent",
]
GROUP_PERMISSIONS = {
    "dispatcher": VIEW_ALL
    + ["change_delivery", "change_applicant", "change_courier", "add_document"],
    "auditor": VIEW_ALL,
    "courier": [],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="delivery", codename__in=codenames
        )
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
