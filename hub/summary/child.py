"""The weekly summary's heavy work, in a short-lived child process.

Building a week reads every stored event (the routine baseline is learned from
the first day on), and drawing and printing it loads matplotlib and WeasyPrint:
about 90 MB more than the hub needs to record and alert (bench/summary_pdf.py:
59 MB after building a week, 150 MB at the peak of printing it), and a process
that has loaded them keeps most of that memory. Imported into the hub, they
also made every start a quarter of a second slower. The hub runs for years on
a Pi, so a week is built, drawn or printed in a child process that exits after
its one job; only the result (a few hundred KB) comes back.

"spawn", not "fork": a forked child would inherit the hub's threads (the
database writer, the web app's reader) with their locks possibly held.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from markupsafe import Markup

    from hub.config.models import HearthConfig
    from hub.config.summary import Summary
    from hub.summary.mailing import Pass
    from hub.summary.weekly import WeeklySummary

T = TypeVar("T")
_SPAWN = multiprocessing.get_context("spawn")
BUSY_TIMEOUT_S = 30.0  # the hub may be committing when the child reads


class ChildFailed(RuntimeError):
    """The child process ended without an answer (killed, out of memory)."""


async def in_child(job: Callable[..., T], *args: object) -> T:
    """`job(*args)` in a fresh process that exits afterwards; its exceptions come back as is."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_SPAWN, max_tasks_per_child=1)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(pool, job, *args)
    except BrokenProcessPool as exc:
        raise ChildFailed(
            f"the weekly summary's worker process ended without an answer ({exc})"
        ) from exc
    finally:
        # Joins the child (already exiting after its one job) off the event loop.
        await loop.run_in_executor(None, pool.shutdown)


# The jobs. Each imports what it needs inside, so the hub never loads it.


def build_week(db_path: Path, config: HearthConfig, monday: date) -> WeeklySummary:
    """The week's summary, read from the database (query only: the hub is its writer)."""
    import sqlite_utils  # noqa: PLC0415

    from hub.summary.weekly import build  # noqa: PLC0415

    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA query_only = ON")
        return build(sqlite_utils.Database(conn), config, monday)
    finally:
        conn.close()


def page_of(summary: WeeklySummary) -> Markup:
    from hub.summary.render import html_fragment  # noqa: PLC0415

    return html_fragment(summary)


def pdf_of(summary: WeeklySummary) -> bytes:
    from hub.summary.render import pdf  # noqa: PLC0415

    return pdf(summary)


def mail_pass(config: HearthConfig, settings: Summary, db_path: Path, now: datetime) -> Pass:
    """One pass of the weekly e-mail: queue the week that is due, send what is pending."""
    from hub.summary.mailing import WeeklyMailer  # noqa: PLC0415

    return WeeklyMailer(config, settings=settings).run_once(db_path, now)
