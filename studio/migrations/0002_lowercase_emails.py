"""Lower-case every stored e-mail address (users, their allauth addresses, invitations).

allauth lower-cases what people type, so an address stored as ``Mixed.Case@x.test`` could
never sign in. The case-insensitive unique constraint on users means no two rows collide.
"""

from django.db import migrations
from django.db.models.functions import Lower


def lowercase_emails(apps, schema_editor):
    User = apps.get_model("studio", "User")
    Invitation = apps.get_model("studio", "Invitation")
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))
    Invitation.objects.exclude(email=Lower("email")).update(email=Lower("email"))
    try:
        EmailAddress = apps.get_model("account", "EmailAddress")
    except LookupError:
        return
    for address in EmailAddress.objects.exclude(email=Lower("email")):
        lowered = address.email.lower()
        if EmailAddress.objects.filter(user_id=address.user_id, email=lowered).exists():
            address.delete()  # the same address is already there in lower case
        else:
            address.email = lowered
            address.save(update_fields=["email"])


class Migration(migrations.Migration):

    dependencies = [
        ("studio", "0001_initial"),
        ("account", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop),
    ]
