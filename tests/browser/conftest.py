"""Browser tests: the system Chromium, driven by Playwright, against a live Readmit server.

Every page a journey reaches is checked with axe-core (from the npm registry, `npm ci`) for
serious or critical accessibility violations, and for Content-Security-Policy violations in
the browser console. A page that loaded but was never checked fails the test, so a journey
cannot skip its checks by accident.

Playwright's sync API keeps an asyncio event loop running in the test's thread while it is
started, and Django refuses ORM calls from a thread with a running loop. The `journey`
fixture therefore starts Playwright per test, after the database fixtures, stops it before
the live server and the database are torn down, and allows async-unsafe calls only for the
duration of the test (monkeypatch, undone afterwards: nothing leaks into other tests or their
subprocesses).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from readmit.demo.world import DEMO_PASSWORD
from readmit.readmission.models import Application
from tests.readmission import conftest as readmission_fixtures
from tests.readmission.conftest import World

REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM = os.environ.get("READMIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
]
# The German return case of the readmission tests (the Mammadov family), shared here.
world = readmission_fixtures.world
draft = readmission_fixtures.draft

BLOCKING_IMPACTS = {"serious", "critical"}
CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to (load|execute|apply)", re.I)


def _require_tools() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(
            f"Chromium is not at {CHROMIUM}: install Debian's package (apt-get install chromium)"
            " or set READMIT_CHROMIUM; `.ci/run` installs it."
        )
    if not AXE_SCRIPT.exists():
        missing.append(f"axe-core is not at {AXE_SCRIPT}: run `npm ci` (or `make install`).")
    if missing:
        pytest.fail("\n".join(missing), pytrace=False)


@dataclass
class PageCheck:
    step: str
    url: str
    violations: list[dict[str, Any]]


@dataclass
class Journey:
    """The personas' browser sessions on one live server, with a check after every page."""

    browser: Browser
    base_url: str
    screenshots: Path | None = None
    checks: list[PageCheck] = field(default_factory=list)
    unchecked: dict[int, str] = field(default_factory=dict)  # id(page) -> URL loaded last
    console_errors: list[str] = field(default_factory=list)
    _sessions: dict[str, Page] = field(default_factory=dict)
    _contexts: list[BrowserContext] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def new_page(self) -> Page:
        context = self.browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        # axe-core in every document, added by the browser itself: the page's strict CSP
        # would refuse it as a <script> tag, and the application stays unchanged.
        context.add_init_script(path=AXE_SCRIPT)
        self._contexts.append(context)
        page = context.new_page()
        page.on("load", lambda p: self.unchecked.__setitem__(id(p), p.url))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(f"{page.url}: {message.text}")
                if CSP_VIOLATION.search(message.text)
                else None
            ),
        )
        return page

    def as_user(self, username: str) -> Page:
        """The persona's browser session, signed in through the sign-in page the first time."""
        if username not in self._sessions:
            page = self.new_page()
            page.goto(self.url("/accounts/login/"))
            self.check(page, "sign-in")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
            self._sessions[username] = page
        return self._sessions[username]

    def check(self, page: Page, step: str) -> None:
        """Run axe-core on the page as it is now, and keep a full-page screenshot if wanted."""
        page.wait_for_load_state("load")
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(' '), html: n.html.slice(0, 160),
                        summary: n.failureSummary || ''}))}));
            }"""
        )
        self.checks.append(PageCheck(step=step, url=page.url, violations=result))
        self.unchecked.pop(id(page), None)
        if self.screenshots is not None:
            number = len(self.checks)
            name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
            page.screenshot(path=self.screenshots / f"{number:02d}-{name}.png", full_page=True)

    def assert_pages_are_accessible(self) -> None:
        """Every loaded page was checked; no serious or critical axe violation; no CSP error."""
        assert not self.unchecked, (
            f"pages loaded but never checked: {list(self.unchecked.values())}"
        )
        problems = []
        for check in self.checks:
            for violation in check.violations:
                if violation["impact"] not in BLOCKING_IMPACTS:
                    continue
                nodes = "\n".join(
                    f"      at {n['target']}: {n['html']}\n        {' '.join(n['summary'].split())}"
                    for n in violation["nodes"][:4]
                )
                more = len(violation["nodes"]) - 4
                problems.append(
                    f"- {check.step} ({check.url}): {violation['id']} [{violation['impact']}]"
                    f" {violation['help']} ({violation['helpUrl']})\n{nodes}"
                    + (f"\n      … and {more} more" if more > 0 else "")
                )
        assert not problems, (
            f"axe-core found {len(problems)} serious or critical violations:\n"
            + "\n".join(problems)
        )
        assert not self.console_errors, "CSP violations:\n" + "\n".join(self.console_errors)

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def journey(
    live_server: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Journey]:
    _require_tools()
    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        journey = Journey(browser=browser, base_url=live_server.url)
        try:
            yield journey
        finally:
            journey.close()
            browser.close()


@pytest.fixture
def screenshots() -> Generator[Path, None, None]:
    """var/screenshots/, emptied of an earlier run's pictures."""
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    yield SCREENSHOTS


def select_option_starting(select: Any, prefix: str) -> None:
    """Choose the option whose visible text starts with the prefix (long catalogue labels)."""
    options = select.locator("option").all_inner_texts()
    matching = [text for text in options if text.strip().startswith(prefix)]
    assert matching, f"no option starts with {prefix!r} in {options}"
    select.select_option(label=matching[0])


def open_section(page: Page, title: str) -> Any:
    """A collapsed form section (a <details> disclosure titled by its summary), opened."""
    summary = page.locator("summary").get_by_text(title, exact=True)
    section = page.locator("details").filter(has=summary)
    if not section.evaluate("e => e.open"):
        summary.click()
    return section


def timeline(page: Page) -> Any:
    """The application's or case's timeline: the region so named, else the list of events."""
    region = page.get_by_role("region", name="Timeline")
    if region.count():
        return region
    return page.locator("ol.timeline")


@pytest.fixture
def submitted(world: World, draft: Callable[..., Application]) -> Application:
    """The Mammadov family's application to Azerbaijan, submitted (built through the services)."""
    from readmit.readmission.services import application_submit

    application = draft(family=True)
    application_submit(actor=world.officer, application_id=application.pk)
    return application
