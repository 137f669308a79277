"""When to ask for labels during training: a decaying schedule.

Why decaying: early labels shape the reward the agent learns from first, and the
agent's behaviour changes fastest early on (Christiano et al. 2017 asked at a rate
proportional to 2e6 / (T + 2e6)). A share ``initial_fraction`` of the budget is
asked about clips of the initial policy; the rest follows ``kind`` and is spent by
``until`` (a fraction of training), so late labels still reach the agent.
"""

from __future__ import annotations

import math

SCHEDULES = ("hyperbolic", "constant")


class LabelSchedule:
    """``target(progress)``: how many labels should have been asked at ``progress`` in [0, 1]."""

    def __init__(self, total_labels: int, kind: str = "hyperbolic", initial_fraction: float = 0.25,
                 until: float = 0.75, decay: float = 10.0):
        if not isinstance(total_labels, int) or total_labels < 2:
            raise ValueError(f"total_labels={total_labels!r}; allowed: an integer >= 2")
        if kind not in SCHEDULES:
            raise ValueError(f"schedule={kind!r}; allowed: {SCHEDULES}")
        if not 0.0 < initial_fraction <= 1.0:
            raise ValueError(f"initial_fraction={initial_fraction!r}; allowed: a float in (0, 1]")
        if not 0.0 < until <= 1.0:
            raise ValueError(f"until={until!r}; allowed: a float in (0, 1]")
        if not decay > 0.0:
            raise ValueError(f"decay={decay!r}; allowed: a float > 0")
        self.total, self.kind, self.until, self.decay = total_labels, kind, until, decay
        self.initial = max(1, int(round(initial_fraction * total_labels)))

    def target(self, progress: float) -> int:
        p = min(max(progress / self.until, 0.0), 1.0)
        share = p if self.kind == "constant" else math.log1p(self.decay * p) / math.log1p(self.decay)
        return min(self.total, self.initial + int(round(share * (self.total - self.initial))))
