from django import forms

from billing.models import CreditPack


class PackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CreditPack) -> str:
        return f"{obj.credits:,} credits · {obj.price_display}"


class AutoRechargeForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Recharge automatically")
    threshold = forms.IntegerField(min_value=0, max_value=100_000, label="When credits fall below")
    pack = PackChoiceField(queryset=CreditPack.objects.filter(active=True),
                                  required=False, label="Buy", empty_label=None)
