from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("checkout/<int:pack_id>/", views.checkout, name="checkout"),
    path("checkout/done/", views.checkout_done, name="checkout_done"),
    path("card/", views.card_update, name="card_update"),
    path("card/done/", views.card_done, name="card_done"),
    path("auto-recharge/", views.auto_recharge, name="auto_recharge"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
