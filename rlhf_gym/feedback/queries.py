"""Choosing which clip pairs to ask about.

Why more than random: labels are the scarce resource. Ensemble disagreement
(Christiano et al. 2017) draws ``oversample`` times more random candidate pairs
than needed and keeps those whose predicted preference varies most across the
reward model's members - the pairs the model is least sure about. Novelty pairs
each of the clips least like the labelled ones (largest standardised input under
the statistics of the labelled clips) with a random clip: ensemble members tend to
agree, wrongly, on states no label covers, so disagreement never asks about them.
Mixed asks half its pairs by disagreement and half at random: the random half still
reaches pairs the members agree on wrongly (an agent exploiting a gap in the reward).
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.data.segments import Segment, stack_segments

METHODS = ("random", "disagreement", "novelty", "mixed")
NEEDS_ENSEMBLE = ("disagreement", "mixed")  # members must be able to disagree


def random_pairs(n_segments: int, n_pairs: int, rng: np.random.Generator) -> np.ndarray:
    """(n_pairs, 2) indices of distinct clips, uniformly at random."""
    if not isinstance(n_segments, (int, np.integer)) or n_segments < 2:
        raise ValueError(f"random_pairs: n_segments={n_segments!r}; allowed: an integer >= 2")
    if not isinstance(n_pairs, (int, np.integer)) or n_pairs < 0:
        raise ValueError(f"random_pairs: n_pairs={n_pairs!r}; allowed: an integer >= 0")
    first = rng.integers(0, n_segments, size=n_pairs)
    second = (first + rng.integers(1, n_segments, size=n_pairs)) % n_segments
    return np.stack([first, second], axis=1)


def disagreement_pairs(segments: list[Segment], n_pairs: int, reward_model, rng: np.random.Generator,
                       oversample: int = 10) -> np.ndarray:
    """(n_pairs, 2) indices of the candidates with the highest variance of P(left > right)
    across the reward model's ensemble members (needs ensemble_size >= 2)."""
    if getattr(reward_model, "ensemble_size", 1) < 2:
        raise ValueError(
            f"disagreement_pairs: reward_model has ensemble_size={getattr(reward_model, 'ensemble_size', 1)}; "
            "allowed: an ensemble of >= 2 members (or use query='random')"
        )
    if not isinstance(oversample, (int, np.integer)) or oversample < 1:
        raise ValueError(f"disagreement_pairs: oversample={oversample!r}; allowed: an integer >= 1")
    cand = random_pairs(len(segments), n_pairs * int(oversample), rng)
    used = np.unique(cand)
    returns = np.zeros((reward_model.ensemble_size, len(segments)))
    # Raw member returns: each member's own Bradley-Terry probabilities, as it was trained.
    returns[:, used] = reward_model.segment_returns(stack_segments([segments[i] for i in used]), normalized=False)
    diff = returns[:, cand[:, 0]] - returns[:, cand[:, 1]]
    probs = 0.5 * (1.0 + np.tanh(0.5 * diff))
    order = np.argsort(-probs.var(axis=0), kind="stable")
    return cand[order[:n_pairs]]


def novelty_scores(segments: list[Segment], reward_model) -> np.ndarray:
    """Per clip, the largest |standardised input| over its valid steps, under the statistics
    the reward model took from its labelled clips (in_mean, in_std)."""
    batch = stack_segments(segments)
    n, h = batch["valid"].shape
    flat = {k: batch[k].reshape((n * h,) + batch[k].shape[2:]) for k in ("obs", "actions", "next_obs")}
    x = reward_model.encode_np(flat["obs"], flat["actions"], flat["next_obs"])
    mean, std = reward_model.net.in_mean.numpy(), reward_model.net.in_std.numpy()
    z = np.abs((x - mean) / std).max(axis=1).reshape(n, h)
    return np.where(batch["valid"], z, 0.0).max(axis=1)


def novelty_pairs(segments: list[Segment], n_pairs: int, reward_model, rng: np.random.Generator) -> np.ndarray:
    """(n_pairs, 2): half the pairs put one of the most novel clips beside a random clip, half are random."""
    if reward_model is None:
        raise ValueError("novelty_pairs: needs reward_model; got None")
    n_novel = min((n_pairs + 1) // 2, len(segments))
    novel = np.argsort(-novelty_scores(segments, reward_model), kind="stable")[:n_novel]
    partner = (novel + rng.integers(1, len(segments), size=n_novel)) % len(segments)
    idx = np.stack([novel, partner], axis=1)
    swap = rng.random(n_novel) < 0.5  # the novel clip is not always on the left
    idx[swap] = idx[swap, ::-1]
    return np.concatenate([idx, random_pairs(len(segments), n_pairs - n_novel, rng)])


def select_pairs(method: str, segments: list[Segment], n_pairs: int, rng: np.random.Generator,
                 reward_model=None, oversample: int = 10) -> list[tuple[Segment, Segment]]:
    """Pairs of clips chosen by ``method`` ("random", "disagreement", "novelty" or "mixed")."""
    if method not in METHODS:
        raise ValueError(f"select_pairs: method={method!r}; allowed: {METHODS}")
    if method == "random":
        idx = random_pairs(len(segments), n_pairs, rng)
    elif method == "novelty":
        idx = novelty_pairs(segments, n_pairs, reward_model, rng)
    else:
        if reward_model is None:
            raise ValueError(f"select_pairs: method={method!r} needs reward_model; got None")
        n_dis = n_pairs if method == "disagreement" else (n_pairs + 1) // 2
        idx = disagreement_pairs(segments, n_dis, reward_model, rng, oversample)
        idx = np.concatenate([idx, random_pairs(len(segments), n_pairs - n_dis, rng)])
    return [(segments[i], segments[j]) for i, j in idx]
