import factory

from brands.models import Brand, Product
from tests.studio.factories import WorkspaceFactory


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Brand {n}")
    status = Brand.Status.READY


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = factory.SubFactory(BrandFactory)
    workspace = factory.SelfAttribute("brand.workspace")
    name = factory.Sequence(lambda n: f"Product {n}")
