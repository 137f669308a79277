"""A table of actions, one per state, with Stable-Baselines3's ``predict``; and the optimal one.

Why: the expert of a tabular env and the policies MaxEnt IRL and apprenticeship learning recover
are all "look the state up in a table"; one class serves them, the DAgger wrapper and evaluation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlhf_gym.planning.value_iteration import HardPlan, solve_env

MAX_PLAN_ENTRIES = 20_000_000  # about 160 MB of float64 values: larger time-indexed plans keep t = 0 only


class TabularPolicy:
    """A per-state action table ``policy`` (S,) with SB3's batched ``predict`` (observations decoded
    by the env's ``state_from_obs``).

    ``values`` (S,) and ``solution`` (the full :class:`HardPlan`) are set when the table came from
    value iteration (:func:`optimal_policy`); they are ``None`` otherwise.
    """

    def __init__(self, env: Any, actions: np.ndarray, values: np.ndarray | None = None,
                 solution: HardPlan | None = None):
        self.env = env.unwrapped
        self.policy = np.asarray(actions, dtype=np.int64)
        if self.policy.shape != (self.env.n_states,):
            raise ValueError(f"actions: shape {self.policy.shape}; allowed: ({self.env.n_states},), one per state")
        self.values = values
        self.solution = solution

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = True):
        """Actions for a batch of observations (or one observation -> a 0-d array), and ``state``.

        ``deterministic`` is accepted for SB3 compatibility; the table is always deterministic.
        """
        states = self.env.state_from_obs(observation)
        return np.asarray(self.policy[states]), state

    def __call__(self, observation):
        return self.predict(observation)[0]


def optimal_policy(env: Any, horizon: int | None = None) -> TabularPolicy:
    """The optimal policy of a tabular env (wrapped or not) as a :class:`TabularPolicy`.

    Observations carry no clock, so the table is the policy for the longest remaining horizon
    (``solution.actions[0]``), used at every step. In goal and lava layouts that policy is optimal
    from every state for any remaining time long enough to reach the goal; in ObjectWorld it
    differs from the time-indexed optimum only in the last steps. ``solution`` holds the full
    time-indexed plan for code that tracks time itself, unless it would exceed
    ``MAX_PLAN_ENTRIES`` numbers (then it holds t = 0 only). ``values`` is V_0 per state.
    """
    base = env.unwrapped
    steps = base.horizon if horizon is None else horizon
    keep_all = (steps + 1) * base.n_states <= MAX_PLAN_ENTRIES
    solution = solve_env(base, horizon, keep_all=keep_all)
    return TabularPolicy(base, solution.actions[0], values=solution.values[0], solution=solution)


__all__ = ["MAX_PLAN_ENTRIES", "TabularPolicy", "optimal_policy"]
