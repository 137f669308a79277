"""A person as DAgger's expert: the learner drives, the person presses the move the expert would make.

Why each answer goes to disk at once, keyed by the state: a person's answers are the scarcest thing
in the project, and DAgger asks about the states the learner visits, which repeat across rounds and
sessions. A state answered before (the same observation, to the byte) is answered from memory, so a
person is never asked the same question twice, and a stopped session loses nothing.

The window shows the state and, in its title, the learner's intended move. GridWorld keys: arrows
(up, right, down, left), space = stay; escape stops (``ExpertQuit``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from rlhf_gym.data.durable import append_line


class ExpertQuit(Exception):
    """The person pressed escape or closed the window (every answer so far is on disk)."""


def grid_keys():
    """GridWorld's actions by key: up 0, right 1, down 2, left 3, stay 4."""
    import pygame

    return {pygame.K_UP: 0, pygame.K_RIGHT: 1, pygame.K_DOWN: 2, pygame.K_LEFT: 3, pygame.K_SPACE: 4}


class KeyboardExpert:
    """A callable ``obs -> action`` that asks a person; DAgger sets ``learner_action`` before asking."""

    name = "human"

    def __init__(self, env, answers_path, window=None, keys: dict | None = None, action_names=None):
        from rlhf_gym.rendering import FrameWindow

        self.env, self.path = env, Path(answers_path)
        self.window = window or FrameWindow("rlhf-gym: your move", fps=30)
        self.keys = grid_keys() if keys is None else keys
        self.action_names = action_names or getattr(env.unwrapped, "action_names", None)
        self.learner_action = None
        self.asked = 0
        self.memory: dict[bytes, int] = {}
        if self.path.exists():
            for number, line in enumerate(self.path.read_text().splitlines(), start=1):
                try:
                    record = json.loads(line)
                    self.memory[np.asarray(record["obs"], dtype=record["dtype"]).tobytes()] = int(record["action"])
                except (ValueError, KeyError, TypeError):
                    import warnings

                    warnings.warn(f"{self.path}:{number}: a damaged answer, skipped", stacklevel=2)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _name(self, action) -> str:
        if action is None:
            return "?"
        a = int(np.asarray(action).reshape(-1)[0])
        return self.action_names[a] if self.action_names is not None and a < len(self.action_names) else str(a)

    def __call__(self, obs):
        obs = np.asarray(obs)
        key = obs.tobytes()
        if key in self.memory:
            return self.memory[key]
        import pygame

        frame = self.env.render()
        started = time.monotonic()
        action = None
        while action is None:
            self.window.show(frame)
            pygame.display.set_caption(f"rlhf-gym: the learner would go {self._name(self.learner_action)}; "
                                       "your move? (arrows, space: stay, escape: stop)")
            while action is None and self.window.keys:  # keys typed ahead answer the next states
                pressed = self.window.keys.pop(0)
                if pressed == pygame.K_ESCAPE:
                    raise ExpertQuit(f"stopped after {self.asked} answers, all saved in {self.path}")
                action = self.keys.get(pressed)
            if self.window.closed:
                raise ExpertQuit(f"the window was closed after {self.asked} answers, all saved in {self.path}")
        append_line(self.path, json.dumps({"obs": obs.tolist(), "dtype": str(obs.dtype), "action": action,
                                           "learner_action": None if self.learner_action is None
                                           else int(np.asarray(self.learner_action).reshape(-1)[0]),
                                           "seconds": round(time.monotonic() - started, 3), "source": "human"}))
        self.memory[key] = action
        self.asked += 1
        return action
