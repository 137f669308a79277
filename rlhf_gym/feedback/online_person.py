"""A simulated person for the online session: the window's stand-in, for tests and the benchmark.

Why a stand-in for the window and not another teacher: it takes its pairs from the same queue, in
the same main-thread loop, through the same ``HumanTeacher`` (which writes every answer to the label
store with the seconds it took), so a test or the benchmark exercises exactly the path a person's
answers take; only the keyboard is replaced. It answers as the exact synthetic teacher (the clips'
true returns; equal returns give 0.5) after ``delay`` seconds, and can quit (escape) after
``quit_after`` answers.
"""

from __future__ import annotations

import math
import time

import numpy as np

from rlhf_gym.feedback.comparison_window import Answer
from rlhf_gym.feedback.teachers import SyntheticTeacher


class SimulatedPerson:
    """``ask(left, right, status, should_stop)`` like ComparisonWindow's: the exact teacher's answer
    after ``delay`` seconds (``should_stop()`` ends the wait early with Answer "stop")."""

    source = "simulated-person"

    def __init__(self, delay: float = 3.0, quit_after: int | None = None, sleep=time.sleep):
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (math.isfinite(delay) and delay >= 0):
            raise ValueError(f"SimulatedPerson: delay={delay!r}; allowed: a number of seconds >= 0")
        if quit_after is not None and (isinstance(quit_after, bool) or not isinstance(quit_after, int) or quit_after < 0):
            raise ValueError(f"SimulatedPerson: quit_after={quit_after!r}; allowed: None or an integer >= 0")
        self.delay, self.quit_after, self.sleep = float(delay), quit_after, sleep
        self.teacher = SyntheticTeacher(np.random.default_rng(0), beta=math.inf)  # exact: draws nothing
        self.answers = 0
        self.statuses: list[str] = []

    def ask(self, left, right, status: str = "", should_stop=None) -> Answer:
        self.statuses.append(status)
        if self.quit_after is not None and self.answers >= self.quit_after:
            return Answer("quit")
        deadline = time.monotonic() + self.delay
        while True:
            if should_stop is not None and should_stop():
                return Answer("stop")
            left_s = deadline - time.monotonic()
            if left_s <= 0:
                break
            self.sleep(min(left_s, 0.02))
        self.answers += 1
        return Answer("label", self.teacher.label(left, right))

    def wait(self, status: str = "") -> None:
        """Nothing to answer: the session's ``take`` already waited; nothing to show."""
        return None

    def close(self) -> None:
        return None
