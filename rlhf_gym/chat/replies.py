"""Replies of an SB3 policy on the chat toy, batched: sampling, the steps that wrote them, log-probs, KL.

Why not step the env: the pipeline samples thousands of replies per evaluation; writing one token
for every reply at once is one network call per position instead of one per token. The
observations are built with the env's own ``encode``, so the policy sees exactly what it sees in
``ChatResponse-v0``. Sampling draws from the caller's numpy generator (inverse CDF), never torch's.
"""

from __future__ import annotations

import numpy as np
import torch

from rlhf_gym.algorithms.dpo import Sequences
from rlhf_gym.envs.chat.vocabulary import EMPTY, END, MAX_LENGTH, encode


def _logits(policy, obs: np.ndarray) -> torch.Tensor:
    obs_t, _ = policy.obs_to_tensor(obs)
    return policy.get_distribution(obs_t).distribution.logits


def sample_replies(policy, prompts, rng: np.random.Generator, deterministic: bool = False) -> np.ndarray:
    """Tokens (N, MAX_LENGTH) of one reply per prompt, ``EMPTY`` after each reply's end."""
    prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
    n = len(prompts)
    tokens = np.full((n, MAX_LENGTH), EMPTY, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    with torch.no_grad():
        for t in range(MAX_LENGTH):
            idx = np.flatnonzero(active)
            if len(idx) == 0:
                break
            probs = torch.softmax(_logits(policy, encode(prompts[idx], tokens[idx], np.full(len(idx), t))), -1).numpy()
            if deterministic:
                chosen = probs.argmax(axis=1)
            else:
                cdf = np.cumsum(probs, axis=1)
                chosen = np.minimum((rng.random((len(idx), 1)) * cdf[:, -1:] > cdf).sum(axis=1), probs.shape[1] - 1)
            tokens[idx, t] = chosen
            active[idx[chosen == END]] = False
    return tokens


def reply_steps(prompts, tokens) -> Sequences:
    """Every (observation, token) step that wrote each reply, tagged with the reply's index."""
    prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
    tokens = np.asarray(tokens, dtype=np.int64).reshape(-1, MAX_LENGTH)
    written = tokens < EMPTY
    rows, cols = np.nonzero(written)
    obs = encode(prompts[rows], tokens[rows], cols)
    return Sequences(obs=obs, actions=tokens[rows, cols], index=rows, n=len(prompts))


def reply_log_probs(policy, prompts, tokens) -> np.ndarray:
    """log pi(reply | prompt): the sum of the policy's log-probs of each reply's tokens (N,)."""
    from rlhf_gym.algorithms.dpo import sequence_log_probs

    with torch.no_grad():
        return sequence_log_probs(policy, reply_steps(prompts, tokens)).numpy().astype(np.float64)


def reply_kl(policy, reference, prompts, tokens) -> np.ndarray:
    """KL(policy || reference) summed over the positions of each reply (N,), exact at each position.

    On replies sampled from ``policy`` its mean is the KL between the two reply distributions.
    """
    steps = reply_steps(prompts, tokens)
    with torch.no_grad():
        logp = torch.log_softmax(_logits(policy, steps.obs), -1)
        logq = torch.log_softmax(_logits(reference, steps.obs), -1)
        per_step = (logp.exp() * (logp - logq)).sum(-1).numpy().astype(np.float64)
    return np.bincount(steps.index, weights=per_step, minlength=steps.n)
