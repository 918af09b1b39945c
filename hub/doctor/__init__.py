"""`hearth doctor`: is this hub able to do its job? One line per finding, with what to do.

Each check is a function of the config (and of the machine or the broker,
through small injectable edges) returning findings; `run_checks` runs them
all and the exit status is the worst level found.
"""

from hub.doctor.findings import Finding, Level, worst

__all__ = ["Finding", "Level", "worst"]
