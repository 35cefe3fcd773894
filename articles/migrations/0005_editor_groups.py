"""The three editor roles as groups, so a site's admin only has to add people to them.

- Editor: writes and changes articles (source text and structure), cannot publish.
- Translator: changes the translation of existing articles, nothing else.
- Publisher: publishes, unpublishes, archives and deletes; edits like an Editor.

The admin enforces what each may do (articles/admin.py); tests/test_roles.py checks it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_VOCABULARY = ["view_category", "view_platform"]
EDITOR = [
    *VIEW_VOCABULARY,
    "add_article",
    "change_article",
    "view_article",
    "edit_source",
    "add_variant",
    "change_variant",
    "delete_variant",
    "view_variant",
    "add_step",
    "change_step",
    "delete_step",
    "view_step",
]
TRANSLATOR = [
    *VIEW_VOCABULARY,
    "change_article",
    "view_article",
    "change_variant",
    "view_variant",
    "change_step",
    "view_step",
]
PUBLISHER = [
    *EDITOR,
    "publish_article",
    "delete_article",
    "add_category",
    "change_category",
    "add_platform",
    "change_platform",
    "view_feedbackcomment",
]
GROUPS = {"Editor": EDITOR, "Translator": TRANSLATOR, "Publisher": PUBLISHER}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_editor_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
