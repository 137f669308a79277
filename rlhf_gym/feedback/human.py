"""A person as a teacher: the comparison window asks, the label store keeps every answer at once.

Why the teacher writes the store itself (the simulated teachers leave that to the caller): a
person's answer must be on disk before the next pair is shown, so that a crash, a closed window or
a killed process loses nothing and the same command resumes at the next pair. Each record holds the
seconds the answer took and ``"source"``: ``"human"`` (or the window's own ``source``, e.g. the
simulated person of the benchmark). ``answer_summary`` is the one report of a person's answers, used
by ``rlhf-gym label`` and by ``rlhf-gym train --feedback human``.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import weakref

from rlhf_gym.data.segments import Segment
from rlhf_gym.feedback.comparison_window import ComparisonWindow
from rlhf_gym.feedback.teachers import Teacher


class PersonQuit(Exception):
    """The person pressed escape twice: stop asking (every answer so far is on disk)."""


class HumanTeacher(Teacher):
    """Answers ``label_pairs`` through a ComparisonWindow and appends each answer to ``store``.

    ``total`` (if known) shows "label k of total"; ``describe`` says what the clips show (e.g. "clips of
    the agent at step 40,000"). ``undo`` (backspace) takes back the last answer of the current batch:
    it is removed from the store and its pair is asked again. ``window`` may be anything with the
    window's ``ask`` / ``wait`` / ``close`` (the online session's simulated person is one).
    """

    name = "human"
    writes_labels = True  # the online loop must not append these answers a second time

    def __init__(self, store, window: ComparisonWindow | None = None, total: int | None = None,
                 describe: str = "", clock=time.monotonic):
        super().__init__()
        self.store, self.window = store, window or ComparisonWindow()
        self.total, self.describe, self.clock = total, describe, clock
        self.source = getattr(self.window, "source", "human")
        self.seconds: list[float] = [float(r["seconds"]) for r in store.records if "seconds" in r]
        self._stripped: dict[int, tuple[weakref.ref, Segment]] = {}

    def no_frames(self, segment: Segment) -> Segment:
        """The clip as the store keeps it (frames are megabytes a clip and are not stored); the same
        object each time for one clip, so a clip in two pairs is stored once. Why a weak reference:
        an id is reused once its clip is freed, and must then not map to the old clip."""
        key = id(segment)
        entry = self._stripped.get(key)
        if entry is None or entry[0]() is not segment:
            if len(self._stripped) > 4096:  # forget the clips that are gone
                self._stripped = {k: v for k, v in self._stripped.items() if v[0]() is not None}
            entry = (weakref.ref(segment), dataclasses.replace(segment, frames=None))
            self._stripped[key] = entry
        return entry[1]

    def status(self, asked: int, describe: str | None = None) -> str:
        of = f" of {self.total}" if self.total else ""
        pace = f", {statistics.median(self.seconds):.1f} s a label" if self.seconds else ""
        describe = self.describe if describe is None else describe
        return f"label {asked + 1}{of}{pace}" + (f" - {describe}" if describe else "")

    def label(self, left: Segment, right: Segment) -> float | None:
        return self.label_pairs([(left, right)])[0]

    def ask(self, left: Segment, right: Segment, should_stop=None, describe: str | None = None, **meta):
        """Show one pair until a key answers; a label is on disk when this returns. Returns the Answer
        (an "undo" is left to the caller, who knows which pair to ask again; "stop" when ``should_stop()``
        became true first); "quit" raises PersonQuit. ``meta`` goes into the record (e.g. timestep)."""
        started = self.clock()
        status = self.status(len(self.store.records), describe)
        answer = self.window.ask(left, right, status, should_stop=should_stop)
        if answer.kind == "quit":
            raise PersonQuit(f"stopped after {len(self.store.records)} answers, all saved in {self.store.path}")
        if answer.kind == "label":
            seconds = self.clock() - started
            self.store.append(self.no_frames(left), self.no_frames(right), answer.label, teacher=self.name,
                              source=self.source, seconds=round(seconds, 3), **meta)
            self.seconds.append(seconds)
            self.labels_given += 1
        return answer

    def wait(self, status: str) -> None:
        """One frame of "nothing to answer yet" (escape still works: twice raises PersonQuit)."""
        if self.window.wait(status) == "quit":
            raise PersonQuit(f"stopped after {len(self.store.records)} answers, all saved in {self.store.path}")

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


def agreement_with_exact_teacher(store) -> float | None:
    """Share of the person's decided answers (1 or 0) that an exact teacher reading the clips' true
    rewards gives too, on the same pairs (pairs whose true returns are equal are left out)."""
    decided = [(store.segments[r["left"]], store.segments[r["right"]], r["label"]) for r in store.records
               if r.get("label") in (0.0, 1.0)]
    truth = [(a.true_return(), b.true_return(), lab) for a, b, lab in decided]
    scored = [(ra > rb) == (lab == 1.0) for ra, rb, lab in truth if ra != rb]
    return sum(scored) / len(scored) if scored else None


def answer_summary(store) -> dict:
    """``answers``, ``labels``, ``skipped``, and over the answers that record their ``seconds``:
    ``labels_per_minute`` (per minute spent answering; waits between pairs are not counted),
    ``median_seconds_per_label``, and ``agreement_with_exact_teacher`` where it can be computed."""
    seconds = [float(r["seconds"]) for r in store.records if "seconds" in r]
    out = {"answers": len(store.records), "labels": len(store), "skipped": sum(r["label"] is None for r in store.records)}
    if seconds:
        out["median_seconds_per_label"] = statistics.median(seconds)
        out["labels_per_minute"] = 60.0 * len(seconds) / max(sum(seconds), 1e-9)
    agree = agreement_with_exact_teacher(store)
    if agree is not None:
        out["agreement_with_exact_teacher"] = agree
    return out
