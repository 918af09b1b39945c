"""Who gets in where: logging in and out, every route without a login, every role on every
page and form, CSRF, cookies, API tokens, and the OpenAPI description of every API route.

All against the real server (tests/web/conftest.py). The expected role table below is
written out by hand, not read from hub/accounts/roles.py, so a change there that
nobody meant shows up here.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta

import httpx
import pytest
from starlette.routing import Route

from hub.accounts.throttle import FIRST_WAIT, FREE_FAILURES
from hub.alerts.model import AlertState
from hub.alerts.store import AlertStore
from hub.store.database import open_database
from tests.certificates import self_signed
from tests.web.conftest import (
    ACCOUNTS,
    PASSWORD,
    REPO,
    RunningHub,
    csrf_of,
    hearth,
    log_in,
    make_home,
    post_login,
)

PUBLIC = {"/login", "/static/hearth.css", "/ack/{token}"}
SAMPLE_PARAMS = {"{alert_id}": "1", "{monday}": "2011-12-05", "{token}": "not-a-token"}

# What each role gets on each GET page: 200 shown, 403 refused.
PAGES = {
    "/today": {"family": 200, "paid_carer": 200, "coordinator": 200, "admin": 200},
    "/alerts": {"family": 200, "paid_carer": 200, "coordinator": 200, "admin": 200},
    "/meds": {"family": 200, "paid_carer": 200, "coordinator": 200, "admin": 200},
    "/sensors": {"family": 200, "paid_carer": 200, "coordinator": 200, "admin": 200},
    "/weekly": {"family": 403, "paid_carer": 403, "coordinator": 200, "admin": 200},
    "/weekly/2011-12-05": {"family": 403, "paid_carer": 403, "coordinator": 200, "admin": 200},
    "/weekly/2011-12-05/pdf": {
        "family": 403, "paid_carer": 403, "coordinator": 200, "admin": 200,
    },
    "/modes": {"family": 403, "paid_carer": 403, "coordinator": 403, "admin": 200},
    "/accounts": {"family": 403, "paid_carer": 403, "coordinator": 403, "admin": 200},
}  # fmt: skip
API = ["/api/today", "/api/alerts", "/api/meds", "/api/sensors", "/api/weekly",
       "/api/weekly/2011-12-05", "/api/openapi.json"]  # fmt: skip
API_ROLES = {"family": 403, "paid_carer": 403, "coordinator": 200, "admin": 200}
ACK_ROLES = {"family": 303, "paid_carer": 303, "coordinator": 303, "admin": 303}
MODE_ROLES = {"family": 403, "paid_carer": 403, "coordinator": 403, "admin": 303}


def concrete(path: str) -> str:
    for name, value in SAMPLE_PARAMS.items():
        path = path.replace(name, value)
    return path


def routes(hub: RunningHub) -> list[tuple[str, str]]:
    """(method, path template) of every route the app has."""
    found = []
    for route in hub.app.routes:
        assert isinstance(route, Route), f"{route!r} is not a plain route: check it by hand"
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, route.path))
    return found


def name_of(role: str) -> str:
    return next(name for name, r in ACCOUNTS.items() if r == role)


# --- without logging in -------------------------------------------------------------


def test_every_route_needs_a_login_except_the_public_ones(hub: RunningHub) -> None:
    seen = routes(hub)
    assert len(seen) >= 20  # pages, forms, API, login, ack: the walk found the app's routes
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as anonymous:
        for method, template in seen:
            path = concrete(template)
            answer = anonymous.request(method, path)
            where = f"{method} {path}"
            if template in PUBLIC:
                assert answer.status_code in (200, 400), where  # a bad ack token is 400
            elif template.startswith("/api/"):
                assert answer.status_code == 401, where
                assert "error" in answer.json(), where
                assert answer.headers["www-authenticate"].startswith("Bearer"), where
            else:
                assert answer.status_code == 303, where
                assert answer.headers["location"].startswith("/login?next="), where


def test_the_login_redirect_comes_back_to_the_page_asked_for(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        first = client.get("/sensors")
        assert first.headers["location"] == "/login?next=/sensors"
        form = client.get(first.headers["location"]).text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        next_field = re.search(r'name="next" value="([^"]+)"', form)
        assert token is not None
        assert next_field is not None
        assert next_field[1] == "/sensors"
        answer = client.post("/login", data={
            "name": "fiona", "password": PASSWORD, "login_token": token[1],
            "next": next_field[1]})  # fmt: skip
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sensors"


def test_login_never_redirects_to_another_site(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        form = client.get("/login", params={"next": "//evil.example/x"}).text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        assert token is not None
        answer = client.post("/login", data={
            "name": "fiona", "password": PASSWORD, "login_token": token[1],
            "next": "https://evil.example/"})  # fmt: skip
        assert answer.headers["location"] == "/today"


# --- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(set(ACCOUNTS.values())))
def test_each_role_sees_exactly_its_pages_and_api(hub: RunningHub, role: str) -> None:
    with closing(log_in(hub.url, name_of(role))) as client:
        for page, expected in PAGES.items():
            answer = client.get(page)
            assert answer.status_code == expected[role], f"{role} GET {page}"
            if expected[role] == 403:
                assert "cannot use this page" in answer.text
        for path in API:
            answer = client.get(path)
            assert answer.status_code == API_ROLES[role], f"{role} GET {path}"
            assert answer.headers["content-type"].startswith("application/json")
        menu = set(re.findall(r'<li><a href="(/[a-z]+)"', client.get("/today").text))
        shown = {page for page, expected in PAGES.items() if expected[role] == 200}
        assert menu == {page for page in shown if page.count("/") == 1}


@pytest.mark.parametrize("role", sorted(set(ACCOUNTS.values())))
def test_each_role_may_post_only_its_forms(hub: RunningHub, role: str) -> None:
    alert_id = hub.raise_alert(f"room-for-{role}")
    with closing(log_in(hub.url, name_of(role))) as client:
        csrf = csrf_of(client)
        acked = client.post(f"/alerts/{alert_id}/ack", data={"csrf": csrf})
        assert acked.status_code == ACK_ROLES[role], f"{role} acknowledging"
        moded = client.post("/modes", data={"csrf": csrf, "mode": "home"})
        assert moded.status_code == MODE_ROLES[role], f"{role} setting the mode"
    alert = hub.call(hub.alerts.alert(alert_id)).result(10)
    assert alert.state is AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == name_of(role)


def test_a_post_without_the_sessions_csrf_token_changes_nothing(hub: RunningHub) -> None:
    alert_id = hub.raise_alert("hall-csrf")
    with closing(log_in(hub.url, "fiona")) as client:
        missing = client.post(f"/alerts/{alert_id}/ack", data={})
        wrong = client.post(f"/alerts/{alert_id}/ack", data={"csrf": "x" * 43})
        with closing(log_in(hub.url, "paula")) as other:
            foreign = client.post(f"/alerts/{alert_id}/ack", data={"csrf": csrf_of(other)})
    for answer in (missing, wrong, foreign):
        assert answer.status_code == 403
        assert "did not come from Hearth" in answer.text
    alert = hub.call(hub.alerts.alert(alert_id)).result(10)
    assert alert.state is AlertState.OPEN


def test_the_login_form_needs_its_own_token_and_cookie(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        no_token = client.post("/login", data={"name": "fiona", "password": PASSWORD})
        assert no_token.status_code == 400
        assert "expired" in no_token.text
        token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
        assert token is not None
    # A token from the page but without the cookie that came with it (a forged form).
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as stranger:
        forged = stranger.post("/login", data={
            "name": "fiona", "password": PASSWORD, "login_token": token[1]})  # fmt: skip
        assert forged.status_code == 400


# --- sessions and cookies --------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_strict(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        answer = post_login(client, "fiona", PASSWORD)
        cookie = answer.headers["set-cookie"]
        session = next(c for c in answer.headers.get_list("set-cookie") if "hearth_session" in c)
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert "Secure" not in session  # served over plain HTTP here
    assert cookie


def test_session_cookie_is_secure_when_the_hub_serves_https(hub: RunningHub, tmp_path) -> None:
    cert, key = self_signed(tmp_path, host="127.0.0.1")
    running = RunningHub(make_home(tmp_path / "home", replayed_from=hub.home, tls=(cert, key)))
    try:
        assert running.url.startswith("https://")
        with httpx.Client(
            base_url=running.url,
            follow_redirects=False,
            timeout=30,
            verify=False,  # noqa: S501 (our own self-signed test certificate)
        ) as client:
            answer = post_login(client, "fiona", PASSWORD)
            assert answer.status_code == 303
            cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("hearth_session="))
        assert "Secure" in session
        assert "HttpOnly" in session
    finally:
        running.stop()


def test_logout_ends_the_session_on_the_server(hub: RunningHub) -> None:
    client = log_in(hub.url, "fiona")
    stolen = client.cookies["hearth_session"]
    out = client.post("/logout", data={"csrf": csrf_of(client)})
    assert out.status_code == 303
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as thief:
        thief.cookies.set("hearth_session", stolen)
        assert thief.get("/today").status_code == 303
    client.close()


def test_wrong_password_and_unknown_name_get_the_same_answer(hub: RunningHub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        wrong = post_login(client, "cora", "not the password")
        unknown = post_login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong name or password." in wrong.text
    assert "Wrong name or password." in unknown.text


def test_failed_logins_are_slowed_per_account_and_per_address(hub: RunningHub, tmp_path) -> None:
    # A hub of its own: the throttle counts this client's address too.
    running = RunningHub(make_home(tmp_path / "home", replayed_from=hub.home))
    try:
        with httpx.Client(base_url=running.url, follow_redirects=False, timeout=30) as client:
            for attempt in range(FREE_FAILURES - 1):
                answer = post_login(client, "cora", f"guess {attempt}")
                assert answer.status_code == 401
                assert "wait" not in answer.text
            last = post_login(client, "cora", "guess again")
            assert last.status_code == 401
            assert "Too many failed attempts" in last.text
            # Now even the right password is not checked until the wait is over...
            refused = post_login(client, "cora", PASSWORD)
            assert refused.status_code == 429
            assert re.search(r"Please wait \d+ seconds", refused.text)
            # ... and the address is slowed too: another account from here waits as well.
            assert post_login(client, "adam", PASSWORD).status_code == 429
            # Time passes on the app's clock; the throttle reads the same clock.
            running.clock.advance_to(running.clock.now() + FIRST_WAIT + timedelta(seconds=1))
            assert post_login(client, "cora", PASSWORD).status_code == 303
    finally:
        running.stop()


# --- API tokens and the description ------------------------------------------------


def test_api_token_from_the_cli_opens_the_api_and_only_the_api(hub: RunningHub) -> None:
    made = hearth("user", "--config", hub.home.config_path, "token", "cora")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("hearth_")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as client:
        assert client.get("/api/alerts", headers=headers).status_code == 200
        # A token is not a session: the pages still want a login.
        assert client.get("/today", headers=headers).status_code == 303
        bad = client.get("/api/alerts", headers={"Authorization": "Bearer hearth_wrong"})
        assert bad.status_code == 401
    refused = hearth("user", "--config", hub.home.config_path, "token", "fiona")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "hearth: fiona is family: only coordinator and admin accounts use the API"
    )
    revoked = hearth("user", "--config", hub.home.config_path, "token", "cora", "--revoke")
    assert revoked.returncode == 0
    with httpx.Client(base_url=hub.url, timeout=30) as client:
        assert client.get("/api/alerts", headers=headers).status_code == 401


def test_openapi_describes_every_api_route_and_nothing_else(hub: RunningHub) -> None:
    with closing(log_in(hub.url, "cora")) as client:
        document = client.get("/api/openapi.json").json()
    described = set(document["paths"])
    api_routes = {path for method, path in routes(hub) if path.startswith("/api/")}
    assert described == api_routes
    assert document["openapi"].startswith("3.")
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path
        assert operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name for p in operations["get"]["parameters"]), path
    json.dumps(document)  # plain JSON all through


# --- hearth user ----------------------------------------------------------------------


def test_user_cli_reports_bad_input_in_one_line(hub: RunningHub, tmp_path) -> None:
    config = hub.home.config_path
    short = tmp_path / "short.txt"
    short.write_text("short\n")
    cases = {
        ("add", "fiona", "--role", "family", "--password-file", hub.home.password_file):
            "hearth: there is already an account 'fiona'",
        ("add", "newbie", "--role", "family", "--password-file", short):
            "hearth: the password must be at least 10 characters long",
        ("add", "Bad Name", "--role", "family", "--password-file", hub.home.password_file):
            "hearth: account name 'Bad Name': use 1 to 32 lower-case letters, digits, '.', "
            "'_' or '-', starting with a letter or digit",
        ("remove", "nobody"): "hearth: there is no account 'nobody'",
        ("passwd", "nobody", "--password-file", hub.home.password_file):
            "hearth: there is no account 'nobody'",
        ("add", "newbie", "--role", "family", "--password-file", tmp_path / "missing.txt"):
            f"hearth: --password-file {tmp_path / 'missing.txt'}: cannot read it "
            f"([Errno 2] No such file or directory: '{tmp_path / 'missing.txt'}')",
    }  # fmt: skip
    for args, line in cases.items():
        result = hearth("user", "--config", config, *args)
        assert result.returncode != 0, args
        assert result.stderr.strip() == line, args
    listed = hearth("user", "--config", config, "list")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == sorted(ACCOUNTS)


def answer_prompts(args: list[str], answers: list[str], timeout: float = 180) -> tuple[int, str]:
    """Run `hearth ARGS` on a real terminal (a pty) and type each answer at each prompt."""
    main, child = pty.openpty()
    # util-linux setsid: a new session whose controlling terminal is the pty (stdin), so
    # the password prompt reads from a real terminal with echo off.
    process = subprocess.Popen(
        ["setsid", "--ctty", "--wait", sys.executable, "-m", "hub", *args],
        stdin=child, stdout=child, stderr=child, cwd=REPO, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: nothing holds the terminal any more
            continue
        seen += chunk
        # click writes "Password:", then getpass flushes the terminal's input and writes
        # " ": only after that space is an answer sure to be read, not thrown away.
        if pending and seen.endswith(b": "):
            os.write(main, pending.pop(0).encode() + b"\n")
    try:
        while select.select([main], [], [], 0.2)[0]:  # what it printed last
            seen += os.read(main, 4096)
    except OSError:
        pass  # EIO once the process and its terminal are gone
    code = process.wait(10)  # still running after `timeout`: this fails the test, loudly
    os.close(main)
    return code, seen.decode(errors="replace")


def test_user_add_asks_for_the_password_twice_on_a_terminal(hub: RunningHub) -> None:
    args = ["user", "--config", str(hub.home.config_path), "add", "tina", "--role", "paid_carer"]
    code, shown = answer_prompts(args, ["typed at the prompt", "typed at the prompt"])
    assert code == 0, shown
    assert "Password:" in shown
    assert "Repeat for confirmation:" in shown
    assert "typed at the prompt" not in shown  # not echoed
    assert "account tina added (paid_carer)" in shown
    with closing(log_in(hub.url, "tina", "typed at the prompt")) as client:
        assert client.get("/today").status_code == 200
    removed = hearth("user", "--config", hub.home.config_path, "remove", "tina")
    assert removed.returncode == 0, removed.stderr


def test_password_change_and_removal_end_the_sessions(hub: RunningHub, tmp_path) -> None:
    config = hub.home.config_path
    added = hearth("user", "--config", config, "add", "temp", "--role", "family",
                   "--password-file", hub.home.password_file)  # fmt: skip
    assert added.returncode == 0, added.stderr
    client = log_in(hub.url, "temp")
    new_password = tmp_path / "new.txt"
    new_password.write_text("a brand new passphrase\n")
    changed = hearth("user", "--config", config, "passwd", "temp",
                     "--password-file", new_password)  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert client.get("/today").status_code == 303
    with httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30) as fresh:
        assert post_login(fresh, "temp", PASSWORD).status_code == 401
    client = log_in(hub.url, "temp", "a brand new passphrase")
    assert client.get("/today").status_code == 200
    removed = hearth("user", "--config", config, "remove", "temp")
    assert removed.returncode == 0, removed.stderr
    assert client.get("/today").status_code == 303
    client.close()
    conn = open_database(hub.home.db).conn
    try:
        assert (
            AlertStore(conn)
            .conn.execute("SELECT count(*) FROM web_sessions WHERE account = 'temp'")
            .fetchone()[0]
            == 0
        )
    finally:
        conn.close()
