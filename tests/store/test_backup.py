"""Backup while the real hub writes, and restore only while it is stopped."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hub.cli import main
from hub.config.models import HearthConfig
from hub.local_broker import LocalBroker
from hub.store.backup import BackupError, backup, restore
from tests.ingest.helpers import HubThread, Publisher, event_count, hub_config_data, wait_for


def count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_a_backup_taken_while_the_hub_writes_is_a_sound_snapshot(
    broker: LocalBroker, tmp_path: Path
) -> None:
    data = hub_config_data(broker, tmp_path, commit_interval_s=0.05, batch_max=200)
    config = HearthConfig.model_validate(data)
    hub = HubThread(config).start()
    devices = Publisher(broker, client_id="backup-writer")
    sender = threading.Thread(
        target=devices.send_many, args=([("test/sequence", str(i)) for i in range(20_000)],)
    )
    sender.start()
    try:
        assert wait_for(lambda: event_count(config.storage.path) >= 2000, 60)
        steps: list[tuple[int, int]] = []
        copy = backup(config.storage.path, tmp_path / "copy.db", lambda r, t: steps.append((r, t)))
        sender.join(120)
    finally:
        devices.close()
        hub.stop()
    copied = count(copy)
    assert 2000 <= copied <= 20_000
    assert copied <= count(config.storage.path)
    # A consistent snapshot: the copy's events are exactly the first `copied` of the stream.
    conn = sqlite3.connect(copy)
    values = sorted(int(v) for (v,) in conn.execute("SELECT value FROM events"))
    conn.close()
    assert values == list(range(copied))
    assert steps  # progress was reported
    assert not (tmp_path / "copy.db.partial").exists()


def test_restore_refuses_while_the_hub_runs_and_keeps_the_file_it_replaces(
    broker: LocalBroker, tmp_path: Path
) -> None:
    data = hub_config_data(broker, tmp_path)
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    config = HearthConfig.model_validate(data)
    hub = HubThread(config).start()
    devices = Publisher(broker, client_id="backup-restore")
    try:
        devices.send("test/sequence", "1")
        assert wait_for(lambda: event_count(config.storage.path) == 1, 10)
        made = CliRunner().invoke(main, ["backup", "--config", str(config_file), "--to",
                                         str(tmp_path)])  # fmt: skip
        assert made.exit_code == 0, made.output
        (copy,) = tmp_path.glob("hearth-*.db")
        devices.send("test/sequence", "2")
        assert wait_for(lambda: event_count(config.storage.path) == 2, 10)
        refused = CliRunner().invoke(main, ["restore", "--config", str(config_file), str(copy)])
        assert refused.exit_code == 1
        assert "the hub is running: stop it first" in refused.output
    finally:
        devices.close()
        hub.stop()
    done = CliRunner().invoke(main, ["restore", "--config", str(config_file), str(copy)])
    assert done.exit_code == 0, done.output
    assert count(config.storage.path) == 1
    assert count(Path(f"{config.storage.path}.before-restore")) == 2


def test_bad_backups_and_targets_are_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="is not a sound Hearth database"):
        restore(junk, tmp_path / "hub.db", hub_running=False)
    with pytest.raises(BackupError, match="no database at"):
        backup(tmp_path / "missing.db", tmp_path / "copy.db")
    real = tmp_path / "real.db"
    sqlite3.connect(real).close()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(BackupError, match="failed: unable to open database file"):
        backup(real, blocker / "copy.db")
