"""DAgger's expert queries as a gymnasium wrapper.

On every step the wrapper asks the expert what it would do in the state the agent is in
(``info["expert_action"]``), records that (observation, expert action) pair, and executes the
expert's action instead of the agent's with probability β. β = 1 is pure demonstration (BC's
data), β = 0 lets the learner drive while the expert still labels every visited state — which
is what fixes behavioural cloning's compounding error (Ross et al. 2011).

With ``ask_once=True`` the wrapper remembers each answer by the exact observation and asks
again only about states not seen before: a person (or any deterministic expert) is never asked
the same question twice, and only real questions count as queries and labels. On continuous
observations states never repeat exactly, so it changes nothing there.

The coin for β comes from the wrapper's own generator: seeded by ``seed`` and reseeded by
``reset(seed=...)``, so a seeded run is reproducible and the agent's randomness is untouched.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from rlhf_gym.data.trajectories import check_action, query_expert
from rlhf_gym.wrappers.last_observation import LastObservation

_RESEED_TAG = 0xDA66E2  # mixes the reset seed so the coin stream differs from the env's own


def check_beta(beta: Any) -> float:
    """β as a float in [0, 1], else ValueError naming the value."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)):
        raise ValueError(f"beta: {beta!r}; allowed: a number in [0, 1]")
    value = float(beta)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"beta: {value}; allowed: a number in [0, 1]")
    return value


class DAgger(LastObservation):
    """Wrap ``env`` so that ``expert`` labels every visited state and acts with probability ``beta``.

    ``expert`` has SB3's ``predict`` or is a callable ``obs -> action`` (a person, a controller).
    ``record=False`` keeps the labels out of the dataset (the info still carries them).
    ``ask_once=True`` answers a state asked about before from memory (no query, no new label).
    """

    def __init__(self, env: gym.Env, expert: Any, beta: float = 1.0, *, seed: int | None = None, record: bool = True,
                 ask_once: bool = False):
        super().__init__(env)
        if not (hasattr(expert, "predict") or callable(expert)):
            raise TypeError(
                f"expert: {type(expert).__name__!r} has no predict method and is not callable; "
                "allowed: an object with SB3's predict or a callable obs -> action"
            )
        self.expert = expert
        self.beta = beta
        self.record = bool(record)
        self.ask_once = bool(ask_once)
        self._answers: dict[bytes, Any] = {}
        self._rng = np.random.default_rng(seed)
        self.observations: list[Any] = []
        self.expert_actions: list[Any] = []
        self.n_queries = 0
        self.n_expert_steps = 0
        self.n_steps = 0

    @property
    def beta(self) -> float:
        return self._beta

    @beta.setter
    def beta(self, value: float) -> None:
        self._beta = check_beta(value)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._rng = np.random.default_rng([int(seed), _RESEED_TAG])
        return super().reset(seed=seed, options=options)

    def step(self, action):
        state = self.last_obs()
        key = np.asarray(state).tobytes() if self.ask_once else None
        queried = not self.ask_once or key not in self._answers
        if queried:
            if hasattr(self.expert, "learner_action"):  # a person sees what the learner meant to do
                self.expert.learner_action = action
            expert_action = query_expert(self.expert, state, self.action_space)
            self.n_queries += 1
            if self.ask_once:
                self._answers[key] = expert_action
            if self.record:
                self.observations.append(np.array(state, copy=True))
                self.expert_actions.append(expert_action)
        else:
            expert_action = self._answers[key]
        use_expert = bool(self._rng.random() < self._beta)
        if use_expert:
            executed = expert_action
            self.n_expert_steps += 1
        else:
            executed = check_action(action, self.action_space, "agent")
        self.n_steps += 1
        obs, reward, terminated, truncated, info = self.env.step(executed)
        info = dict(info)
        info["expert_action"] = expert_action
        info["agent_action"] = action
        info["executed_expert"] = use_expert
        info["expert_queried"] = queried
        self._obs = obs
        return obs, reward, terminated, truncated, info

    def dataset(self) -> tuple[np.ndarray, np.ndarray]:
        """The aggregated (observations, expert actions) recorded so far."""
        if not self.observations:
            raise ValueError("DAgger.dataset: no expert labels recorded yet; step the wrapped env first")
        return np.asarray(self.observations), np.asarray(self.expert_actions)

    def clear(self) -> None:
        """Forget the recorded labels (the query counters keep counting)."""
        self.observations.clear()
        self.expert_actions.clear()


__all__ = ["DAgger", "check_beta"]
