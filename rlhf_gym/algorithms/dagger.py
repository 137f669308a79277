"""DAgger: roll out the learner, let the expert label the states it visits, aggregate, retrain.

Round i mixes expert and learner with probability β_i (schedule: ``"linear"``,
``"exponential"``, a constant, or any callable ``round -> β``). Round 0 with β = 1 is exactly
behavioural cloning's data, so DAgger's first round *is* BC and later rounds only add the
states that the learner's own mistakes lead to. Every visited state costs one expert label;
an optional ``query_budget`` caps the total.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import gymnasium as gym
import numpy as np

from rlhf_gym.algorithms.bc import train_bc
from rlhf_gym.wrappers.dagger import DAgger, check_beta


@dataclass(frozen=True)
class LinearBeta:
    """β_i = max(0, 1 − i / rampdown_rounds): the expert fades out over ``rampdown_rounds``."""

    rampdown_rounds: int

    def __post_init__(self):
        if not isinstance(self.rampdown_rounds, (int, np.integer)) or self.rampdown_rounds < 1:
            raise ValueError(f"rampdown_rounds: {self.rampdown_rounds!r}; allowed: an integer >= 1")

    def __call__(self, round_index: int) -> float:
        return max(0.0, 1.0 - round_index / self.rampdown_rounds)


@dataclass(frozen=True)
class ExponentialBeta:
    """β_i = decay ** i (Ross et al.'s p^(i))."""

    decay: float = 0.5

    def __post_init__(self):
        if not 0.0 <= float(self.decay) <= 1.0:
            raise ValueError(f"decay: {self.decay!r}; allowed: a number in [0, 1]")

    def __call__(self, round_index: int) -> float:
        return float(self.decay) ** round_index


def make_beta_schedule(beta: Any, n_rounds: int) -> Callable[[int], float]:
    """Turn ``"linear"``, ``"exponential"``, a number or a callable into ``round -> β``."""
    if isinstance(beta, str):
        if beta == "linear":
            return LinearBeta(max(1, n_rounds // 2))
        if beta == "exponential":
            return ExponentialBeta(0.5)
        raise ValueError(f"beta: {beta!r}; allowed: 'linear', 'exponential', a number in [0, 1] or a callable round -> beta")
    if callable(beta):
        return beta
    value = check_beta(beta)
    return lambda _round: value


@dataclass
class DAggerRound:
    """One round's numbers: β used, labels so far, dataset size, the true return of its (mixed) rollouts."""

    round: int
    beta: float
    labels_used: int
    n_samples: int
    episodes: int
    rollout_true_return: float
    bc_loss: float
    bc_accuracy: float | None = None
    bc_mse: float | None = None


@dataclass
class DAggerResult:
    model: Any
    labels_used: int
    rounds: list[DAggerRound] = field(default_factory=list)
    wall_seconds: float = 0.0


class _Rollouts:
    """Steps the learner through the wrapper; an episode left unfinished at the end of a round
    continues in the next round under the retrained policy (so rounds can be shorter than an episode)."""

    def __init__(self, wrapper: DAgger, model: Any, rng: np.random.Generator):
        self.wrapper, self.model, self.rng = wrapper, model, rng
        self.obs = None
        self.episode_return = 0.0

    def run(self, max_episodes: int, max_labels: int | None) -> list[float]:
        """Step until ``max_episodes`` episodes end or ``max_labels`` labels are spent; returns of finished ones."""
        returns, start = [], self.wrapper.n_queries
        while len(returns) < max_episodes and (max_labels is None or self.wrapper.n_queries - start < max_labels):
            if self.obs is None:
                self.obs, _ = self.wrapper.reset(seed=int(self.rng.integers(2**31 - 1)))
                self.episode_return = 0.0
            action, _ = self.model.predict(self.obs, deterministic=True)
            self.obs, reward, terminated, truncated, info = self.wrapper.step(action)
            self.episode_return += float(info.get("true_reward", reward))
            if terminated or truncated:
                returns.append(self.episode_return)
                self.obs = None
        return returns


IDLE_ROUNDS_TO_STOP = 20  # rounds in a row that ask the expert nothing new (only with ask_once)


def _positive_int(name: str, value: Any, allow_none: bool = False) -> None:
    if allow_none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        allowed = "None or an integer >= 1" if allow_none else "an integer >= 1"
        raise ValueError(f"{name}: {value!r}; allowed: {allowed}")


def train_dagger(
    model: Any,
    env: gym.Env,
    expert: Any,
    *,
    n_rounds: int = 10,
    episodes_per_round: int = 5,
    beta: Any = "linear",
    query_budget: int | None = None,
    labels_per_round: int | None = None,
    bc_epochs: int = 20,
    bc_kwargs: dict | None = None,
    warm_start: bool = True,
    ask_once: bool = False,
    rng: np.random.Generator | None = None,
    progress_bar: bool = False,
    callback: Callable[[DAggerRound, Any], None] | None = None,
) -> DAggerResult:
    """Train ``model.policy`` (any SB3 model BC supports) with DAgger on ``env``.

    Each round runs the current policy through a :class:`~rlhf_gym.wrappers.DAgger` wrapper for
    ``episodes_per_round`` episodes, or until ``labels_per_round`` labels are spent if that comes
    first (short rounds retrain more often, so fewer labels are spent on mistakes already seen),
    then fits BC on all labels so far: continuing from the current weights (``warm_start``) or
    from the initial ones. ``callback(round_record, model)`` runs after each round; it must not
    step ``env`` (evaluate on a separate env), since an unfinished episode continues afterwards.
    ``ask_once`` asks the expert about each distinct state once (see the wrapper); rounds that ask
    nothing new do not retrain, and after ``IDLE_ROUNDS_TO_STOP`` of them in a row training stops.
    """
    _positive_int("n_rounds", n_rounds)
    _positive_int("episodes_per_round", episodes_per_round)
    _positive_int("query_budget", query_budget, allow_none=True)
    _positive_int("labels_per_round", labels_per_round, allow_none=True)
    schedule = make_beta_schedule(beta, n_rounds)
    rng = np.random.default_rng(0) if rng is None else rng
    wrapper = env if isinstance(env, DAgger) else DAgger(env, expert, beta=1.0, ask_once=ask_once)
    start = time.perf_counter()
    result = DAggerResult(model=model, labels_used=0)
    initial = None if warm_start else copy.deepcopy(model.policy.state_dict())
    rollouts = _Rollouts(wrapper, model, rng)
    rounds = range(n_rounds)
    if progress_bar:
        from tqdm.auto import tqdm

        rounds = tqdm(rounds, desc="DAgger", unit="round")
    base_queries, idle = wrapper.n_queries, 0
    for i in rounds:
        used = wrapper.n_queries - base_queries
        left = None if query_budget is None else query_budget - used
        if left is not None and left <= 0:
            break
        wrapper.beta = check_beta(schedule(i))
        limits = [x for x in (left, labels_per_round) if x is not None]
        before = wrapper.n_queries
        returns = rollouts.run(episodes_per_round, min(limits) if limits else None)
        if not wrapper.observations:
            break
        if wrapper.n_queries == before:  # nothing new was asked: the data and the fit are unchanged
            idle += 1
            if idle >= IDLE_ROUNDS_TO_STOP:
                break
            continue
        idle = 0
        obs, actions = wrapper.dataset()
        if initial is not None:
            model.policy.load_state_dict(initial)
        stats = train_bc(model, obs, actions, n_epochs=bc_epochs, rng=rng, **(bc_kwargs or {}))
        record = DAggerRound(
            round=i, beta=wrapper.beta, labels_used=wrapper.n_queries - base_queries, n_samples=len(obs),
            episodes=len(returns), rollout_true_return=float(np.mean(returns)) if returns else float("nan"),
            bc_loss=stats.loss, bc_accuracy=stats.accuracy, bc_mse=stats.mse,
        )
        result.rounds.append(record)
        if callback is not None:
            callback(record, model)
        if progress_bar:
            rounds.set_postfix(labels=record.labels_used, beta=f"{record.beta:.2f}")
    result.labels_used = wrapper.n_queries - base_queries
    result.wall_seconds = time.perf_counter() - start
    return result


__all__ = ["DAggerResult", "DAggerRound", "ExponentialBeta", "LinearBeta", "make_beta_schedule", "train_dagger"]
