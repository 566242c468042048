"""The reference's linear packs: $25 = 250 credits, $100 = 1,000 credits."""

from django.db import migrations

PACKS = [
    {"name": "Starter", "credits": 250, "price_cents": 2500, "sort_order": 1},
    {"name": "Team", "credits": 1000, "price_cents": 10000, "sort_order": 2},
]


def create_packs(apps, schema_editor):
    CreditPack = apps.get_model("billing", "CreditPack")
    if CreditPack.objects.exists():
        return
    for pack in PACKS:
        CreditPack.objects.create(currency="usd", active=True, **pack)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_packs, migrations.RunPython.noop)]
