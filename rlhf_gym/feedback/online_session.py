"""A person trains an agent online, and nobody waits: the agent learns in a background thread while
the person answers in the main thread (a window must own the main thread on most platforms).

The training side (``PreferenceLearningCallback`` with a ``PairExchange`` as its teacher) puts pairs
of fresh clips up whenever the queue has room and takes the answers that arrived at each rollout end;
the person side, here, shows one pair at a time and sends each answer back the moment it is on disk.
Escape twice stops everything cleanly: the training ends at its next step, every answer is on disk,
and the caller writes its results. When the training ends first (its step budget is spent), the pair
on screen is dropped unanswered.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from rlhf_gym.feedback.human import HumanTeacher, PersonQuit
from rlhf_gym.feedback.online_exchange import PairExchange


class OnlineSession:
    """``run(train)`` calls ``train()`` in a thread and answers pairs from ``exchange`` with ``teacher``
    (a HumanTeacher over a ComparisonWindow, or over a SimulatedPerson) until the training ends or the
    person quits. ``undo_depth`` answers can be taken back (backspace), newest first."""

    def __init__(self, exchange: PairExchange, teacher: HumanTeacher, poll_seconds: float = 0.02,
                 undo_depth: int = 10):
        self.exchange, self.teacher = exchange, teacher
        self.poll, self.undo_depth = float(poll_seconds), int(undo_depth)
        self.quit_message: str | None = None
        self.training_seconds = 0.0
        self._error: BaseException | None = None

    def run(self, train) -> dict:
        """Returns the time shares: ``person_waited_share``, ``agent_stalled_share`` (and their seconds)."""
        x = self.exchange
        thread = threading.Thread(target=self._train, args=(train,), name="rlhf-training", daemon=True)
        thread.start()
        try:
            self._person_loop()
        except PersonQuit as stop:
            self.quit_message = str(stop)
            x.quit()
        except BaseException:
            x.quit()
            thread.join()
            raise
        finally:
            x.drop(x.in_hand)
        thread.join()
        if self._error is not None:
            raise self._error
        shares = x.shares()
        shares["agent_stalled_seconds"] = x.agent_stalled_seconds
        shares["training_seconds"] = self.training_seconds
        shares["agent_stalled_share"] = x.agent_stalled_seconds / max(self.training_seconds, 1e-9)
        return shares

    def _train(self, train) -> None:
        started = time.perf_counter()
        try:
            train()
        except BaseException as err:  # re-raised in the main thread
            self._error = err
        finally:
            self.training_seconds = time.perf_counter() - started
            self.exchange.close()

    def _person_loop(self) -> None:
        x, teacher = self.exchange, self.teacher
        redo: deque = deque()                              # pairs to show again after an undo
        given: deque = deque(maxlen=self.undo_depth)       # (offer, reply) of the latest answers
        ended = lambda: x.closed or x.stopped  # noqa: E731
        while not ended():
            offer = redo.popleft() if redo else x.take(self.poll)
            if offer is None:
                teacher.wait(self._waiting_status())
                continue
            answer = teacher.ask(offer.left, offer.right, should_stop=ended,
                                 describe=f"clips of the agent at step {offer.timestep:,}", timestep=offer.timestep)
            if answer.kind == "stop":
                return
            if answer.kind == "undo":
                redo.appendleft(offer)
                if given:
                    previous, reply = given.pop()
                    teacher.undo()
                    x.retract(reply)
                    redo.appendleft(previous)
                continue
            reply = x.give(offer, teacher.no_frames(offer.left), teacher.no_frames(offer.right), answer.label)
            given.append((offer, reply))

    def _waiting_status(self) -> str:
        x = self.exchange
        if x.answered >= x.budget:
            return f"all {x.budget} labels given; the agent trains on (step {x.agent_step:,}); esc esc stops it"
        return f"waiting for the agent's next clips: {x.answered} of {x.budget} labels given (agent at step {x.agent_step:,})"
