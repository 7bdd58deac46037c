"""API clients for the demo personas: a Django test client sending a fresh bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from readmit.accounts.models import User
from readmit.accounts.services import token_create


class ApiClient:
    """JSON in, JSON out, with `Authorization: Bearer …` on every call."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        return self.client.post(f"/api/v1{path}", data, headers={**self.headers, **headers})


@pytest.fixture
def api_as(persona: Callable[[str], User]) -> Callable[[str], ApiClient]:
    def make(username: str) -> ApiClient:
        issued = token_create(actor=None, user=persona(username), name="test", days=30)
        return ApiClient(issued.plaintext)

    return make
