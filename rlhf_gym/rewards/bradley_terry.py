"""The Bradley-Terry preference likelihood over segment returns.

P(s1 > s2) = exp(R1) / (exp(R1) + exp(R2)) = sigmoid(R1 - R2). The loss is the
cross-entropy of the lecture notes, -(mu1 log P + mu2 log P'), with a label
mu1 = 1 (left preferred), 0 (right preferred) or 0.5 (a tie). An assumed error
rate e mixes in uniform answers, P_e = (1 - e) P + e / 2, as Christiano et al.
(2017) did so that a few wrong labels cannot drive the reward to extremes.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

ALLOWED_LABELS = (0.0, 0.5, 1.0)


def check_labels(labels) -> np.ndarray:
    """Return labels as float64, or raise ValueError naming the first bad one."""
    arr = np.asarray(labels, dtype=np.float64).reshape(-1)
    bad = ~np.isin(arr, ALLOWED_LABELS)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"labels[{i}]={float(arr[i])!r}; allowed: 0 (right better), 0.5 (equal), 1 (left better)")
    return arr


def check_error_rate(error_rate: float) -> float:
    if not (isinstance(error_rate, (int, float)) and 0.0 <= error_rate < 1.0):
        raise ValueError(f"error_rate={error_rate!r}; allowed: a float in [0, 1)")
    return float(error_rate)


def log_preference_probs(returns_left: torch.Tensor, returns_right: torch.Tensor, error_rate: float = 0.0):
    """(log P(left > right), log P(right > left)), computed stably."""
    diff = returns_left - returns_right
    log_p, log_q = F.logsigmoid(diff), F.logsigmoid(-diff)
    if error_rate > 0.0:
        log_u = math.log(error_rate / 2.0)
        log_keep = math.log1p(-error_rate)
        log_p = torch.logaddexp(log_p + log_keep, torch.full_like(log_p, log_u))
        log_q = torch.logaddexp(log_q + log_keep, torch.full_like(log_q, log_u))
    return log_p, log_q


def bradley_terry_loss(returns_left, returns_right, labels, error_rate: float = 0.0, reduce: bool = True):
    """Mean cross-entropy -(mu log P + (1 - mu) log P') over a batch of pairs."""
    labels = torch.as_tensor(labels, dtype=returns_left.dtype)
    log_p, log_q = log_preference_probs(returns_left, returns_right, error_rate)
    loss = -(labels * log_p + (1.0 - labels) * log_q)
    return loss.mean() if reduce else loss


def preference_probability(returns_left, returns_right) -> np.ndarray:
    """P(left > right) under Bradley-Terry, for numpy returns of any matching shape."""
    diff = np.asarray(returns_left, dtype=np.float64) - np.asarray(returns_right, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * diff))
