"""Behavioural cloning into the policy of an ordinary Stable-Baselines3 model.

BC is supervised learning: maximise the log-likelihood of the expert's action in each
demonstrated state. We train ``model.policy`` in place so that the result is still an SB3
model — ``predict``, ``save``, ``evaluate_policy`` and fine-tuning with ``learn`` all work.

How the likelihood is read from each kind of SB3 policy:
- on-policy actor-critics (PPO, A2C): ``policy.evaluate_actions`` (discrete and continuous);
- SAC: the actor's squashed Gaussian, on actions scaled to [-1, 1] as SAC stores them;
- TD3/DDPG (deterministic actors): squared error on scaled actions, the log-likelihood of a
  fixed-variance Gaussian;
- DQN: cross-entropy with the Q-values as logits (the greedy action is the argmax).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class BCStats:
    """What one call of :func:`train_bc` did; ``accuracy`` is discrete-only, ``mse`` continuous-only."""

    loss: float
    n_samples: int
    n_epochs: int
    accuracy: float | None = None
    mse: float | None = None


def _kind(policy) -> str:
    from stable_baselines3.common.policies import ActorCriticPolicy

    if isinstance(policy, ActorCriticPolicy):
        return "actor_critic"
    if hasattr(policy, "q_net") and not hasattr(policy, "actor"):
        return "q_values"
    actor = getattr(policy, "actor", None)
    if actor is not None and hasattr(actor, "action_dist"):
        return "stochastic_actor"
    if actor is not None:
        return "deterministic_actor"
    raise TypeError(
        f"model.policy: {type(policy).__name__} is not supported; allowed: the policy of an SB3 "
        "on-policy model (PPO, A2C), SAC, TD3, DDPG or DQN"
    )


def _parameters(policy, kind: str):
    if kind in ("stochastic_actor", "deterministic_actor"):
        return list(policy.actor.parameters())
    if kind == "q_values":
        return list(policy.q_net.parameters())
    return list(policy.parameters())


def _loss(policy, kind: str, obs, actions, ent_weight: float):
    """Negative mean log-likelihood (plus an optional entropy bonus) of a batch."""
    import torch

    if kind == "actor_critic":
        _, log_prob, entropy = policy.evaluate_actions(obs, actions)
        loss = -log_prob.mean()
        if ent_weight and entropy is not None:
            loss = loss - ent_weight * entropy.mean()
        return loss
    if kind == "q_values":
        q = policy.q_net(obs)
        return torch.nn.functional.cross_entropy(q, actions)
    if kind == "stochastic_actor":
        mean, log_std, kwargs = policy.actor.get_action_dist_params(obs)
        dist = policy.actor.action_dist.proba_distribution(mean, log_std, **kwargs)
        loss = -dist.log_prob(actions).mean()
        if ent_weight:
            # The squashed Gaussian has no closed-form entropy; use the Gaussian's.
            loss = loss - ent_weight * log_std.sum(dim=-1).mean()
        return loss
    return ((policy.actor(obs) - actions) ** 2).sum(dim=-1).mean()


def _prepare_actions(policy, kind: str, actions: np.ndarray) -> np.ndarray:
    from gymnasium import spaces

    space = policy.action_space
    if isinstance(space, spaces.Discrete):
        return actions.reshape(-1).astype(np.int64)
    if isinstance(space, spaces.Box):
        actions = actions.reshape((-1, *space.shape)).astype(np.float32)
        if kind in ("stochastic_actor", "deterministic_actor") or getattr(policy, "squash_output", False):
            # These policies act in [-1, 1] and unscale: train on the scaled expert action.
            actions = policy.scale_action(actions).astype(np.float32)
        return actions
    if isinstance(space, (spaces.MultiDiscrete, spaces.MultiBinary)):
        return actions.astype(np.int64)
    raise ValueError(f"action space: {space} is not supported by BC; allowed: Discrete, Box, MultiDiscrete, MultiBinary")


def _check_inputs(policy, observations: np.ndarray, actions: np.ndarray) -> None:
    from gymnasium import spaces

    if len(observations) == 0:
        raise ValueError("observations: an empty demonstration set; allowed: at least one (obs, action) pair")
    if len(observations) != len(actions):
        raise ValueError(f"observations/actions: {len(observations)} observations but {len(actions)} actions; they must pair up")
    obs_shape = policy.observation_space.shape
    if obs_shape is not None and tuple(observations.shape[1:]) != tuple(obs_shape):
        raise ValueError(
            f"observations: shape {observations.shape[1:]} per sample; the model's observation_space is {policy.observation_space}"
        )
    space = policy.action_space
    if isinstance(space, spaces.Discrete):
        flat = actions.reshape(len(actions), -1)
        if flat.shape[1] != 1 or np.any(flat < space.start) or np.any(flat >= space.start + space.n):
            raise ValueError(f"actions: values outside the model's action_space {space} (or not one per sample)")
    elif isinstance(space, spaces.Box):
        if tuple(actions.shape[1:]) != tuple(space.shape):
            raise ValueError(f"actions: shape {actions.shape[1:]} per sample; the model's action_space is {space}")
        if np.any(actions < space.low) or np.any(actions > space.high):
            raise ValueError(f"actions: values outside the model's action_space {space}")


def train_bc(
    model: Any,
    observations: np.ndarray,
    actions: np.ndarray,
    *,
    n_epochs: int = 20,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    ent_weight: float = 0.0,
    min_updates: int = 0,
    rng: np.random.Generator | None = None,
    progress_bar: bool = False,
) -> BCStats:
    """Fit ``model.policy`` to (observation, expert action) pairs by maximum likelihood.

    A fresh Adam optimiser over the acting network is used, so the model's own optimiser state
    (used later by ``learn``) is untouched. Mini-batches are shuffled by ``rng``.
    ``min_updates`` raises the number of epochs until at least that many gradient steps are
    taken: a few dozen labels in a few epochs are far from fitted, and an under-fitted learner
    makes BC (and DAgger's early rounds) look worse than the method is.
    """
    import torch

    observations = np.asarray(observations)
    actions = np.asarray(actions)
    if n_epochs < 1 or batch_size < 1 or not learning_rate > 0 or min_updates < 0:
        raise ValueError(
            f"n_epochs={n_epochs}, batch_size={batch_size}, learning_rate={learning_rate}, min_updates={min_updates}; "
            "allowed: n_epochs >= 1, batch_size >= 1, learning_rate > 0, min_updates >= 0"
        )
    policy = model.policy
    kind = _kind(policy)
    _check_inputs(policy, observations, actions)
    rng = np.random.default_rng(0) if rng is None else rng
    act_np = _prepare_actions(policy, kind, actions)
    obs_t, _ = policy.obs_to_tensor(observations)
    act_t = torch.as_tensor(act_np, device=policy.device)
    optimizer = torch.optim.Adam(_parameters(policy, kind), lr=learning_rate)
    n = len(observations)
    n_epochs = max(int(n_epochs), -(-int(min_updates) // -(-n // batch_size)))
    epochs = range(n_epochs)
    if progress_bar:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="behavioural cloning", unit="epoch")
    policy.set_training_mode(True)
    loss_value = float("nan")
    try:
        for _ in epochs:
            order = torch.as_tensor(rng.permutation(n), device=policy.device)
            total = 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss = _loss(policy, kind, obs_t[idx], act_t[idx], ent_weight)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(idx)
            loss_value = total / n
    finally:
        policy.set_training_mode(False)
    stats = BCStats(loss=loss_value, n_samples=n, n_epochs=n_epochs)
    predicted, _ = model.predict(observations, deterministic=True)
    from gymnasium import spaces

    if isinstance(policy.action_space, spaces.Discrete):
        stats.accuracy = float(np.mean(np.asarray(predicted).reshape(-1) == actions.reshape(-1)))
    elif isinstance(policy.action_space, spaces.Box):
        stats.mse = float(np.mean((np.asarray(predicted, dtype=np.float64) - actions) ** 2))
    return stats


def bc_from_demonstrations(model: Any, trajectories, **kwargs) -> BCStats:
    """:func:`train_bc` on every step of a list of :class:`~rlhf_gym.data.trajectories.Trajectory`."""
    from rlhf_gym.data.trajectories import flatten_demonstrations

    obs, actions = flatten_demonstrations(trajectories)
    return train_bc(model, obs, actions, **kwargs)


__all__ = ["BCStats", "bc_from_demonstrations", "train_bc"]
