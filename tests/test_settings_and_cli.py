"""Production refuses to start without a real secret, and passes Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

READMIT = [sys.executable, "-c", "from readmit.cli import main; main()"]


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"}
    }
    base.update(
        {"READMIT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    )
    base.update(env)
    return subprocess.run(
        [*READMIT, *args], env=base, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = _run(
        ["check"], {"READMIT_ENV": "production", "ALLOWED_HOSTS": "readmit.example.org"}, tmp_path
    )
    assert result.returncode == 2
    assert "refuses to start in production without a secret key" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_weak_secret(tmp_path: Path) -> None:
    env = {"READMIT_ENV": "production", "ALLOWED_HOSTS": "x.example.org", "SECRET_KEY": "changeme"}
    result = _run(["check"], env, tmp_path)
    assert result.returncode == 2
    assert "default or weak secret key" in result.stderr


def test_production_reads_the_secret_from_a_file_and_passes_the_deployment_checks(
    tmp_path: Path,
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(64))
    env = {"READMIT_ENV": "production", "ALLOWED_HOSTS": "readmit.example.org",
           "SECRET_KEY_FILE": str(secret_file)}  # fmt: skip
    result = _run(["check", "--deploy"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cannot_switch_two_factor_off(tmp_path: Path) -> None:
    env = {"READMIT_ENV": "production", "ALLOWED_HOSTS": "x.example.org",
           "SECRET_KEY": secrets.token_urlsafe(64), "READMIT_REQUIRE_2FA": "false"}  # fmt: skip
    result = _run(["check"], env, tmp_path)
    assert result.returncode == 2
    assert "Two-factor authentication cannot be switched off" in result.stderr


def test_production_uses_argon2_for_passwords(tmp_path: Path) -> None:
    env = {
        "READMIT_ENV": "production",
        "ALLOWED_HOSTS": "x.example.org",
        "SECRET_KEY": secrets.token_urlsafe(64),
    }
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = _run(["shell", "-c", code], env, tmp_path)
    assert (
        result.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_the_demo_is_never_loaded_in_production(tmp_path: Path) -> None:
    env = {
        "READMIT_ENV": "production",
        "ALLOWED_HOSTS": "x.example.org",
        "SECRET_KEY": secrets.token_urlsafe(64),
    }
    assert _run(["migrate", "-v0"], env, tmp_path).returncode == 0
    result = _run(["demo"], env, tmp_path)
    assert result.returncode != 0
    assert "never loaded in production" in result.stderr


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from readmit.audit.models import AuditEntry
    from readmit.audit.services import audit_verify

    call_command("demo")  # the first run in the test database adds the demo cases
    capsys.readouterr()
    before = AuditEntry.objects.count()
    call_command("demo")
    out = capsys.readouterr().out
    assert "0 states created, 0 corrected" in out
    assert "0 authorities and 0 users created" in out
    assert "Demo cases: 0 persons created" in out
    assert "de-officer" in out and "Readmit-demo-2026" in out
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok
