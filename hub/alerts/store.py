"""Alerts, their history, the outbox and the home's mode, in SQLite.

A list of lifecycle `Change`s is written in one transaction: the alert, its
transitions and the messages to send go in together or not at all, so after a
power cut the outbox holds exactly the messages of the changes that happened.
Each outbox row has an idempotency key that stays the same on every attempt.

All methods are synchronous; the alert service calls them on one worker
thread, in order, so the event loop never waits for an fsync.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.alerts.lifecycle import NEW, Change, Target
from hub.alerts.model import (
    Action,
    Alert,
    AlertMessage,
    AlertState,
    Purpose,
    Severity,
    Transition,
    Via,
)
from hub.modes import Mode, ModeSetting
from hub.store.event_table import from_micros, to_micros

Render = Callable[[Alert, Target, str], AlertMessage]
"""Builds the message for one target, given the alert and the target's idempotency key."""

_ALERT_COLUMNS = (
    "id, key, rule, subject, severity, summary, since_us, raised_us, state, asks_resident, "
    "condition_active, level, asks_until_us, notified_us, acknowledged_us, acknowledged_by, "
    "resolved_us, told"
)
# An older pending message to the same destination as outbox row `o`: messages
# to one destination go in order, so such a one holds `o` back (`due`,
# `next_attempt`). The queries are built from constants only (hence the noqa).
_OLDER_PENDING = (
    "SELECT 1 FROM outbox older WHERE older.state = 'pending' "
    "AND older.recipient = o.recipient AND older.channel = o.channel "
    "AND (older.created_us, older.id) < (o.created_us, o.id)"
)
_DUE = (
    "SELECT id, alert_id, recipient, channel, message, created_us, attempts FROM outbox o "  # noqa: S608
    "WHERE state = 'pending' AND next_attempt_us <= :now AND NOT EXISTS ("
    f"{_OLDER_PENDING} AND older.next_attempt_us > :now"
    ") ORDER BY created_us, id LIMIT :limit"
)
_NEXT_ATTEMPT = (
    "SELECT min(next_attempt_us) FROM outbox o WHERE state = 'pending' "  # noqa: S608
    f"AND NOT EXISTS ({_OLDER_PENDING})"
)
# Built from the column list above, never from input (hence the noqa).
_WRITTEN = _ALERT_COLUMNS.removeprefix("id, ").split(", ")
_INSERT_ALERT = (
    f"INSERT INTO alerts ({', '.join(_WRITTEN)}) VALUES ({', '.join('?' for _ in _WRITTEN)})"  # noqa: S608
)
_UPDATE_ALERT = f"UPDATE alerts SET {', '.join(c + ' = ?' for c in _WRITTEN)} WHERE id = ?"  # noqa: S608


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    alert_id: int
    recipient: str
    channel: int
    message: AlertMessage
    created_at: datetime
    attempts: int


def idempotency_key(alert: Alert, target: Target) -> str:
    """The same for every attempt at one message, different for any other message."""
    who = f"{target.recipient}-{target.channel}" if target.recipient else "mqtt"
    return f"{alert.id}-{target.purpose.value}-{alert.state.value}-{alert.level}-{who}"


class AlertStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # Alerts -------------------------------------------------------------------

    def covering(self) -> list[Alert]:
        """Alerts whose condition still holds (whatever their state)."""
        return self._alerts("WHERE condition_active = 1 ORDER BY id")

    def alert(self, alert_id: int) -> Alert | None:
        found = self._alerts("WHERE id = ?", (alert_id,))
        return found[0] if found else None

    def recent(self, limit: int = 50, *, unfinished_only: bool = False) -> list[Alert]:
        where = "WHERE state IN ('asking', 'open', 'acknowledged') " if unfinished_only else ""
        return self._alerts(f"{where}ORDER BY id DESC LIMIT ?", (limit,))

    def runs(self, keys: Sequence[str]) -> frozenset[tuple[str, datetime]]:
        """(key, since) of every alert ever raised for `keys`: the runs already alerted."""
        if not keys:
            return frozenset()
        marks = ", ".join("?" for _ in keys)
        # Only "?" placeholders are formatted in; the keys go in as parameters.
        rows = self.conn.execute(
            f"SELECT key, since_us FROM alerts WHERE key IN ({marks})",  # noqa: S608
            tuple(keys),
        ).fetchall()
        return frozenset((str(key), from_micros(int(since))) for key, since in rows)

    def finished_between(self, start: datetime, end: datetime) -> list[int]:
        """Ids of alerts that ended (resolved or cancelled) with start <= end time < end."""
        rows = self.conn.execute(
            "SELECT id FROM alerts WHERE state IN ('resolved', 'cancelled') "
            "AND resolved_us >= ? AND resolved_us < ? ORDER BY id",
            (to_micros(start), to_micros(end)),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def history(self, alert_id: int) -> list[Transition]:
        rows = self.conn.execute(
            "SELECT at_us, action, actor, via, detail FROM alert_transitions "
            "WHERE alert_id = ? ORDER BY id",
            (alert_id,),
        ).fetchall()
        return [
            Transition(alert_id, from_micros(at), Action(action), actor, Via(via), detail)
            for at, action, actor, via, detail in rows
        ]

    def apply(self, changes: Sequence[Change], now: datetime, render: Render) -> list[Alert]:
        """Write `changes` in one transaction; return each change's alert, numbered."""
        if not changes:
            return []
        done: list[Alert] = []
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for change in changes:
                alert = self._write_alert(change.after)
                for moment in change.transitions:
                    self._write_transition(alert.id, moment)
                for target in change.targets:
                    self._queue(alert, target, now, render)
                done.append(alert)
        except BaseException:
            # SQLite has already rolled back after some errors (SQLITE_FULL);
            # a second ROLLBACK would replace the real error with its own.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return done

    def apply_to(
        self, alert_id: int, plan: Callable[[Alert], Change], now: datetime, render: Render
    ) -> tuple[Change, Alert]:
        """Plan a change of one alert (a person acknowledging it, closing it) and write it.

        Raises LookupError when there is no such alert; the plan's own errors
        (LifecycleError) leave nothing written.
        """
        alert = self.alert(alert_id)
        if alert is None:
            raise LookupError(f"there is no alert {alert_id}")
        change = plan(alert)
        (done,) = self.apply([change], now, render)
        return change, done

    def _write_alert(self, alert: Alert) -> Alert:
        values = (
            alert.key,
            alert.rule,
            alert.subject,
            alert.severity.value,
            alert.summary,
            to_micros(alert.since),
            to_micros(alert.raised_at),
            alert.state.value,
            int(alert.asks_resident),
            int(alert.condition_active),
            alert.level,
            _micros(alert.asks_until),
            _micros(alert.notified_at),
            _micros(alert.acknowledged_at),
            alert.acknowledged_by,
            _micros(alert.resolved_at),
            ",".join(alert.told),
        )
        if alert.id == NEW:
            cursor = self.conn.execute(_INSERT_ALERT, values)
            return _with_id(alert, int(cursor.lastrowid or 0))
        self.conn.execute(_UPDATE_ALERT, (*values, alert.id))
        return alert

    def _write_transition(self, alert_id: int, moment: Transition) -> None:
        self.conn.execute(
            "INSERT INTO alert_transitions (alert_id, at_us, action, actor, via, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                alert_id,
                to_micros(moment.at),
                moment.action.value,
                moment.actor,
                moment.via.value,
                moment.detail,
            ),
        )

    def _queue(self, alert: Alert, target: Target, now: datetime, render: Render) -> None:
        key = idempotency_key(alert, target)
        message = render(alert, target, key)
        # OR IGNORE: a message already queued under this key is the same message.
        self.conn.execute(
            "INSERT OR IGNORE INTO outbox (alert_id, recipient, channel, idempotency_key, "
            "message, created_us, state, next_attempt_us) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
            (
                alert.id,
                target.recipient,
                target.channel,
                key,
                json.dumps(message.to_json()),
                to_micros(now),
                to_micros(now),
            ),
        )

    def _alerts(self, clause: str, params: Sequence[object] = ()) -> list[Alert]:
        # `clause` is always a constant of this module; values go in as parameters.
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts {clause}"  # noqa: S608
        rows = self.conn.execute(sql, params)
        return [_alert(row) for row in rows.fetchall()]

    # Outbox -------------------------------------------------------------------

    def due(self, now: datetime, limit: int = 200) -> list[OutboxRow]:
        """Pending messages whose time has come, oldest first.

        A message waits while an older one to the same destination waits for
        its retry, so each destination receives its messages in order.
        """
        rows = self.conn.execute(
            _DUE,
            {"now": to_micros(now), "limit": limit},
        ).fetchall()
        return [
            OutboxRow(i, a, r, c, message_from_json(json.loads(m)), from_micros(t), n)
            for i, a, r, c, m, t, n in rows
        ]

    def next_attempt(self) -> datetime | None:
        """When the next message can become due (`due`): the soonest of each destination's oldest.

        A newer message waits behind an older one to the same destination, so
        its own (earlier) time says nothing: counted, it was "due now" while
        `due` held it back, and the dispatcher looked again and again without
        pause until the older one's retry (a hub at full CPU for minutes).
        """
        row = self.conn.execute(_NEXT_ATTEMPT).fetchone()
        return from_micros(row[0]) if row and row[0] is not None else None

    def pending_count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()
        return int(row[0])

    def record_attempt(
        self,
        row_id: int,
        now: datetime,
        error: str | None,
        *,
        retry_at: datetime | None = None,
    ) -> None:
        """Record one attempt: sent (no error), to retry at `retry_at`, or failed for good."""
        if error is None:
            state, next_us = "sent", to_micros(now)
        elif retry_at is not None:
            state, next_us = "pending", to_micros(retry_at)
        else:
            state, next_us = "failed", to_micros(now)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_us = ?, "
                "sent_us = CASE WHEN ? = 'sent' THEN ? ELSE sent_us END, last_error = ? "
                "WHERE id = ?",
                (state, next_us, state, to_micros(now), error, row_id),
            )
            self.conn.execute(
                "INSERT INTO delivery_attempts (outbox_id, at_us, ok, error) VALUES (?, ?, ?, ?)",
                (row_id, to_micros(now), int(error is None), error or ""),
            )

    def deliveries(self, alert_id: int) -> list[tuple[str, int, str, int, str | None]]:
        """(recipient, channel, state, attempts, last error) of each message about an alert."""
        rows = self.conn.execute(
            "SELECT recipient, channel, state, attempts, last_error FROM outbox "
            "WHERE alert_id = ? ORDER BY id",
            (alert_id,),
        ).fetchall()
        return [(r, c, s, n, e) for r, c, s, n, e in rows]

    # Modes and keys ----------------------------------------------------------

    def mode_setting(self) -> ModeSetting | None:
        row = self.conn.execute(
            "SELECT mode, since_us, until_us, set_by, via FROM modes ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        mode, since, until, set_by, via = row
        return ModeSetting(Mode(mode), from_micros(since), _moment(until), set_by, via)

    def set_mode(self, setting: ModeSetting) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT INTO modes (mode, since_us, until_us, set_by, via) VALUES (?, ?, ?, ?, ?)",
                (
                    setting.mode.value,
                    to_micros(setting.since),
                    _micros(setting.until),
                    setting.set_by,
                    setting.via,
                ),
            )

    # After a clock step ------------------------------------------------------

    def retime_after_step(
        self,
        next_attempt: Callable[[datetime], datetime],
        asks_until: Callable[[datetime], datetime],
        mode: Callable[[ModeSetting], ModeSetting],
    ) -> tuple[int, int, int]:
        """Put right the stored future times read from a clock that then stepped.

        Each is given to its rule (hub/clock_guard.py): the pending messages'
        next attempts, the "are you OK?" windows of alerts asking the resident,
        and the latest mode (corrected in place: its times were wrong, not its
        choice). One transaction; returns how many of each changed.
        """
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            retries = self._retime(
                "SELECT id, next_attempt_us FROM outbox WHERE state = 'pending'",
                "UPDATE outbox SET next_attempt_us = ? WHERE id = ?",
                next_attempt,
            )
            asking = self._retime(
                "SELECT id, asks_until_us FROM alerts "
                "WHERE state = 'asking' AND asks_until_us IS NOT NULL",
                "UPDATE alerts SET asks_until_us = ? WHERE id = ?",
                asks_until,
            )
            row = self.conn.execute(
                "SELECT id, mode, since_us, until_us, set_by, via FROM modes "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            modes = 0
            if row is not None:
                row_id, name, since, until, set_by, via = row
                before = ModeSetting(Mode(name), from_micros(since), _moment(until), set_by, via)
                after = mode(before)
                if after != before:
                    modes = 1
                    self.conn.execute(
                        "UPDATE modes SET since_us = ?, until_us = ? WHERE id = ?",
                        (to_micros(after.since), _micros(after.until), row_id),
                    )
        return retries, asking, modes

    def _retime(self, select: str, update: str, rule: Callable[[datetime], datetime]) -> int:
        changed = [
            (to_micros(new), row_id)
            for row_id, micros in self.conn.execute(select).fetchall()
            if (new := rule(from_micros(micros))) != from_micros(micros)
        ]
        self.conn.executemany(update, changed)
        return len(changed)

    def secret(self, name: str) -> bytes:
        """A random key kept in the database, made the first time it is asked for."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT OR IGNORE INTO hub_secrets (name, value) VALUES (?, ?)",
                (name, secrets.token_bytes(32)),
            )
            row = self.conn.execute(
                "SELECT value FROM hub_secrets WHERE name = ?", (name,)
            ).fetchone()
        return bytes(row[0])


def message_from_json(data: dict[str, object]) -> AlertMessage:
    """The AlertMessage that `AlertMessage.to_json` wrote."""
    ack_url, by = data.get("ack_url"), data.get("acknowledged_by")
    return AlertMessage(
        idempotency_key=str(data["id"]),
        alert_id=int(str(data["alert"])),
        home=str(data["home"]),
        rule=str(data["rule"]),
        severity=Severity(str(data["severity"])),
        summary=str(data["summary"]),
        since=datetime.fromisoformat(str(data["since"])),
        raised_at=datetime.fromisoformat(str(data["raised_at"])),
        purpose=Purpose(str(data["purpose"])),
        recipient=str(data["recipient"]),
        ack_url=None if ack_url is None else str(ack_url),
        state=AlertState(str(data["state"])),
        acknowledged_by=None if by is None else str(by),
    )


def _alert(row: Sequence[object]) -> Alert:
    (id_, key, rule, subject, severity, summary, since, raised, state, asks, active, level,
     asks_until, notified, acked, acked_by, resolved, told) = row  # fmt: skip
    return Alert(
        id=int(str(id_)),
        key=str(key),
        rule=str(rule),
        subject=str(subject),
        severity=Severity(str(severity)),
        summary=str(summary),
        since=from_micros(int(str(since))),
        raised_at=from_micros(int(str(raised))),
        state=AlertState(str(state)),
        asks_resident=bool(asks),
        condition_active=bool(active),
        level=int(str(level)),
        asks_until=_moment(asks_until),
        notified_at=_moment(notified),
        acknowledged_at=_moment(acked),
        acknowledged_by=None if acked_by is None else str(acked_by),
        resolved_at=_moment(resolved),
        told=tuple(str(told).split(",")) if told else (),
    )


def _with_id(alert: Alert, alert_id: int) -> Alert:
    return dataclasses.replace(alert, id=alert_id)


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


def _moment(micros: object) -> datetime | None:
    return None if micros is None else from_micros(int(str(micros)))
