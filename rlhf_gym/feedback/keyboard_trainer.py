"""A person as TAMER's trainer: they watch the agent play and press + (good) or - (bad).

Why the trainer owns the pace: a person needs time to judge a move, so each move stays on screen
for ``seconds_per_step`` of real time, the same time base TAMER credits signals with (step i is
shown from t_i = i x seconds_per_step). A key pressed at real time τ after the episode began becomes
``Signal(τ, ±1)``; TAMER's delay model decides which moves it was about. Escape stops training
(everything learned so far is saved by the caller; ``rlhf-gym tamer --resume`` goes on).

The same interface as the simulated trainer: ``begin_episode()``, ``watch(env, obs, action, time)``,
``signals(until)``.
"""

from __future__ import annotations

import time as _time

from rlhf_gym.feedback.simulated_trainer import Signal


class TrainerQuit(Exception):
    """The person pressed escape or closed the window."""


class KeyboardTrainer:
    """Shows each move for ``seconds_per_step`` in ``window`` (a FrameWindow) and turns + / - keys into signals."""

    name = "human"

    def __init__(self, window, seconds_per_step: float, clock=_time.monotonic):
        if not seconds_per_step > 0:
            raise ValueError(f"seconds_per_step: {seconds_per_step!r}; allowed: a number > 0")
        self.window, self.seconds_per_step, self.clock = window, float(seconds_per_step), clock
        self.given = 0
        self._start: float | None = None
        self._pending: list[Signal] = []

    def begin_episode(self) -> None:
        self._start, self._pending = None, []

    def watch(self, env, obs, action, time: float) -> None:
        """Show the state the agent acts in until the move's time on screen is over, reading keys."""
        import pygame

        if self._start is None:
            self._start = self.clock() - time
        frame = env.render()
        if frame is None:
            raise ValueError("KeyboardTrainer: the env renders nothing; allowed: an env made with render_mode='rgb_array'")
        deadline = self._start + time + self.seconds_per_step
        while True:
            self.window.show(frame)
            now = self.clock()
            for key in self.window.keys:
                if key in (pygame.K_ESCAPE,):
                    raise TrainerQuit(f"stopped by the trainer after {self.given} signals")
                value = {pygame.K_PLUS: 1.0, pygame.K_EQUALS: 1.0, pygame.K_KP_PLUS: 1.0,
                         pygame.K_MINUS: -1.0, pygame.K_KP_MINUS: -1.0}.get(key)
                if value is not None:
                    self._pending.append(Signal(now - self._start, value))
                    self.given += 1
            self.window.keys.clear()
            if self.window.closed:
                raise TrainerQuit(f"the window was closed after {self.given} signals")
            if now >= deadline:
                return

    def signals(self, until: float | None = None) -> list[Signal]:
        """The key presses before ``until`` seconds (all when None), oldest first; they are handed over once."""
        due = [s for s in self._pending if until is None or s.time < until]
        self._pending = [s for s in self._pending if not (until is None or s.time < until)]
        return due
