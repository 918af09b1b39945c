"""Real-time safety rules (issue 4, part 1): pure functions over the home's state.

`RuleEngine(config, expectations)` takes every event (`observe`) and says,
when asked (`evaluate(now, mode)`), which conditions hold; `expectations_from`
learns what is usual for the person from the routine engine's daily features.
Each rule is one module here; docs/rules.md has the table of them all.
"""

from hub.rules.engine import RULES, RuleEngine
from hub.rules.expectations import Expectations, expectations_from
from hub.rules.rule import Rule, RuleContext

__all__ = ["RULES", "Expectations", "Rule", "RuleContext", "RuleEngine", "expectations_from"]
