"""Direct Preference Optimization (Rafailov et al. 2023) for the policy of an SB3 model.

DPO skips the reward model and RL: for a preferred sequence y_w and a dispreferred y_l to the same
prompt it minimises -log sigmoid(beta * [(log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l))]),
where log pi(y) is the sum of the policy's log-probs of the sequence's actions and ``ref`` is the
frozen starting policy (the SFT model). Its optimum is the policy that RLHF with a KL penalty of
weight beta to ``ref`` would reach on the reward implied by the preferences.

Why sequences as flat steps: an SB3 policy scores one (observation, action) at a time, so a
sequence is the steps that produced it (``Sequences``: observations, actions, and which sequence
each step belongs to); a sequence's log-prob is a segment sum. Works for any SB3 policy with
``get_distribution`` (PPO's and A2C's actor-critics), trained in place like ``bc.train_bc``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class Sequences:
    """``n`` sequences as flat steps: ``obs[i]``, ``actions[i]`` belong to sequence ``index[i]``."""

    obs: np.ndarray
    actions: np.ndarray
    index: np.ndarray
    n: int

    def __post_init__(self) -> None:
        self.index = np.asarray(self.index, dtype=np.int64).reshape(-1)
        self.actions = np.asarray(self.actions)
        if not (len(self.obs) == len(self.actions) == len(self.index)):
            raise ValueError(f"Sequences: {len(self.obs)} observations, {len(self.actions)} actions and "
                             f"{len(self.index)} indices; they must pair up")
        if len(self.index) and (self.index.min() < 0 or self.index.max() >= self.n):
            raise ValueError(f"Sequences: index values in [{self.index.min()}, {self.index.max()}]; "
                             f"allowed: [0, n - 1] with n={self.n}")

    def select(self, which: np.ndarray) -> "Sequences":
        """The sequences ``which`` (in that order), renumbered 0..len(which) - 1."""
        which = np.asarray(which, dtype=np.int64)
        new = -np.ones(self.n, dtype=np.int64)
        new[which] = np.arange(len(which))
        keep = new[self.index] >= 0
        return Sequences(self.obs[keep], self.actions[keep], new[self.index[keep]], len(which))


@dataclass
class DPOStats:
    """What :func:`train_dpo` did; the margin is the mean of the beta-free log-ratio difference."""

    loss: float
    margin_before: float
    margin_after: float
    accuracy: float
    n_pairs: int
    n_epochs: int


def sequence_log_probs(policy, seqs: Sequences) -> torch.Tensor:
    """log pi(sequence) for each of ``seqs.n`` sequences (with gradients if enabled)."""
    obs_t, _ = policy.obs_to_tensor(seqs.obs)
    actions = torch.as_tensor(np.asarray(seqs.actions).reshape(-1), device=policy.device)
    logp = policy.get_distribution(obs_t).log_prob(actions)
    out = torch.zeros(seqs.n, dtype=logp.dtype, device=logp.device)
    return out.index_add(0, torch.as_tensor(seqs.index, device=logp.device), logp)


def dpo_loss(pi_chosen, pi_rejected, ref_chosen, ref_rejected, beta: float, label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean -log sigmoid(beta * ((pi_w - ref_w) - (pi_l - ref_l))) over pairs.

    ``label_smoothing`` e (conservative DPO, Mitchell 2023): each label is taken as wrong with
    probability e, -(1 - e) log sigmoid(beta h) - e log sigmoid(-beta h); with noisy labellers it
    stops the margin growing without bound on a few pairs.
    """
    h = beta * ((pi_chosen - ref_chosen) - (pi_rejected - ref_rejected))
    return -((1.0 - label_smoothing) * F.logsigmoid(h) + label_smoothing * F.logsigmoid(-h)).mean()


def _margin(policy, chosen: Sequences, rejected: Sequences, ref_c, ref_r) -> torch.Tensor:
    with torch.no_grad():
        return (sequence_log_probs(policy, chosen) - ref_c) - (sequence_log_probs(policy, rejected) - ref_r)


def train_dpo(policy, reference, chosen: Sequences, rejected: Sequences, *, beta: float = 0.1,
              label_smoothing: float = 0.0, n_epochs: int = 20, batch_size: int = 64,
              learning_rate: float = 1e-3, rng: np.random.Generator | None = None) -> DPOStats:
    """Fit ``policy`` in place by DPO on pairs (``chosen`` sequence i preferred to ``rejected`` i).

    ``reference`` is frozen (its log-probs are computed once). Mini-batches of pairs are shuffled by
    ``rng``; a fresh Adam optimiser is used, so an SB3 model's own optimiser state is untouched.
    """
    if chosen.n != rejected.n or chosen.n == 0:
        raise ValueError(f"chosen/rejected: {chosen.n} and {rejected.n} sequences; allowed: the same number, >= 1")
    if not (isinstance(beta, (int, float)) and beta > 0):
        raise ValueError(f"beta={beta!r}; allowed: a number > 0")
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or not 0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing={label_smoothing!r}; allowed: a number in [0, 0.5)")
    if n_epochs < 1 or batch_size < 1 or not learning_rate > 0:
        raise ValueError(f"n_epochs={n_epochs}, batch_size={batch_size}, learning_rate={learning_rate}; "
                         "allowed: n_epochs >= 1, batch_size >= 1, learning_rate > 0")
    rng = np.random.default_rng(0) if rng is None else rng
    with torch.no_grad():
        ref_c, ref_r = sequence_log_probs(reference, chosen), sequence_log_probs(reference, rejected)
    before = float(_margin(policy, chosen, rejected, ref_c, ref_r).mean())
    optimizer = torch.optim.Adam(policy.parameters(), lr=learning_rate)
    n = chosen.n
    loss_value = float("nan")
    policy.set_training_mode(True)
    try:
        for _ in range(n_epochs):
            order = rng.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                idx_t = torch.as_tensor(idx)
                loss = dpo_loss(sequence_log_probs(policy, chosen.select(idx)),
                                sequence_log_probs(policy, rejected.select(idx)), ref_c[idx_t], ref_r[idx_t], beta,
                                label_smoothing)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(idx)
            loss_value = total / n
    finally:
        policy.set_training_mode(False)
    after = _margin(policy, chosen, rejected, ref_c, ref_r)
    return DPOStats(loss=loss_value, margin_before=before, margin_after=float(after.mean()),
                    accuracy=float((after > 0).float().mean()), n_pairs=n, n_epochs=n_epochs)


__all__ = ["DPOStats", "Sequences", "dpo_loss", "sequence_log_probs", "train_dpo"]
