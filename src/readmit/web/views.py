from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from readmit.accounts.capabilities import Capability, has
from readmit.web.search import search_redirect
from readmit.web.utils import current_user


def home(request: HttpRequest) -> HttpResponse:
    """The work queue of the user's role; for roles without casework, their tasks."""
    user = current_user(request)
    if has(user, Capability.VIEW_CASES):
        from readmit.readmission.views import queue_context, render_queue

        if request.method == "POST":  # the queue's filter form
            return search_redirect(request)

        context = {**queue_context(request, user), "home": True}
        return render_queue(request, context, "readmission/work_queue.html")
    return render(request, "web/home.html", {"authority": user.authority})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
