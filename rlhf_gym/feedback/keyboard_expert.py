"""A person as DAgger's expert: the learner drives, the person presses the move the expert would make.

Why each answer goes to disk at once, keyed by the state: a person's answers are the scarcest thing
in the project, and DAgger asks about the states the learner visits, which repeat across rounds and
sessions. A state answered before (the same observation, to the byte) is answered from memory, so a
person is never asked the same question twice, and a stopped session loses nothing.

What a question looks like and which keys answer it is the env's *key map* (``key_map_for``), an
object with ``begin(env, learner_action)``, ``frame() -> (H, W, 3) uint8``, ``caption() -> str`` and
``press(key) -> action or None`` (None: not answered yet, e.g. a ghost piece moved or a hint shown):

- GridWorld family (``GridKeys``): the env's frame; arrows (up, right, down, left), space = stay.
- Tetris (``rlhf_gym.feedback.tetris_keys.TetrisKeys``): a ghost piece at the learner's intended
  placement, moved with the arrows and placed with Enter.

Escape, or closing the window, stops (``ExpertQuit``) with every answer so far on disk.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from rlhf_gym.data.durable import append_line

SUPPORTED = "GridWorld-family envs (arrow keys) or rlhf_gym/Tetris-v0 (a ghost piece moved with the arrow keys)"


class ExpertQuit(Exception):
    """The person pressed escape or closed the window (every answer so far is on disk)."""


def grid_keys():
    """GridWorld's actions by key: up 0, right 1, down 2, left 3, stay 4."""
    import pygame

    return {pygame.K_UP: 0, pygame.K_RIGHT: 1, pygame.K_DOWN: 2, pygame.K_LEFT: 3, pygame.K_SPACE: 4}


class GridKeys:
    """One key per action: the env's own frame, the learner's intended move in the window's title."""

    def __init__(self, keys: dict | None = None, action_names=None):
        import pygame

        self._k = pygame
        self.keys = grid_keys() if keys is None else keys
        self.action_names = action_names
        self.learner = self.hint = None
        self._frame = None

    def begin(self, env, learner_action) -> None:
        self._frame = env.render()
        if self._frame is None:
            raise ValueError(f"env: render_mode {env.unwrapped.render_mode!r}; allowed: 'rgb_array'")
        if self.action_names is None:
            self.action_names = getattr(env.unwrapped, "action_names", None)
        self.learner, self.hint = learner_action, None

    def _name(self, action) -> str:
        if action is None:
            return "?"
        a = int(np.asarray(action).reshape(-1)[0])
        return self.action_names[a] if self.action_names is not None and a < len(self.action_names) else str(a)

    def frame(self) -> np.ndarray:
        return self._frame

    def caption(self) -> str:
        text = (f"rlhf-gym: the learner would go {self._name(self.learner)}; your move? (arrows, space: stay, "
                "escape: stop)")
        return f"{text} -- {self.hint}" if self.hint else text

    def press(self, key: int):
        action = self.keys.get(key)
        self.hint = None if action is not None else f"key {self._k.key.name(key) or key} means nothing here"
        return action


def key_map_for(env):
    """The key map for ``env`` (wrapped or not); ValueError naming the env and the supported ones otherwise."""
    from rlhf_gym.envs.gridworld import GridWorldEnv
    from rlhf_gym.envs.tetris import TetrisEnv

    base = env.unwrapped
    if isinstance(base, GridWorldEnv):
        return GridKeys()
    if isinstance(base, TetrisEnv):
        from rlhf_gym.feedback.tetris_keys import TetrisKeys

        return TetrisKeys()
    name = env.spec.id if env.spec is not None else type(base).__name__
    raise ValueError(f"env: {name} has no keyboard expert; allowed: {SUPPORTED}")


class KeyboardExpert:
    """A callable ``obs -> action`` that asks a person; DAgger sets ``learner_action`` before asking.

    ``env`` must render ``rgb_array`` frames; ``key_map`` defaults to ``key_map_for(env)``.
    """

    name = "human"

    def __init__(self, env, answers_path, window=None, key_map=None):
        from rlhf_gym.rendering import FrameWindow

        self.env, self.path = env, Path(answers_path)
        self.key_map = key_map_for(env) if key_map is None else key_map
        self.window = window or FrameWindow("rlhf-gym: your move", fps=30)
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

    def __call__(self, obs):
        obs = np.asarray(obs)
        key = obs.tobytes()
        if key in self.memory:
            return self.memory[key]
        import pygame

        self.key_map.begin(self.env, self.learner_action)
        started = time.monotonic()
        action = None
        while action is None:
            self.window.show(self.key_map.frame())
            pygame.display.set_caption(self.key_map.caption())
            while action is None and self.window.keys:  # keys typed ahead answer the next states
                pressed = self.window.keys.pop(0)
                if pressed == pygame.K_ESCAPE:
                    raise ExpertQuit(f"stopped after {self.asked} answers, all saved in {self.path}")
                action = self.key_map.press(pressed)
            if self.window.closed:
                raise ExpertQuit(f"the window was closed after {self.asked} answers, all saved in {self.path}")
        action = int(action)
        append_line(self.path, json.dumps({"obs": obs.tolist(), "dtype": str(obs.dtype), "action": action,
                                           "learner_action": None if self.learner_action is None
                                           else int(np.asarray(self.learner_action).reshape(-1)[0]),
                                           "seconds": round(time.monotonic() - started, 3), "source": "human"}))
        self.memory[key] = action
        self.asked += 1
        return action
