"""The carers' web app as it runs on the hub: a real uvicorn on a free port, in front of a
real SQLite database filled by `hearth replay` of Ordonez home A, with the real alert
service (started on the server's own event loop) behind the acknowledge and mode forms.

Accounts are made with the accounts library, one per role. The app's
clock is a ManualClock at a Friday evening inside the recorded fortnight, so "today"
is a day of real data.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from hub.accounts.roles import Role
from hub.accounts.store import AccountStore
from hub.alerts.model import Condition, Severity
from hub.alerts.service import AlertService
from hub.clock import ManualClock
from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.store.database import open_database
from hub.web.app import create_app
from hub.web.server import WebServer

REPO = Path(__file__).resolve().parents[2]
ORDONEZ_A = REPO / "hub" / "datasets" / "data" / "ordonez" / "OrdonezA_Sensors.txt"
ZONE = ZoneInfo("Europe/Madrid")
# Friday 9 December 2011, 19:00 in Madrid: a day of Ordonez A's data, well under way.
NOW = datetime(2011, 12, 9, 19, 0, tzinfo=ZONE).astimezone(UTC)
PASSWORD = "correct horse battery"
# One account per role; the names say the role.
ACCOUNTS = {
    "fiona": "family",
    "paula": "paid_carer",
    "cora": "coordinator",
    "adam": "admin",
}


def hearth(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `hearth` command, as a process."""
    return subprocess.run(
        [sys.executable, "-m", "hub", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Home:
    """A replayed home on disk: its config file, config and database."""

    config_path: Path
    config: HearthConfig
    db: Path
    password_file: Path


def make_home(
    folder: Path,
    *,
    replayed_from: Home | None = None,
    tls: tuple[Path, Path] | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Home:
    """Config = config/ordonez-a.yaml with the database and web server here, replayed.

    `replayed_from`: copy that home's database (SQLite's backup API) instead of
    replaying again. Accounts are added with the library `hearth user add` calls
    (the command itself is tested in test_web_access.py).
    """
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = yaml.safe_load((REPO / "config" / "ordonez-a.yaml").read_text())
    db = folder / "hearth.db"
    data["storage"] = {"path": str(db)}
    data["web"] = {"host": "127.0.0.1", "port": free_port()}
    if tls is not None:
        data["web"] |= {"tls_cert_file": str(tls[0]), "tls_key_file": str(tls[1])}
    data.setdefault("alerts", {})["home_label"] = "Mum's house"
    if edit is not None:
        edit(data)
    config_path = folder / "home.yaml"
    config_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    password_file = folder / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    if replayed_from is not None:
        with (
            closing(sqlite3.connect(replayed_from.db)) as source,
            closing(sqlite3.connect(db)) as target,
        ):
            source.backup(target)
    else:
        replayed = hearth("replay", "--config", config_path, "--db", db, ORDONEZ_A)
        assert replayed.returncode == 0, replayed.stderr
        conn = open_database(db).conn
        try:
            store = AccountStore(conn)
            for name, role in ACCOUNTS.items():
                store.add(name, Role(role), PASSWORD, datetime.now(UTC))
        finally:
            conn.close()
    return Home(config_path, load_config(config_path), db, password_file)


@dataclass
class RunningHub:
    """The web server and the alert service on one event loop, in a thread of their own."""

    home: Home
    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    port: int = 0
    conditions: list[Condition] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.alerts = AlertService(
            self.home.config, self.clock, lambda recipient, index: None, db_path=self.home.db
        )
        self.app = create_app(
            self.home.config,
            self.alerts,
            lambda: self.alerts.link_key,
            self.clock.now,
            db_path=self.home.db,
            cache_s=0.0,  # tests change the data between requests
        )
        self.server = WebServer(self.app, self.home.config.web)
        self.call(self._start()).result(30)
        self.port = self.server.port
        scheme = "https" if self.home.config.web.tls_cert_file else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        await self.alerts.start()
        self.server.start()

    def call(self, work: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    def raise_alert(self, subject: str, severity: Severity = Severity.URGENT) -> int:
        """A condition the rules might report; the real alert service raises its alert."""
        condition = Condition(
            "no_movement", subject, severity, self.clock.now(), f"No movement in the {subject}."
        )
        self.conditions.append(condition)

        async def step() -> int:
            self.alerts.conditions(self.clock.now(), list(self.conditions))
            for _ in range(200):
                await asyncio.sleep(0.02)
                found = [a for a in self.alerts.covering if a.key == condition.key]
                if found:
                    return found[0].id
            raise AssertionError(f"the alert service raised no alert for {condition.key}")

        alert_id: int = self.call(step()).result(10)
        return alert_id

    def clear_alert(self, alert_id: int) -> None:
        """The condition of an alert goes away; the alert service resolves it."""
        alert = self.call(self.alerts.alert(alert_id)).result(10)
        self.conditions = [c for c in self.conditions if c.key != alert.key]

        async def step() -> None:
            self.alerts.conditions(self.clock.now(), list(self.conditions))
            for _ in range(200):
                await asyncio.sleep(0.02)
                if all(a.id != alert_id for a in self.alerts.covering):
                    return
            raise AssertionError(f"alert {alert_id} was not resolved")

        self.call(step()).result(10)

    def stop(self) -> None:
        async def stopping() -> None:
            await self.server.stop()
            await self.alerts.stop()

        self.call(stopping()).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return make_home(tmp_path_factory.mktemp("web-home"))


@pytest.fixture(scope="session")
def hub(home: Home) -> Iterator[RunningHub]:
    running = RunningHub(home)
    yield running
    running.stop()


LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def log_in(url: str, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client with a session, after going through the real login form."""
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    answer = post_login(client, name, password)
    assert answer.status_code == 303, answer.text
    return client


def post_login(client: httpx.Client, name: str, password: str) -> httpx.Response:
    form = client.get("/login")
    found = LOGIN_TOKEN.search(form.text)
    assert found is not None, form.text
    return client.post("/login", data={"name": name, "password": password, "login_token": found[1]})


def csrf_of(client: httpx.Client, page: str = "/today") -> str:
    html = client.get(page).text
    found = CSRF.search(html)
    assert found is not None, html
    return found[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored); printed so a CI log says where to look."""
    folder = REPO / "test-artifacts" / "web"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"\nweb test artefacts (screenshots) in {folder}")
    return folder
