"""Scoped object access: out of scope is indistinguishable from absent."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from readmit.core.errors import NotFound

M = TypeVar("M", bound=Model)


def get_visible(queryset: QuerySet[M], **lookup: Any) -> M:
    """The one row `lookup` names within an already scoped queryset, or NotFound."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found, or not visible to you.")) from None
