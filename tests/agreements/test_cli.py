"""`readmit calendar add`, `readmit deadlines` and `readmit agreements`: one JSON object on
stdout, or one plain sentence on stderr and a non-zero exit."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readmit.agreements.registry_io import registry_export
from readmit.agreements.services import REGISTRY_FILE


def run(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_calendar_add_example_of_the_issue() -> None:
    assert run("calendar", "add", "--country", "RS", "--from", "2026-01-02", "--days", "2",
               "--unit", "working") == {
        "country": "RS", "from": "2026-01-02", "days": 2, "unit": "working", "due": "2026-01-06",
    }  # fmt: skip


def test_calendar_add_rolls_forward_only_when_asked() -> None:
    base = ("calendar", "add", "--country", "de", "--from", "2026-03-04", "--days", "10",
            "--unit", "calendar")  # fmt: skip
    assert run(*base)["due"] == "2026-03-14"
    assert run(*base, "--roll-forward")["due"] == "2026-03-16"
    assert run(*base)["country"] == "DE"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "XX", "--from", "2026-01-02", "--days", "2", "--unit", "working"),
         "No working-day calendar is available for country 'XX'."),
        (("--country", "RS", "--from", "2026-02-30", "--days", "2", "--unit", "working"),
         "--from '2026-02-30' is not a date: write it as YYYY-MM-DD"),
        (("--country", "RS", "--from", "2026-01-02", "--days", "-2", "--unit", "working"),
         "The length of a period cannot be negative (got -2)."),
        (("--country", "RS", "--from", "2026-01-02", "--days", "two", "--unit", "working"),
         "--days 'two' is not a whole number."),
        (("--country", "RS", "--from", "2026-01-02", "--days", "2", "--unit", "weeks"),
         "--unit 'weeks' is not a unit: use working or calendar."),
        (("--country", "LK", "--from", "2026-12-30", "--days", "5", "--unit", "working"),
         "the holiday data covers 2003 to 2026"),
    ],
)  # fmt: skip
def test_calendar_add_refuses_bad_input(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("calendar", "add", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_deadlines_example_of_the_issue() -> None:
    result = run("deadlines", "--agreement", "EU-RS", "--received", "2026-03-02")
    assert result["agreement"] == "EU-RS"
    assert result["procedure"] == "normal"
    assert result["received"] == "2026-03-02"
    assert result["reply_due"] == "2026-03-12"
    assert result["reply_due_extended"] == "2026-03-18"
    assert result["tacit_acceptance"] is True
    assert result["transfer_due"] is None
    assert set(result["sources"]) >= {  # type: ignore[arg-type]
        "reply_due", "reply_due_extended", "tacit_acceptance", "transfer_due",
    }  # fmt: skip


@pytest.mark.django_db
def test_deadlines_with_acceptance_and_accelerated_procedure() -> None:
    result = run("deadlines", "--agreement", "eu-rs", "--received", "2026-03-02",
                 "--procedure", "accelerated", "--accepted", "2026-03-14")  # fmt: skip
    assert result["reply_due"] == "2026-03-04"
    assert result["transfer_due"] == "2026-06-15"
    ch_az = run("deadlines", "--agreement", "CH-AZ", "--received", "2026-03-02",
                "--acknowledged", "2026-03-10")  # fmt: skip
    assert ch_az["reply_due"] == "2026-04-06"
    assert ch_az["clock_start"]["reply_due"]["event"] == "acknowledgement"  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agreement", "EU-XX", "--received", "2026-03-02"), "No agreement has the code EU-XX."),
        (("--agreement", "EU-RS", "--received", "2026-3-2"), "--received '2026-3-2' is not a date"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--accepted", "soon"),
         "--accepted 'soon' is not a date"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--requested-state", "XX"),
         "Unknown requested state 'XX'"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--requested-state", "CH"),
         "Switzerland is not an EU Member State on 2026-03-02"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--requested-state", "DK"),
         "Denmark does not take part in EU-RS"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--requesting-state", "RS"),
         "give the requested Member State"),
        (("--agreement", "CH-AZ", "--received", "2026-03-02", "--requested-state", "DE"),
         "DE is not a party to CH-AZ"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--procedure", "fast"),
         "Unknown procedure 'fast'"),
        (("--agreement", "EU-RS", "--received", "2026-03-02", "--accepted", "2026-03-01"),
         "cannot come before the receipt"),
    ],
)  # fmt: skip
def test_deadlines_refuses_bad_input(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("deadlines", *args, stdout=io.StringIO())
    assert message in str(caught.value)


def test_errors_go_to_stderr_with_a_non_zero_exit_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "readmit.config.settings"}
    env.pop("READMIT_ENV", None)
    env["READMIT_VAR_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "readmit.cli", "calendar", "add", "--from", "2026-01-02",
               "--days", "2", "--unit", "working"]  # fmt: skip
    ok = subprocess.run(
        [*command, "--country", "RS"], capture_output=True, text=True, env=env, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["due"] == "2026-01-06"
    bad = subprocess.run(
        [*command, "--country", "XX"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert "No working-day calendar is available for country 'XX'." in bad.stderr
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.django_db
def test_agreements_export_and_import(tmp_path: Path) -> None:
    target = tmp_path / "registry.json"
    call_command("agreements", "export", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == registry_export()
    out = io.StringIO()
    call_command("agreements", "import", str(target), stdout=out)
    assert "0 agreements created, 0 updated, 28 unchanged." in out.getvalue()
    broken = tmp_path / "broken.json"
    broken.write_text(REGISTRY_FILE.read_text(encoding="utf-8").replace('"months"', '"moons"', 1))
    with pytest.raises(CommandError) as caught:
        call_command("agreements", "import", str(broken), stdout=io.StringIO())
    assert "Nothing was changed" in str(caught.value)
    assert "Unit 'moons' is not one of" in str(caught.value)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("agreements", "import", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_agreements_select() -> None:
    result = run("agreements", "select", "--requesting", "CH", "--requested", "AZ",
                 "--category", "own_nationals", "--on", "2026-03-02")  # fmt: skip
    assert result["agreement"] == "CH-AZ"
    assert result["binding"] is True


@pytest.mark.django_db
def test_the_demo_loads_the_registry() -> None:
    out = io.StringIO()
    call_command("demo", "--quiet-logins", stdout=out)
    assert "Agreements registry: 0 agreements created, 0 updated, 28 unchanged." in out.getvalue()


@pytest.mark.django_db
def test_deadlines_names_the_option_to_give() -> None:
    """The service's message is neutral; the command adds its own option."""
    with pytest.raises(CommandError) as caught:
        call_command("deadlines", "--agreement", "EU-AZ", "--received", "2024-01-10",
                     "--requesting-state", "AZ", stdout=io.StringIO())  # fmt: skip
    assert str(caught.value) == (
        "AZ is the requesting state: give the requested Member State, whose calendar counts. "
        "(--requested-state: Required when the partner requests.)"
    )
    with pytest.raises(CommandError) as unknown:
        call_command("deadlines", "--agreement", "EU-RS", "--received", "2026-03-02",
                     "--requested-state", "XX", stdout=io.StringIO())  # fmt: skip
    assert str(unknown.value).endswith("(--requested-state: Unknown state.)")
