"""Maximum-entropy inverse RL (Ziebart et al. 2008) for tabular envs with known dynamics.

The loop of the lecture, vectorised over states:
1. reward r_φ(s) from the state features (linear: r = F θ; or a small MLP on F, "deep MaxEnt");
2. soft-optimal policy for r_φ by finite-horizon soft value iteration;
3. expected state visitation frequencies with the known dynamics;
4. gradient of the demonstrations' log-likelihood = empirical − expected feature counts
   (for the MLP, the state-count difference back-propagated through the network);
5. a gradient step (Adam), repeat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlhf_gym.planning import (
    HardPlan,
    SoftPlan,
    TabularModel,
    demo_reward_counts,
    hard_value_iteration,
    soft_value_iteration,
    tabular_model,
    trajectory_states,
    visitation,
)


@dataclass
class MaxEntResult:
    """The recovered reward per state, its soft and hard plans, and the optimisation trace.

    ``policy`` is the hard-optimal first-step action per state (stationary, for arrows and
    ``predict``); ``plan`` is the full time-dependent optimal plan of the recovered reward.
    """

    state_rewards: np.ndarray
    weights: np.ndarray | None
    soft_plan: SoftPlan
    plan: HardPlan
    policy: np.ndarray
    grad_norms: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    seconds_per_iteration: float = 0.0
    mlp: Any = None


class _Adam:
    """Adam for a numpy vector (ascent); tiny, so linear MaxEnt needs no torch."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.m is None:
            self.m, self.v = np.zeros_like(theta), np.zeros_like(theta)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad**2
        m_hat = self.m / (1 - self.b1**self.t)
        v_hat = self.v / (1 - self.b2**self.t)
        return theta + self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def maxent_gradient(model: TabularModel, state_rewards: np.ndarray, demo_counts: np.ndarray) -> tuple[np.ndarray, SoftPlan]:
    """∂ log-likelihood / ∂ r(s) per state: demonstrated − expected reward counts (per episode)."""
    plan = soft_value_iteration(model, state_rewards)
    expected = visitation(model, plan).reward_counts
    return demo_counts - expected, plan


def _make_mlp(n_features: int, hidden: tuple[int, ...], seed: int):
    import torch

    gen = torch.Generator().manual_seed(seed)
    layers, width = [], n_features
    for h in hidden:
        layer = torch.nn.Linear(width, h, dtype=torch.float64)
        layers += [layer, torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, 1, dtype=torch.float64))
    net = torch.nn.Sequential(*layers)
    with torch.no_grad():  # seeded initialisation from our own generator, not torch's global one
        for p in net.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1])
            p.copy_(torch.empty(p.shape, dtype=torch.float64).uniform_(-bound, bound, generator=gen))
    return net


def maxent_irl(
    env: Any,
    demonstrations: list,
    *,
    reward: str = "linear",
    n_iters: int = 100,
    learning_rate: float = 0.1,
    l2: float = 0.0,
    hidden: tuple[int, ...] = (32, 32),
    seed: int = 0,
    model: TabularModel | None = None,
    progress_bar: bool = False,
) -> MaxEntResult:
    """Recover a state reward from ``demonstrations`` (trajectories, or state-index sequences).

    ``env`` must expose a tabular model (``rlhf_gym/GridWorld-v0`` and friends); ``reward`` is
    ``"linear"`` (r = features @ θ) or ``"mlp"`` (a small torch MLP on the features).
    """
    if reward not in ("linear", "mlp"):
        raise ValueError(f"reward: {reward!r}; allowed: 'linear' or 'mlp'")
    if isinstance(n_iters, bool) or not isinstance(n_iters, (int, np.integer)) or n_iters < 1:
        raise ValueError(f"n_iters: {n_iters!r}; allowed: an integer >= 1")
    if not learning_rate > 0 or l2 < 0:
        raise ValueError(f"learning_rate={learning_rate!r}, l2={l2!r}; allowed: learning_rate > 0, l2 >= 0")
    model = tabular_model(env) if model is None else model
    if demonstrations is None or len(demonstrations) == 0:
        raise ValueError("demonstrations: an empty set; allowed: at least one episode")
    if hasattr(demonstrations[0], "obs"):
        sequences = trajectory_states(env, demonstrations)
    else:
        sequences = [np.asarray(d, dtype=np.int64) for d in demonstrations]
    for seq in sequences:
        if seq.size and (seq.min() < 0 or seq.max() >= model.n_states):
            raise ValueError(f"demonstrations: state index outside [0, {model.n_states})")
    demo_counts = demo_reward_counts(model, sequences)
    features = model.features
    start = time.perf_counter()
    iters = range(n_iters)
    if progress_bar:
        from tqdm.auto import tqdm

        iters = tqdm(iters, desc="MaxEnt IRL", unit="it")
    norms: list[float] = []
    weights, net = None, None
    if reward == "linear":
        weights = np.zeros(features.shape[1])
        opt = _Adam(learning_rate)
        for _ in iters:
            grad_r, _ = maxent_gradient(model, features @ weights, demo_counts)
            grad = features.T @ grad_r - l2 * weights
            norms.append(float(np.linalg.norm(grad)))
            weights = opt.step(weights, grad)
        state_rewards = features @ weights
    else:
        import torch

        net = _make_mlp(features.shape[1], tuple(hidden), seed)
        feats = torch.as_tensor(features, dtype=torch.float64)
        opt_t = torch.optim.Adam(net.parameters(), lr=learning_rate, weight_decay=l2)
        for _ in iters:
            r = net(feats).squeeze(-1)
            grad_r, _ = maxent_gradient(model, r.detach().numpy(), demo_counts)
            norms.append(float(np.linalg.norm(features.T @ grad_r)))
            opt_t.zero_grad()
            r.backward(-torch.as_tensor(grad_r))  # minimise the negative log-likelihood
            opt_t.step()
        with torch.no_grad():
            state_rewards = net(feats).squeeze(-1).numpy().copy()
    elapsed = time.perf_counter() - start
    soft = soft_value_iteration(model, state_rewards)
    hard = hard_value_iteration(model, state_rewards)
    return MaxEntResult(
        state_rewards=state_rewards, weights=weights, soft_plan=soft, plan=hard,
        policy=hard.actions[0].astype(np.int64), grad_norms=norms, wall_seconds=elapsed,
        seconds_per_iteration=elapsed / n_iters, mlp=net,
    )


__all__ = ["MaxEntResult", "maxent_gradient", "maxent_irl"]
