from django.db import migrations

PREDEFINED = (
    ("firstName", "First Name", "string"),
    ("lastName", "Last Name", "string"),
    ("gender", "Gender", "gender"),
    ("birthday", "Birthday", "date"),
    ("country", "Country", "country"),
)


def create_predefined(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    Field = apps.get_model("fields", "Field")
    for account in Account.objects.all():
        Field.objects.bulk_create(
            [Field(account=account, name=name, label=label, type=type_, predefined=True, position=index)
             for index, (name, label, type_) in enumerate(PREDEFINED)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("fields", "0001_initial"), ("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_predefined, migrations.RunPython.noop)]
