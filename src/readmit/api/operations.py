"""Helpers that keep API operations thin and free of repetition.

`add_operation` registers one documented operation whose body is a call to one service (or
selector): the routers declare tables of operations instead of copying near-identical
functions. Each operation keeps its own path, summary, description, example, schema and
entry in the permission matrix.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import BaseModel

from readmit.accounts.models import User
from readmit.api.renderers import model_response

_PATH_PARAM = re.compile(r"{(\w+)}")


def viewer(request: HttpRequest) -> User:
    """The user behind the bearer token (the API's authentication has run)."""
    user = request.user
    assert isinstance(user, User)
    return user


Runner = Callable[[User, dict[str, Any], dict[str, Any]], Any]


def add_operation(
    router: Router,
    *,
    method: str,
    path: str,
    name: str,
    module: str,
    run: Runner,
    response: dict[int, Any],
    summary: str,
    description: str,
    body: type[Schema] | None = None,
    partial: bool = False,
    status: int = 200,
) -> None:
    """Register `METHOD path` calling `run(viewer, path_values, body_values)`.

    `name` becomes the URL name and the end of the operation id (`<module>_<name>`), as for
    operations written as functions. `partial` passes only the body fields that were sent.
    """

    model = response[status]
    # A plain pydantic model (not ninja's Schema, which reads attributes through resolvers) is
    # validated and written in one pass by pydantic-core, not dumped to dicts for json.dumps.
    direct = (
        isinstance(model, type) and issubclass(model, BaseModel) and not issubclass(model, Schema)
    )

    def operation(request: HttpRequest, **kwargs: Any) -> Status[Any] | HttpResponse:
        payload = kwargs.pop("payload", None)
        data = payload.model_dump(exclude_unset=partial) if payload is not None else {}
        result = run(viewer(request), kwargs, data)
        if direct:
            return model_response(model, result, status)
        return Status(status, result)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Any)
    ]
    parameters += [
        inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=int)
        for p in _PATH_PARAM.findall(path)
    ]
    if body is not None:
        parameters.append(
            inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=body)
        )
    operation.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    operation.__name__ = name
    operation.__module__ = module
    router.add_api_operation(
        path,
        [method],
        operation,
        response=response,
        summary=summary,
        description=description,
        operation_id=f"{module.replace('.', '_')}_{name}",
        url_name=name,
    )
