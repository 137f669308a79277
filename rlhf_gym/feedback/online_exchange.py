"""Where the training thread and the person meet: a bounded queue of pairs, a channel of answers.

Why a queue and not a call: a person answers in seconds, the agent makes thousands of steps a
second. The training side puts pairs up (``offer``) whenever there is room and never waits for an
answer; the person side takes them one at a time (``take``) and sends every answer back (``give``);
the training side picks up all answers that arrived (``collect``) at its next rollout end and refits.
The queue is small (``capacity``) so that a pair is never much older than the reward model that chose
it, and it never holds more pairs than the label budget can still use.

Time is booked on both sides: ``person_waited_seconds`` (labels still wanted, nothing to answer) and
``agent_stalled_seconds`` (the training side blocked on answers: only ever while it waits for the
first few labels, see ``PreferenceLearningCallback``'s ``first_labels``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from rlhf_gym.data.segments import Segment


@dataclass
class Offer:
    """One pair put up for the person, made from the agent's clips at ``timestep``."""

    left: Segment
    right: Segment
    timestep: int = 0


@dataclass
class Reply:
    """An answer (``label`` in {1.0, 0.0, 0.5, None}) to an offer; ``retract`` takes an earlier one back.
    ``left`` and ``right`` are the clips as stored (without frames)."""

    left: Segment
    right: Segment
    label: float | None = None
    retract: bool = False
    timestep: int = field(default=0, compare=False)


class PairExchange:
    """Thread-safe pairs one way, answers the other, for a budget of ``budget`` answers (skips included).

    Training side: ``room``, ``offer``, ``collect``, ``wait_for_reply``, ``stopped``, ``agent_step``.
    Person side: ``take``, ``give``, ``retract``, ``drop``, ``quit``. The session: ``close``.
    """

    asynchronous = True   # PreferenceLearningCallback: pairs are offered, answers collected later
    writes_labels = True  # the person side writes each answer to the label store as it is given
    name = "human"

    def __init__(self, budget: int, capacity: int = 3, clock=time.monotonic, answered: int = 0, labelled: int = 0):
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"PairExchange: budget={budget!r}; allowed: an integer >= 1")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"PairExchange: capacity={capacity!r}; allowed: an integer >= 1")
        self.budget, self.capacity, self.clock = budget, capacity, clock
        self._cond = threading.Condition()
        self._queue: deque[Offer] = deque()
        self._replies: list[Reply] = []
        self.answered = answered  # answers given, net of those taken back (``answered``: in an earlier session)
        self.labelled = labelled  # of which not skipped
        self.in_hand = 0         # pairs the person side took and has not answered
        self.stopped = False     # the person quit: the training stops
        self.closed = False      # the training ended: the person stops
        self.agent_step = 0      # the agent's timestep, for the person's status line
        self.started = clock()
        self.labelling_ended: float | None = None  # when the budget was spent, or the session ended
        self.person_waited_seconds = 0.0
        self.agent_stalled_seconds = 0.0
        self._idle_since: float | None = None

    # ---- training side --------------------------------------------------------------
    def room(self) -> int:
        """How many pairs ``offer`` takes now (0 after a quit or once the budget is spoken for)."""
        with self._cond:
            if self.stopped or self.closed:
                return 0
            left = self.budget - self.answered - self.in_hand - len(self._queue)
            return max(0, min(self.capacity - len(self._queue), left))

    def offer(self, pairs, timestep: int = 0) -> int:
        """Queue up to ``room()`` of ``pairs``; returns how many were queued."""
        with self._cond:
            n = min(len(pairs), self.room())
            self._queue.extend(Offer(a, b, int(timestep)) for a, b in pairs[:n])
            if n:
                self._cond.notify_all()
            return n

    def collect(self) -> list[Reply]:
        """Every reply that arrived since the last call, in order."""
        with self._cond:
            out, self._replies = self._replies, []
            return out

    def pending_replies(self) -> int:
        with self._cond:
            return len(self._replies)

    def wait_for_reply(self, timeout: float) -> None:
        """Block until a reply arrives, the person quits or ``timeout`` seconds pass (booked as stalled)."""
        started = self.clock()
        with self._cond:
            self._cond.wait_for(lambda: self._replies or self.stopped or self.closed, timeout)
        self.agent_stalled_seconds += self.clock() - started

    def person_busy(self) -> bool:
        """Whether the person has a pair to answer (queued or in hand)."""
        with self._cond:
            return bool(self._queue) or self.in_hand > 0

    def labels_wanted(self) -> bool:
        with self._cond:
            return self.answered < self.budget and not self.stopped

    # ---- person side -------------------------------------------------------------------
    def take(self, timeout: float) -> Offer | None:
        """The next pair, waiting up to ``timeout`` seconds; time with labels wanted and nothing to
        answer is booked as ``person_waited_seconds``."""
        with self._cond:
            if not self._queue and self._idle_since is None and self._still_asking():
                self._idle_since = self.clock()
            if not self._queue:
                self._cond.wait_for(lambda: self._queue or self.stopped or self.closed, timeout)
            if not self._queue or self.stopped:
                return None
            self._end_idle()
            self.in_hand += 1
            return self._queue.popleft()

    def give(self, offer: Offer, left: Segment, right: Segment, label: float | None) -> Reply:
        """The person answered ``offer`` (already on disk); ``left``/``right`` as stored. Returns the reply."""
        reply = Reply(left, right, label, timestep=offer.timestep)
        with self._cond:
            self.in_hand -= 1
            self.answered += 1
            self.labelled += label is not None
            self._replies.append(reply)
            if self.answered >= self.budget and self.labelling_ended is None:
                self.labelling_ended = self.clock()
            self._cond.notify_all()
        return reply

    def retract(self, reply: Reply) -> None:
        """The person took ``reply`` back (undo); its pair is in the person's hand again."""
        with self._cond:
            self.in_hand += 1
            self.answered -= 1
            self.labelled -= reply.label is not None
            self._replies.append(Reply(reply.left, reply.right, reply.label, retract=True, timestep=reply.timestep))
            self.labelling_ended = None
            self._cond.notify_all()

    def drop(self, n: int = 1) -> None:
        """``n`` pairs in hand will not be answered (the session ended first)."""
        with self._cond:
            self.in_hand -= n

    def quit(self) -> None:
        """The person quit: the training side stops at its next step."""
        with self._cond:
            self.stopped = True
            self._end_labelling()
            self._cond.notify_all()

    # ---- the session ---------------------------------------------------------------------
    def close(self) -> None:
        """The training ended: the person side stops asking."""
        with self._cond:
            self.closed = True
            self._end_labelling()
            self._cond.notify_all()

    def shares(self) -> dict:
        """``person_waited_share``: of the labelling time (session start until the budget was spent or
        the session ended), the share with nothing to answer; ``agent_stalled_share`` is left to the
        caller, who knows the training's wall time."""
        with self._cond:
            end = self.labelling_ended if self.labelling_ended is not None else self.clock()
            waited = self.person_waited_seconds + (0.0 if self._idle_since is None else end - self._idle_since)
            return {"person_waited_seconds": waited, "labelling_seconds": end - self.started,
                    "person_waited_share": waited / max(end - self.started, 1e-9)}

    def _still_asking(self) -> bool:
        return self.answered < self.budget and not self.stopped and not self.closed

    def _end_idle(self) -> None:
        if self._idle_since is not None:
            self.person_waited_seconds += self.clock() - self._idle_since
            self._idle_since = None

    def _end_labelling(self) -> None:
        self._end_idle()
        if self.labelling_ended is None:
            self.labelling_ended = self.clock()
