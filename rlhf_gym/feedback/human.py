"""A person as a teacher: the comparison window asks, the label store keeps every answer at once.

Why the teacher writes the store itself (the simulated teachers leave that to the caller): a
person's answer must be on disk before the next pair is shown, so that a crash, a closed window or
a killed process loses nothing and the same command resumes at the next pair. Each record holds the
seconds the answer took and ``"source": "human"``.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

from rlhf_gym.data.segments import Segment
from rlhf_gym.feedback.comparison_window import ComparisonWindow
from rlhf_gym.feedback.teachers import Teacher


class PersonQuit(Exception):
    """The person pressed escape twice: stop asking (every answer so far is on disk)."""


class HumanTeacher(Teacher):
    """Answers ``label_pairs`` through a ComparisonWindow and appends each answer to ``store``.

    ``total`` (if known) shows "label k of total"; ``describe`` says what the clips show (e.g. "clips of
    the agent at step 40,000"). ``undo`` (backspace) takes back the last answer of the current batch:
    it is removed from the store and its pair is asked again.
    """

    name = "human"
    writes_labels = True  # the online loop must not append these answers a second time

    def __init__(self, store, window: ComparisonWindow | None = None, total: int | None = None,
                 describe: str = "", clock=time.monotonic):
        super().__init__()
        self.store, self.window = store, window or ComparisonWindow()
        self.total, self.describe, self.clock = total, describe, clock
        self.seconds: list[float] = [float(r["seconds"]) for r in store.records if "seconds" in r]
        self._stripped: dict[int, Segment] = {}

    def _no_frames(self, segment: Segment) -> Segment:
        """The clip as the store keeps it: frames are re-rendered from the env, not stored (megabytes a clip)."""
        key = id(segment)
        if key not in self._stripped:
            self._stripped[key] = dataclasses.replace(segment, frames=None)
        return self._stripped[key]

    def status(self, asked: int) -> str:
        of = f" of {self.total}" if self.total else ""
        pace = f", {statistics.median(self.seconds):.1f} s a label" if self.seconds else ""
        return f"label {asked + 1}{of}{pace}" + (f" - {self.describe}" if self.describe else "")

    def label(self, left: Segment, right: Segment) -> float | None:
        return self.label_pairs([(left, right)])[0]

    def ask(self, left: Segment, right: Segment):
        """Show one pair until a key answers; a label is on disk when this returns. Returns the Answer
        (an "undo" is left to the caller, who knows which pair to ask again); "quit" raises PersonQuit."""
        started = self.clock()
        answer = self.window.ask(left, right, self.status(len(self.store.records)))
        if answer.kind == "quit":
            raise PersonQuit(f"stopped after {len(self.store.records)} answers, all saved in {self.store.path}")
        if answer.kind == "label":
            seconds = self.clock() - started
            self.store.append(self._no_frames(left), self._no_frames(right), answer.label, teacher=self.name,
                              source="human", seconds=round(seconds, 3))
            self.seconds.append(seconds)
            self.labels_given += 1
        return answer

    def undo(self) -> None:
        """Take back the last answer in the store."""
        self.store.undo()
        if self.seconds:
            self.seconds.pop()

    def label_pairs(self, pairs: list[tuple[Segment, Segment]]) -> list[float | None]:
        answers: list[float | None] = []
        while len(answers) < len(pairs):
            answer = self.ask(*pairs[len(answers)])
            if answer.kind == "undo":
                if answers:  # the previous pair of this batch is asked again
                    self.undo()
                    answers.pop()
                continue
            answers.append(answer.label)
        return answers
