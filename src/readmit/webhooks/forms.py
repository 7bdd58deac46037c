from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.webhooks.events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"),
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
