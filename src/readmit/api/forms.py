"""The API parses with the web's forms: one parser, one set of rules.

`form_schema` derives a Pydantic request schema (for validation of types and for the OpenAPI
document) from a Django form; `form_kwargs` binds the JSON body to the same form, so the API
accepts exactly what the web page accepts, and answers the form's messages as a 422 with
`fields`. The services behind both stay the only place where rules live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, create_model

from readmit.core.errors import ValidationFailed


def _choice_values(field: forms.ChoiceField) -> list[str]:
    choices: Any = field.choices
    return [str(value) for value, _label in choices if value != ""]


def _annotation(field: forms.Field) -> tuple[Any, Any]:
    """The Python type and the default of one form field."""
    required = field.required
    if isinstance(field, forms.BooleanField):
        return bool, False
    if isinstance(field, forms.TypedMultipleChoiceField):
        return list[int] if field.coerce is int else list[str], []
    if isinstance(field, forms.ModelChoiceField):
        return (str, ...) if required else (str | None, None)
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return (int, ...) if required else (int | None, None)
    if isinstance(field, forms.ChoiceField):
        values = _choice_values(field)
        if not values:
            return (str, ...) if required else (str | None, None)
        if required:
            return Literal[tuple(values)], ...
        # One literal with "" among its values (not a union of literals): a refused value then
        # gives one error under the field's own name, not one per member of a union.
        return Literal[(*values, "")] | None, None
    if isinstance(field, forms.IntegerField):
        return (int, ...) if required else (int | None, None)
    if isinstance(field, forms.DateTimeField):
        return (dt.datetime, ...) if required else (dt.datetime | None, None)
    if isinstance(field, forms.DateField):
        return (dt.date, ...) if required else (dt.date | None, None)
    return (str, ...) if required else (str, "")


def form_schema(
    form_class: type[forms.Form],
    name: str,
    *,
    example: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> type[Schema]:
    """A request schema with the form's fields (files left out: they travel as multipart)."""
    definitions: dict[str, Any] = {}
    for field_name, field in form_class.base_fields.items():
        if isinstance(field, forms.FileField):
            continue
        kind, default = _annotation(field)
        if partial:
            kind, default = kind | None, None
        description = " ".join(str(t) for t in (field.label, field.help_text) if t)
        definitions[field_name] = (kind, Field(default, description=description or None))
    base: type[Schema] = Schema
    if example:
        config = {"json_schema_extra": {"examples": [dict(example)]}}
        base = type(f"{name}Base", (Schema,), {"model_config": {**Schema.model_config, **config}})
    model: type[Schema] = create_model(name, __base__=base, **definitions)
    return model


def _form_data(values: Mapping[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif value is True:
            data[key] = "on"
        elif isinstance(value, dt.datetime):
            # ISO 8601 with its seconds and any offset: the form keeps an aware time's instant,
            # and reads a naive one in the server's time zone, as the web page does.
            data[key] = value.isoformat()
        elif isinstance(value, dt.date):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    return data


def form_kwargs(
    form_class: type[forms.Form],
    values: Mapping[str, Any],
    *,
    files: Any = None,
    only: set[str] | None = None,
    **init: Any,
) -> dict[str, Any]:
    """Bind `values` to the web form and return its service keyword arguments, or raise
    ValidationFailed with the form's messages. `only` keeps just the fields that were sent
    (a partial update)."""
    form = form_class(_form_data(values), files, **init)
    if only is not None:
        for name in list(form.fields):
            if name not in only:
                del form.fields[name]
    if not form.is_valid():
        raise ValidationFailed(
            _("The request has invalid values."),
            fields={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    service_kwargs = getattr(form, "service_kwargs", None)
    result: dict[str, Any] = service_kwargs() if service_kwargs else dict(form.cleaned_data)
    return result
