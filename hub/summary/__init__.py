"""The weekly summary for care co-ordinators (issue 6): figures, charts, page, PDF, e-mail.

`weekly.build(db, config, week_start)` assembles a `WeeklySummary`;
`render.html_fragment` and `render.pdf` show it; `mailing` sends it to the
co-ordinators once a week.
"""

from hub.summary.weekly import NotAMonday, WeeklySummary, build, weeks_available

__all__ = ["NotAMonday", "WeeklySummary", "build", "weeks_available"]
