"""Demonstrations as the planners see them: state sequences and their empirical reward counts.

Why: MaxEnt IRL and apprenticeship learning compare what the expert did with what a plan is
expected to do; this is the "what the expert did" half, plus Monte-Carlo episodes of a plan that
tests use to check the exact forward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlhf_gym.planning.model import TabularModel


def demo_reward_counts(model: TabularModel, state_sequences: list[np.ndarray], discount: float = 1.0) -> np.ndarray:
    """Empirical per-episode average of ``reward_counts`` from demonstrated state sequences (s_0..s_T)."""
    if len(state_sequences) == 0:
        raise ValueError("demonstrations: an empty set; allowed: at least one episode")
    counts = np.zeros(model.n_states)
    for states in state_sequences:
        states = np.asarray(states, dtype=np.int64)
        if len(states) - 1 > model.horizon:
            raise ValueError(
                f"demonstrations: an episode of {len(states) - 1} steps exceeds the model's horizon {model.horizon}"
            )
        visited = states[1:] if model.reward_on == "next_state" else states[:-1]
        np.add.at(counts, visited, discount ** np.arange(len(visited)))
    return counts / len(state_sequences)


def trajectory_states(env: Any, trajectories: list) -> list[np.ndarray]:
    """State indices of each demonstration's observations via ``env.unwrapped.state_from_obs``."""
    base = env.unwrapped
    if not hasattr(base, "state_from_obs"):
        raise ValueError(f"env: {type(base).__name__} has no state_from_obs; allowed: tabular envs like GridWorld")
    if len(trajectories) == 0:
        raise ValueError("demonstrations: an empty set; allowed: at least one episode")
    return [np.asarray(base.state_from_obs(np.asarray(t.obs)), dtype=np.int64).reshape(-1) for t in trajectories]


def sample_states(model: TabularModel, plan: Any, n_episodes: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Monte-Carlo episodes (state sequences s_0..s_end) of a plan in the model, all episodes at once.

    Uses a dense copy of the transitions, so it is meant for tests and small grids.
    """
    s_count, a_count = model.n_states, model.n_actions
    cum_p = np.cumsum(model.transitions.toarray(), axis=1)
    states = rng.choice(s_count, size=n_episodes, p=model.initial)
    history = np.full((model.horizon + 1, n_episodes), -1, dtype=np.int64)
    history[0] = states
    alive = ~model.terminal[states]
    for t in range(model.horizon):
        idx = np.nonzero(alive)[0]
        if idx.size == 0:
            break
        cur = history[t, idx]
        cum_pi = np.cumsum(np.asarray(plan.policy_at(t), dtype=np.float64)[cur], axis=1)
        u = rng.random(idx.size) * cum_pi[:, -1]
        actions = np.minimum((cum_pi <= u[:, None]).sum(axis=1), a_count - 1)
        rows = cum_p[cur * a_count + actions]
        u = rng.random(idx.size) * rows[:, -1]
        nxt = np.minimum((rows <= u[:, None]).sum(axis=1), s_count - 1)
        history[t + 1, idx] = nxt
        alive[idx] = ~model.terminal[nxt]
    return [col[col >= 0] for col in history.T]


__all__ = ["demo_reward_counts", "sample_states", "trajectory_states"]
