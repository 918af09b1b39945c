"""The home simulator (issue 3, item 7): months of a configurable person's sensor events.

Library use, with no files:

    from hub.simulate import simulate, builtin_profile, Change, ChangeKind
    events = simulate(config, builtin_profile("typical"), date(2026, 3, 1), 60, seed=1,
                      changes=[Change(ChangeKind.TIME_UP, 90, onset=30, ramp_days=14)])

`hearth simulate` writes the same events as a canonical JSON Lines file, which
`hearth replay` reads. docs/simulator.md shows the simulated home's daily
statistics beside the real dataset homes'.
"""

from hub.simulate.changes import (
    EXAMPLE_SIZES,
    Change,
    ChangeError,
    ChangeKind,
    parse_change,
    profile_on,
)
from hub.simulate.generate import SimulateError, plans, simulate
from hub.simulate.profile import (
    BUILTIN,
    Profile,
    ProfileError,
    builtin_profile,
    load_profile,
    profile_from,
)

__all__ = [
    "BUILTIN",
    "EXAMPLE_SIZES",
    "Change",
    "ChangeError",
    "ChangeKind",
    "Profile",
    "ProfileError",
    "SimulateError",
    "builtin_profile",
    "load_profile",
    "parse_change",
    "plans",
    "profile_from",
    "profile_on",
    "simulate",
]
