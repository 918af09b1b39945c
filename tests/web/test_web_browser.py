"""The carers' app in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): logging in as each role, reading today, acknowledging an alert, the weekly
summary and its PDF, a keyboard-only login, and axe-core on every page with no serious
or critical violation. Screenshots go to test-artifacts/web/ (printed at the start).

axe-core comes from the axe-playwright-python package (its bundled axe.min.js), so the
tests need no network. A missing Chromium fails the tests with what to do, never skips.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pypdf
import pytest

from hub.alerts.model import AlertState
from tests.web.conftest import PASSWORD, RunningHub

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}  # the app is made for a carer's phone first
PAGES = ["/today", "/alerts", "/meds", "/sensors", "/modes", "/weekly",
         "/weekly/2011-12-05", "/accounts"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"{CHROMIUM} is missing: run ./setup.sh test (it installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"Playwright is not installed ({exc}): run ./setup.sh test")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    return Axe()


def serious_violations(axe: Any, page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, one readable line each."""
    found = axe.run(page).response["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def logged_in_page(browser: Any, hub: RunningHub, name: str, target: str = "/today") -> Any:
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(hub.url + target)
    assert "/login" in page.url  # the app sent us to log in first
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{hub.url}{target}")
    return page


@pytest.mark.parametrize("name", ["fiona", "paula", "cora", "adam"])
def test_each_role_logs_in_and_reads_today(
    browser: Any, axe: Any, hub: RunningHub, artifacts: Path, name: str
) -> None:
    page = logged_in_page(browser, hub, name)
    try:
        assert page.get_by_role("heading", level=1).inner_text() == "Today, Friday 09 December"
        facts = page.locator("dl.facts").inner_text()
        assert "Got up" in facts
        assert "Last movement" in facts
        assert f"Logged in as {name}" in page.locator("header").inner_text()
        page.screenshot(path=artifacts / f"today-{name}.png", full_page=True)
        assert serious_violations(axe, page) == []
    finally:
        page.context.close()


def test_every_page_passes_axe_for_admin_and_the_refusal_page(
    browser: Any, axe: Any, hub: RunningHub, artifacts: Path
) -> None:
    page = logged_in_page(browser, hub, "adam")
    problems: list[str] = []
    try:
        for path in PAGES:
            answer = page.goto(hub.url + path)
            assert answer is not None
            assert answer.status == 200, path
            page.screenshot(path=artifacts / f"admin{path.replace('/', '-')}.png", full_page=True)
            problems += serious_violations(axe, page)
    finally:
        page.context.close()
    family = logged_in_page(browser, hub, "fiona")
    try:
        answer = family.goto(hub.url + "/modes")
        assert answer is not None
        assert answer.status == 403
        family.screenshot(path=artifacts / "family-refused.png")
        problems += serious_violations(axe, family)
        family.get_by_role("button", name="Log out").click()
        family.wait_for_url(f"{hub.url}/login")
        problems += serious_violations(axe, family)
    finally:
        family.context.close()
    assert problems == []


def test_acknowledging_an_alert_with_one_tap(
    browser: Any, hub: RunningHub, artifacts: Path
) -> None:
    alert_id = hub.raise_alert("browser-kitchen")
    page = logged_in_page(browser, hub, "paula")
    try:
        page.get_by_role("button", name=f"I am taking this on (alert #{alert_id})").click()
        page.wait_for_url(f"{hub.url}/today?done={alert_id}")
        assert page.get_by_role("status").inner_text() == f"You have taken on alert #{alert_id}."
        page.screenshot(path=artifacts / "acknowledged.png", full_page=True)
    finally:
        page.context.close()
    alert = hub.call(hub.alerts.alert(alert_id)).result(10)
    assert alert.state is AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == "paula"
    hub.clear_alert(alert_id)


def test_coordinator_opens_the_weekly_summary_and_downloads_the_pdf(
    browser: Any, hub: RunningHub, artifacts: Path
) -> None:
    page = logged_in_page(browser, hub, "cora")
    try:
        page.get_by_role("link", name="Weekly summary").click()
        page.get_by_role("link", name="Week of Monday 05 December 2011").click()
        page.wait_for_url(f"{hub.url}/weekly/2011-12-05")
        assert page.locator("main svg").count() >= 1  # the charts are there
        page.screenshot(path=artifacts / "weekly-2011-12-05.png", full_page=True)
        with page.expect_download() as waiting:
            page.get_by_role("link", name="Download this week as a PDF").click()
        download = waiting.value
        assert download.suggested_filename == "hearth-week-2011-12-05.pdf"
        saved = artifacts / download.suggested_filename
        download.save_as(saved)
    finally:
        page.context.close()
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    with closing(io.BytesIO(data)) as stream:
        reader = pypdf.PdfReader(stream)
        assert len(reader.pages) >= 1
        assert "2011" in reader.pages[0].extract_text()


def test_login_with_the_keyboard_alone(browser: Any, hub: RunningHub, artifacts: Path) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(hub.url + "/login")
        focused = []
        for _ in range(4):
            page.keyboard.press("Tab")
            focused.append(page.evaluate(
                "() => { const e = document.activeElement;"
                " return [e.tagName, e.id || e.textContent.trim(),"
                " getComputedStyle(e).outlineStyle]; }"
            ))  # fmt: skip
        order = [(tag, label) for tag, label, _ in focused]
        assert order == [
            ("A", "Skip to the content"),
            ("INPUT", "name"),
            ("INPUT", "password"),
            ("BUTTON", "Log in"),
        ]
        # Every stop shows where the focus is.
        assert all(outline != "none" for _, _, outline in focused)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")  # back to the name field
        page.keyboard.type("fiona")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{hub.url}/today")
        page.screenshot(path=artifacts / "keyboard-login.png")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Today")
    finally:
        context.close()
