import factory

from billing.models import CreditAccount, CreditPack
from tests.studio.factories import WorkspaceFactory


class CreditPackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditPack

    name = factory.Sequence(lambda n: f"Pack {n}")
    credits = 250
    price_cents = 2500
    currency = "usd"


class CreditAccountFactory(factory.django.DjangoModelFactory):
    """An account with no entries (balance 0); use services.grant to fund it."""

    class Meta:
        model = CreditAccount

    workspace = factory.SubFactory(WorkspaceFactory)
