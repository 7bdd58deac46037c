"""Search texts stay out of URLs.

A search box takes names and document numbers, which must not reach a URL (browser history,
a proxy's log, a link copied into an e-mail). The list pages' filter forms therefore POST; the
text is kept in the user's session under a random token and the browser is sent to the list's
URL with the token (`s=…`) and the other filters, never the text. Reading a list, `searched`
gives its parameters with the text put back. A URL with the text itself (`q=…`) is still read,
for one typed by hand, but the pages never make one. A token the session no longer holds (an old
link, another user's) is refused as expired: a list or an export is never given without the
search it was asked with. The texts live in the session (the database's session table) until it
ends, at most the user's latest `KEEP`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from readmit.core.errors import Conflict

PARAM = "s"
SESSION_KEY = "readmit_searches"
KEEP = 20  # the user's latest searches; an older token is refused as expired
# Longer than any search box takes (the forms then refuse it as too long): the session keeps
# no more of a text than that, whatever a request sends.
MAX_TEXT = 500


class SearchExpired(Conflict):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This search is no longer kept (only your latest %(n)d are, for this session): "
                "search again."
            )
            % {"n": KEEP},
            code="search_expired",
        )


def searched(request: HttpRequest, fields: Sequence[str] = ("q",)) -> QueryDict:
    """The list's query string, with the search texts its token stands for put back."""
    params = request.GET.copy()
    token = params.pop(PARAM, [""])[-1]
    if not token:
        return params
    texts = request.session.get(SESSION_KEY, {}).get(token)
    if not isinstance(texts, dict):
        # Never the list (or the export) without the search it was asked with.
        raise SearchExpired
    for name in fields:
        if name not in params and isinstance(texts.get(name), str):
            params[name] = texts[name]
    return params


def search_redirect(request: HttpRequest, fields: Sequence[str] = ("q",)) -> HttpResponse:
    """A filter form POSTed: its texts into the session, the browser to the list's URL with
    their token and the other filters (empty ones left out). With htmx, a client-side
    redirect that swaps the results and pushes the URL, as the GET form did."""
    params = QueryDict(mutable=True)
    texts = {}
    for name, values in request.POST.lists():
        kept = [value for value in values if value.strip()]
        if name in ("csrfmiddlewaretoken", PARAM) or not kept:
            continue
        if name in fields:
            texts[name] = kept[-1].strip()[: MAX_TEXT + 1]
        else:
            params.setlist(name, kept)
    if texts:
        searches = dict(request.session.get(SESSION_KEY, {}))
        token = secrets.token_urlsafe(9)
        searches[token] = texts
        for old in list(searches)[: max(0, len(searches) - KEEP)]:
            del searches[old]
        request.session[SESSION_KEY] = searches
        params[PARAM] = token
    url = f"{request.path}?{params.urlencode()}" if params else request.path
    target = request.headers.get("HX-Target") if request.headers.get("HX-Request") else None
    if target:
        response = HttpResponse(status=204)
        response["HX-Location"] = json.dumps(
            {"path": url, "target": f"#{target}", "select": f"#{target}", "swap": "outerHTML"}
        )
        return response
    return redirect(url)
