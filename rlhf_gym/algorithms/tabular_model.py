"""Planning over a known tabular model: soft and hard finite-horizon value iteration, visitation.

Shared by maximum-entropy IRL and apprenticeship learning. Everything is vectorised over
states with the sparse transition matrix ``P`` of shape (S*A, S) (row ``s*A + a``), so a
256×256 grid (65,536 states) costs a few sparse mat-vecs per time step.

Conventions (those of rlhf_gym's GridWorld, read from the env):
- reward is collected on ENTERING a state, r(s, a, s') = r(s'), and never from a terminal
  state (``reward_on="next_state"``); ``reward_on="state"`` instead pays r(s) for acting in s;
- an episode ends on entering a terminal state, so terminal states have value 0 and carry no
  probability mass onward; the horizon is the env's number of steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

REWARD_ON = ("next_state", "state")


@dataclass
class TabularModel:
    """What the planners need, in one place (built from an env by :func:`tabular_model`)."""

    transitions: sparse.csr_matrix
    n_states: int
    n_actions: int
    horizon: int
    initial: np.ndarray
    features: np.ndarray
    terminal: np.ndarray
    reward_on: str = "next_state"
    true_rewards: np.ndarray | None = None

    def __post_init__(self):
        s, a = self.n_states, self.n_actions
        if self.transitions.shape != (s * a, s):
            raise ValueError(f"transitions: shape {self.transitions.shape}; expected (S*A, S) = ({s * a}, {s})")
        if self.reward_on not in REWARD_ON:
            raise ValueError(f"reward_on: {self.reward_on!r}; allowed: {REWARD_ON}")
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, (int, np.integer)) or self.horizon < 1:
            raise ValueError(f"horizon: {self.horizon!r}; allowed: an integer >= 1")
        self.transitions = sparse.csr_matrix(self.transitions)
        # Action-major copies (row a*S + s): per-action blocks make the max/sum over actions
        # element-wise operations on contiguous rows, several times faster than reducing (S, A).
        order = (np.arange(s)[None, :] * a + np.arange(a)[:, None]).reshape(-1)
        self.transitions_am = self.transitions[order].tocsr()
        self.transitions_am_t = self.transitions_am.T.tocsr()  # for the forward (visitation) pass
        self.initial = np.asarray(self.initial, dtype=np.float64)
        self.features = np.asarray(self.features, dtype=np.float64)
        self.terminal = np.asarray(self.terminal, dtype=bool)
        self.live = ~self.terminal

    def action_rewards(self, state_rewards: np.ndarray) -> np.ndarray:
        """Expected one-step reward per (action, state), shape (A, S); zero from terminal states."""
        r = np.asarray(state_rewards, dtype=np.float64)
        if r.shape != (self.n_states,) or not np.all(np.isfinite(r)):
            raise ValueError(f"state_rewards: shape {r.shape}; allowed: finite values of shape ({self.n_states},)")
        if self.reward_on == "next_state":
            out = (self.transitions_am @ r).reshape(self.n_actions, self.n_states)
        else:
            out = np.repeat(r[None, :], self.n_actions, axis=0)
        out[:, self.terminal] = 0.0
        return out


def tabular_model(env: Any, horizon: int | None = None) -> TabularModel:
    """Read the tabular model of ``env.unwrapped``; a clear error when the env has none."""
    base = getattr(env, "unwrapped", env)
    needed = ("n_states", "n_actions", "initial_state_distribution", "state_features", "horizon")
    missing = [name for name in needed if not hasattr(base, name)]
    if missing or not (hasattr(base, "transition_sparse") or hasattr(base, "transition_matrix")):
        raise ValueError(
            f"env: {type(base).__name__} has no tabular model (missing {missing or ['transition_sparse']}); "
            "allowed: envs whose unwrapped has n_states, n_actions, transition_sparse (or transition_matrix), "
            "initial_state_distribution, state_features and horizon, like rlhf_gym/GridWorld-v0"
        )
    s, a = int(base.n_states), int(base.n_actions)
    if hasattr(base, "transition_sparse"):
        transitions = base.transition_sparse
    else:
        transitions = sparse.csr_matrix(np.asarray(base.transition_matrix).reshape(s * a, s))
    terminal = getattr(base, "terminal_states", np.zeros(s, dtype=bool))
    true_rewards = getattr(base, "state_rewards", None)
    return TabularModel(
        transitions=transitions, n_states=s, n_actions=a, horizon=int(horizon or base.horizon),
        initial=base.initial_state_distribution, features=base.state_features, terminal=terminal,
        reward_on=getattr(base, "reward_on", "next_state"), true_rewards=true_rewards,
    )


# --------------------------------------------------------------------------- planning
@dataclass
class SoftPlan:
    """Soft (MaxEnt) finite-horizon plan: ``policy[t, a, s]`` is π_t(a|s) (action-major, float32)."""

    values: np.ndarray
    policy: np.ndarray

    def action_major(self, t: int) -> np.ndarray:
        return self.policy[t]

    def policy_at(self, t: int) -> np.ndarray:
        """π_t as (S, A)."""
        return self.policy[t].T


@dataclass
class HardPlan:
    """Optimal finite-horizon plan: ``actions[t, s]`` is the best action with T − t steps left."""

    values: np.ndarray
    actions: np.ndarray
    n_actions: int

    def action_major(self, t: int) -> np.ndarray:
        return (np.arange(self.n_actions)[:, None] == self.actions[t][None, :]).astype(np.float64)

    def policy_at(self, t: int) -> np.ndarray:
        """π_t as (S, A) one-hot rows."""
        return self.action_major(t).T


def _backup(model: TabularModel, r_as: np.ndarray, v_next: np.ndarray, discount: float) -> np.ndarray:
    return r_as + discount * (model.transitions_am @ v_next).reshape(model.n_actions, model.n_states)


def soft_value_iteration(model: TabularModel, state_rewards: np.ndarray, discount: float = 1.0) -> SoftPlan:
    """Backward soft Bellman recursion: V_t(s) = log Σ_a exp Q_t(s,a), Q_t = r + γ P V_{t+1}.

    The policy π_t = exp(Q_t − V_t) is the maximum-entropy distribution over trajectories
    whose probability grows as exp(return) (Ziebart et al. 2008).
    """
    r_as = model.action_rewards(state_rewards)
    s, a, horizon = model.n_states, model.n_actions, model.horizon
    values = np.zeros((horizon + 1, s))
    policy = np.empty((horizon, a, s), dtype=np.float32)
    for t in range(horizon - 1, -1, -1):
        q = _backup(model, r_as, values[t + 1], discount)
        top = q.max(axis=0)
        z = np.exp(q - top)
        total = z.sum(axis=0)
        values[t] = top + np.log(total)
        values[t, model.terminal] = 0.0
        np.multiply(z, 1.0 / total, out=policy[t], casting="same_kind")
    return SoftPlan(values=values, policy=policy)


def hard_value_iteration(model: TabularModel, state_rewards: np.ndarray, discount: float = 1.0) -> HardPlan:
    """Backward Bellman optimality recursion with the same conventions as the soft version."""
    r_as = model.action_rewards(state_rewards)
    s, horizon = model.n_states, model.horizon
    values = np.zeros((horizon + 1, s))
    dtype = np.int8 if model.n_actions < 128 else np.int32
    actions = np.empty((horizon, s), dtype=dtype)
    for t in range(horizon - 1, -1, -1):
        q = _backup(model, r_as, values[t + 1], discount)
        actions[t] = q.argmax(axis=0)
        values[t] = q.max(axis=0)
        values[t, model.terminal] = 0.0
    return HardPlan(values=values, actions=actions, n_actions=model.n_actions)


# --------------------------------------------------------------------------- visitation
@dataclass
class Visitation:
    """Expected counts under a policy: ``state_counts[s]`` = Σ_t P(live in s at t), ``reward_counts[s]``
    = expected (discounted) number of times r(s) is collected, ``per_step`` = live mass per step."""

    state_counts: np.ndarray
    reward_counts: np.ndarray
    per_step: np.ndarray | None = None


def visitation(model: TabularModel, plan: Any, discount: float = 1.0, keep_per_step: bool = False) -> Visitation:
    """Forward pass with the known dynamics: d_{t+1}(s') = Σ_{s,a} d_t(s) π_t(a|s) P(s'|s,a).

    ``plan`` is a :class:`SoftPlan`, a :class:`HardPlan`, or anything with ``action_major(t)``
    returning π_t as (A, S). Mass that enters a terminal state is counted on arrival and then
    leaves (the episode ended).
    """
    d = model.initial.copy()
    state_counts = np.zeros(model.n_states)
    reward_counts = np.zeros(model.n_states)
    per_step = np.zeros((model.horizon, model.n_states)) if keep_per_step else None
    weight = 1.0
    for t in range(model.horizon):
        d = d * model.live
        state_counts += d
        if per_step is not None:
            per_step[t] = d
        if model.reward_on == "state":
            reward_counts += weight * d
        flow = (plan.action_major(t) * d).reshape(-1)
        d = model.transitions_am_t @ flow
        if model.reward_on == "next_state":
            reward_counts += weight * d
        weight *= discount
    return Visitation(state_counts=state_counts, reward_counts=reward_counts, per_step=per_step)


def expected_return(model: TabularModel, plan: Any, state_rewards: np.ndarray, discount: float = 1.0) -> float:
    """Exact expected return of a plan (soft or hard) under ``state_rewards``, from the initial distribution."""
    return float(visitation(model, plan, discount).reward_counts @ np.asarray(state_rewards, dtype=np.float64))


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


__all__ = [
    "HardPlan", "SoftPlan", "TabularModel", "Visitation", "demo_reward_counts", "expected_return",
    "hard_value_iteration", "sample_states", "soft_value_iteration", "tabular_model", "trajectory_states",
    "visitation",
]
