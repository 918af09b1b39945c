"""The weekly summary (hub/summary/, its own module) as the web app serves it.

Building a week reads and scores every stored day, and drawing and printing
it loads matplotlib and WeasyPrint, so all three run in a short-lived child
process (hub/summary/child.py) and the results are kept for a while: a
finished week for an hour (only an alert ending late changes it), the current
week for a few minutes. Only the few latest weeks are kept.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from markupsafe import Markup

from hub.store.database import Database
from hub.summary import weekly
from hub.summary.child import build_week, in_child, page_of, pdf_of
from hub.summary.weekly import WeeklySummary
from hub.web.readings import Readings

T = TypeVar("T")
CURRENT_WEEK_KEPT_S = 300.0  # the current week, and the list of weeks
FINISHED_WEEK_KEPT_S = 3600.0
WEEKS_KEPT = 6


class WeekNotFound(LookupError):
    """No summary for that week (no data, or not a week of this home)."""


class WeeklyLink:
    def __init__(
        self,
        readings: Readings,
        now: Callable[[], datetime],
        *,
        keep_s: float = CURRENT_WEEK_KEPT_S,
    ) -> None:
        """`keep_s`: how long the current week and the list of weeks are kept (0: not at all)."""
        self.readings = readings
        self.now = now
        self.keep_s = keep_s
        self._summaries: OrderedDict[date, tuple[float, WeeklySummary]] = OrderedDict()
        self._pdfs: OrderedDict[date, tuple[float, bytes]] = OrderedDict()
        self._weeks: tuple[float, list[date]] | None = None

    async def weeks(self) -> list[date]:
        """Mondays of the weeks with data, newest first."""
        if self._weeks is not None and time.monotonic() - self._weeks[0] < self.keep_s:
            return self._weeks[1]
        config = self.readings.config
        found = await self.readings.run(lambda conn: weekly.weeks_available(Database(conn), config))
        self._weeks = (time.monotonic(), found)
        return found

    async def summary(self, monday: date) -> WeeklySummary:
        if monday not in await self.weeks():
            raise WeekNotFound(f"There is no summary for the week of {monday:%d %B %Y}.")
        kept = self._summaries.get(monday)
        if kept is not None and self._fresh(monday, kept[0]):
            return kept[1]
        made = await in_child(build_week, self.readings.db_path, self.readings.config, monday)
        _keep(self._summaries, monday, made)
        return made

    async def fragment(self, monday: date) -> Markup:
        summary = await self.summary(monday)
        return await in_child(page_of, summary)

    async def pdf(self, monday: date) -> bytes:
        """The week as a PDF; render.PdfError when the PDF library is missing."""
        kept = self._pdfs.get(monday)
        if kept is not None and self._fresh(monday, kept[0]):
            return kept[1]
        summary = await self.summary(monday)
        made = await in_child(pdf_of, summary)
        _keep(self._pdfs, monday, made)
        return made

    async def record(self, monday: date) -> dict[str, object]:
        return (await self.summary(monday)).to_json()

    def _fresh(self, monday: date, made_at: float) -> bool:
        today = self.readings.local_date(self.now())
        age = time.monotonic() - made_at
        if monday + timedelta(days=7) <= today and self.keep_s > 0:
            # A finished week changes only when an alert of it ends late: an hour is fine.
            return age < FINISHED_WEEK_KEPT_S
        return age < self.keep_s


def _keep(kept: OrderedDict[date, tuple[float, T]], monday: date, value: T) -> None:
    kept[monday] = (time.monotonic(), value)
    kept.move_to_end(monday)
    while len(kept) > WEEKS_KEPT:
        kept.popitem(last=False)
