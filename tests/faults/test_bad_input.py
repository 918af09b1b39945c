"""Bad input to the real `hearth run`: 100,000 malformed and oversized payloads, and bad configs.

Payloads: a real Mosquitto and the hub process. A device sends 100,000
messages the hub cannot read (cut-short and non-UTF-8 JSON, the wrong JSON
type, values of the wrong type, numbers out of range, nesting 100,000 deep,
and a few hundred payloads of 256 KiB to 1 MiB), with a numbered good reading
after every 100 of them. The hub must stay up, store every good reading
exactly once and nothing from the bad ones, count every bad one in its
`malformed` table, and keep its log short (one line per topic per interval,
not one per message).

Configs: one file per kind of mistake an installer makes, each given to
`hearth run`, which must refuse it with a non-zero exit, no traceback, and
one line naming the file, the line and the key where that is known.

The counts are printed (run with -s).
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from hub.local_broker import HUB, LocalBroker
from tests.alerts.test_kill_alerts import KilledHub, query
from tests.faults.test_fault_suite import wait_until
from tests.ingest.helpers import Publisher, hub_config_data
from tests.ingest.test_shutdown_no_loss import status_is

BAD_MESSAGES = 100_000
GOOD_EVERY = 100  # a good reading after this many bad ones
OVERSIZED_EVERY = 400  # one bad message in this many is 256 KiB to 1 MiB

MOTION = "zigbee2mqtt/Bedroom Motion"
KETTLE = "zigbee2mqtt/Kettle Plug"
DOOR = "zigbee2mqtt/Front Door"
SEQUENCE = "test/sequence"


def _cut_short(rng: random.Random) -> tuple[str, bytes]:
    whole = b'{"occupancy": true, "battery": 91}'
    return MOTION, whole[: rng.randrange(1, len(whole) - 1)]


# The ways a device or a person at a keyboard gets a payload wrong.
_SMALL_BAD: list[Callable[[random.Random], tuple[str, bytes]]] = [
    _cut_short,
    lambda rng: (MOTION, bytes(rng.randrange(128, 256) for _ in range(rng.randrange(1, 40)))),
    lambda rng: (MOTION, rng.choice([b"[1, 2, 3]", b"42", b'"on"', b"null", b"true"])),
    lambda rng: (MOTION, b'{"occupancy": "maybe"}'),
    lambda rng: (DOOR, b'{"contact": "yes"}'),
    lambda rng: (KETTLE, b'{"power": 1' + b"0" * rng.randrange(310, 400) + b"}"),
    lambda rng: (KETTLE, b"[" * rng.randrange(2_000, 100_000)),
    lambda rng: (SEQUENCE, rng.choice([b"abc", b"", b"inf", b"-nan", b"1e999", b"12,5", b"\x00"])),
    lambda rng: (SEQUENCE, b"1" * rng.randrange(400, 4000)),  # too large to be a temperature
]


def small_bad(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice(_SMALL_BAD)(rng)


def oversized_bad(rng: random.Random) -> tuple[str, bytes]:
    size = rng.randrange(256 * 1024, 1024 * 1024)
    kind = rng.randrange(3)
    if kind == 0:
        return DOOR, rng.randbytes(size)
    if kind == 1:
        return KETTLE, b"[" * size
    return SEQUENCE, b"9" * size


def messages(rng: random.Random) -> tuple[list[tuple[str, bytes]], int]:
    """The stream: bad messages with a numbered good reading after every GOOD_EVERY."""
    stream: list[tuple[str, bytes]] = []
    good = 0
    for index in range(1, BAD_MESSAGES + 1):
        stream.append(oversized_bad(rng) if index % OVERSIZED_EVERY == 0 else small_bad(rng))
        if index % GOOD_EVERY == 0:
            stream.append((SEQUENCE, str(good).encode()))
            good += 1
    return stream, good


def test_100000_malformed_and_oversized_payloads_leave_the_hub_running_and_storing(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    data = hub_config_data(fresh_broker, tmp_path)
    data["ingest"] = {"malformed_log_interval_s": 60}
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    db = Path(data["storage"]["path"])
    log = tmp_path / "hub.log"
    stream, good = messages(random.Random(8))
    oversized = sum(1 for _, payload in stream if len(payload) >= 256 * 1024)
    hub = KilledHub(config_file, log)  # never killed here: one process takes it all
    devices = Publisher(fresh_broker, client_id="bad-devices")
    try:
        wait_until(lambda: status_is(fresh_broker, data, "online"), "hub online", log, 30)
        started = time.monotonic()
        for start in range(0, len(stream), 2000):
            devices.send_many(list(stream[start : start + 2000]))
            assert hub._process.poll() is None, f"hub exited:\n{log.read_text()[-3000:]}"
        wait_until(lambda: len(readings(db)) >= good, "every good reading stored", log, 180)
        wait_until(lambda: malformed(db) >= BAD_MESSAGES, "every bad one counted", log, 60)
        took = time.monotonic() - started
        peak_kib = peak_memory_kib(hub)
        assert hub.terminate() == 0, log.read_text()[-3000:]
    finally:
        devices.close()
        if hub._process.poll() is None:
            hub._process.kill()
            hub._process.wait(10)

    assert sorted(readings(db)) == list(range(good)), "a good reading lost or stored twice"
    assert query(db, "SELECT count(*) FROM events WHERE sensor != 'sequence'") == [(0,)]
    assert malformed(db) == BAD_MESSAGES
    assert {str(t) for (t,) in query(db, "SELECT topic FROM malformed")} == {
        MOTION,
        KETTLE,
        DOOR,
        SEQUENCE,
    }
    lines = log.read_text().splitlines()
    assert sum("malformed payload" in line for line in lines) <= 4 * 2  # per topic, per minute
    assert all(len(line) < 400 for line in lines), "a log line carries a whole payload"
    print(
        f"\nbad payloads: {BAD_MESSAGES} malformed ({oversized} of 256 KiB to 1 MiB) and "
        f"{good} good readings in {took:.0f} s; {malformed(db)} counted as malformed, "
        f"{len(readings(db))} of {good} good readings stored, 0 twice, 0 events from bad ones; "
        f"{len(lines)} log lines; hub peak memory {peak_kib // 1024} MiB"
    )


def readings(db: Path) -> list[int]:
    rows = query(db, "SELECT value FROM events WHERE sensor = 'sequence'")
    return [int(float(str(v))) for (v,) in rows]


def malformed(db: Path) -> int:
    rows = query(db, "SELECT coalesce(sum(count), 0) FROM malformed")
    return int(str(rows[0][0])) if rows else 0


def peak_memory_kib(hub: KilledHub) -> int:
    status = Path(f"/proc/{hub._process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


# Config mistakes ---------------------------------------------------------------------

GOOD = """\
home:
  id: flat-12
  timezone: Europe/London
