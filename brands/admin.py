from django.contrib import admin

from brands.models import Brand, BrandScrape, Product, ProductImage


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    readonly_fields = ("width", "height", "source_url")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "status", "is_default", "website", "updated_at")
    list_filter = ("status", "is_default")
    search_fields = ("name", "website", "workspace__name")
    raw_id_fields = ("workspace",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "price", "regular_price", "currency", "active", "source",
                    "edited", "removed_at")
    list_filter = ("active", "source")
    search_fields = ("name", "brand__name")
    raw_id_fields = ("workspace", "brand")
    inlines = [ProductImageInline]


@admin.register(BrandScrape)
class BrandScrapeAdmin(admin.ModelAdmin):
    list_display = ("url", "brand", "status", "progress", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("url", "brand__name")
    raw_id_fields = ("workspace", "brand")
    readonly_fields = ("pages", "found", "candidates", "errors")
