from __future__ import annotations

import logging

import pytest
from django.db import connection

from readmit.core.tasks import verify_audit_chain

pytestmark = pytest.mark.django_db


def test_the_periodic_chain_check_passes_and_logs_a_broken_chain(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert verify_audit_chain.call() is True
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    with caplog.at_level(logging.ERROR):
        assert verify_audit_chain.call() is False
    assert "Entry #2 is missing" in caplog.text
