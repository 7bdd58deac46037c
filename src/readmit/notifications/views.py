from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from readmit.core.errors import NotFound
from readmit.core.pagination import web_keyset_page
from readmit.notifications import selectors, services
from readmit.web.utils import current_user


def notification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = web_keyset_page(
        request, lambda cursor: selectors.notification_page(viewer=user, cursor=cursor)
    )
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = services.notification_mark_read(
        actor=current_user(request), notification_id=notification_id
    )
    if note is None:
        raise NotFound(_("No such notification."))
    safe = url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()})
    return redirect(note.url if note.url and safe else "notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(actor=current_user(request))
    return redirect("notifications:list")