rooms:
  - id: kitchen
  - id: hall
sensors:
  - id: kettle
    match:
      source: zigbee2mqtt
      device: Kettle plug
    kind: power
    room: kitchen
broker:
  host: 127.0.0.1
  port: 1883
  username: hearth
  password_file: {secret}
storage:
  path: {db}
web:
  enabled: false
"""


@dataclass(frozen=True)
class Mistake:
    name: str
    change: Callable[[str], str | bytes]  # the good file's text -> the bad file
    says: str  # what the one line must contain (after the file name)
    line: int | None = None  # the line it must name, where one is known


MISTAKES = [
    Mistake("yaml syntax", lambda t: t.replace("id: kitchen", "id: [kitchen"), "from line 5"),
    Mistake("tab indentation", lambda t: t.replace("  id: flat-12", "\tid: flat-12"), "tab", 2),
    Mistake("unknown top-level key", lambda t: t.replace("web:", "wep:"), "'web'", 21),
    Mistake("unknown nested key", lambda t: t.replace("  timezone:", "  timezon:"), "timezon", 3),
    Mistake("wrong type", lambda t: t.replace("port: 1883", "port: many"), "broker.port", 16),
    Mistake("out of range", lambda t: t.replace("port: 1883", "port: 70000"), "broker.port", 16),
    Mistake("missing required key", lambda t: t.replace("  id: flat-12\n", ""), "home.id"),
    Mistake("wrong choice", lambda t: t.replace("kind: power", "kind: powr"), "kind", 12),
    Mistake("unknown room", lambda t: t.replace("room: kitchen", "room: kitchn"), "kitchn", 13),
    Mistake(
        "duplicate id",
        lambda t: t.replace("  - id: hall", "  - id: kitchen"),
        "rooms[1].id",
        6,
    ),
    Mistake("bad time zone", lambda t: t.replace("Europe/London", "Europe/Londen"), "Londen", 3),
    Mistake("key written twice", lambda t: t.replace("rooms:", "rooms: []\nrooms:"), "rooms"),
    Mistake("invalid id", lambda t: t.replace("id: kettle", "id: Kettle Plug!"), "sensors[0].id"),
    Mistake("empty file", lambda t: "", "empty"),
    Mistake("top-level list", lambda t: "- home\n", "not a list", 1),
    Mistake("not UTF-8", lambda t: t.encode().replace(b"flat-12", b"flat-\xe912"), "UTF-8"),
    Mistake(
        "missing secret file",
        lambda t: t.replace("mqtt.pass", "nowhere.pass"),
        "broker.password_file",
    ),
    Mistake("secret readable by all", lambda t: t.replace("mqtt.pass", "open.pass"), "password"),
]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, list[str], Path]]:
    """`hearth run` on each bad file: exit status, stderr lines, the file."""
    folder = tmp_path_factory.mktemp("configs")
    secret = folder / "mqtt.pass"
    secret.write_text(HUB.password + "\n")
    secret.chmod(0o600)
    (folder / "open.pass").write_text(HUB.password + "\n")
    (folder / "open.pass").chmod(0o644)
    good = GOOD.format(secret=secret, db=folder / "hub.db")
    assert yaml.safe_load(good)["home"]["id"] == "flat-12"
    files = {}
    for mistake in MISTAKES:
        path = folder / f"{mistake.name.replace(' ', '-')}.yaml"
        bad = mistake.change(good)
        assert bad != good, mistake.name
        path.write_bytes(bad if isinstance(bad, bytes) else bad.encode())
        files[mistake.name] = path

    def refuse(name: str) -> tuple[str, tuple[int, list[str], Path]]:
        command = [sys.executable, "-m", "hub", "run", "--config", str(files[name])]
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        return name, (done.returncode, done.stderr.splitlines(), files[name])

    # A few at a time: each is a second or more of imports on a busy machine.
    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(refuse, files))


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_hearth_run_refuses_each_kind_of_config_mistake_in_one_line(
    mistake: Mistake, refusals: dict[str, tuple[int, list[str], Path]]
) -> None:
    code, lines, path = refusals[mistake.name]
    text = "\n".join(lines)
    assert code != 0, text
    assert "Traceback" not in text
    # The problem, then at most a pointer to `hearth check-config`.
    assert 1 <= len(lines) <= 2, text
    line = lines[0]
    where = f"{path}:{mistake.line}:" if mistake.line is not None else str(path)
    if mistake.name.endswith("secret file") or mistake.name.startswith("secret"):
        where = "hearth: "  # found when the hub reads it, named by its config key
    assert line.startswith(where), line
    assert mistake.says.lower() in line.lower(), line


def test_the_config_mistakes_cover_every_kind_and_are_counted(
    refusals: dict[str, tuple[int, list[str], Path]],
) -> None:
    refused = [name for name, (code, _, _) in refusals.items() if code != 0]
    assert refused == [m.name for m in MISTAKES]
    print(
        f"\nconfig mistakes: {len(refused)} kinds given to `hearth run`, {len(refused)} "
        "refused with one line naming the file (and line and key where known), 0 tracebacks"
    )


def test_the_good_config_is_good(tmp_path: Path) -> None:
    # The control: without the mistake, the same file loads (so each refusal is the mistake's).
    from hub.config import load_config

    secret = tmp_path / "mqtt.pass"
    secret.write_text("x\n")
    secret.chmod(0o600)
    path = tmp_path / "home.yaml"
    path.write_text(textwrap.dedent(GOOD.format(secret=secret, db=tmp_path / "hub.db")))
    assert load_config(path).home.id == "flat-12"
