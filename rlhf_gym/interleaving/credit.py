"""Who wins a session, from its clicks: team draft counts clicks per team, balanced interleaving
applies Joachims' rule on the ranks. Vectorised over any number of sessions.

Why both rules return +1 / 0 / -1 per session: an interleaving experiment is a vote per session, and
the sign test on those votes (``power.py``) is what decides which ranker is better.
"""

from __future__ import annotations

import numpy as np


def _clicks(clicks, length: int) -> np.ndarray:
    array = np.asarray(clicks)
    if array.dtype != bool or array.ndim < 1 or array.shape[-1] != length:
        raise ValueError(f"clicks: got an array of dtype {array.dtype} and shape {array.shape}; allowed: a bool "
                         f"array whose last axis has the list's length {length} (True = clicked)")
    return array


def team_draft_credit(clicks, teams) -> np.ndarray:
    """+1 where team a got more clicks, -1 where team b did, 0 on a tie. ``clicks`` (..., L) bool,
    ``teams`` (..., L) 0/1 (broadcast against ``clicks``)."""
    teams = np.asarray(teams)
    if teams.ndim < 1 or not np.isin(teams, (0, 1)).all():
        raise ValueError(f"teams: got {teams!r}; allowed: an array of 0 (ranker a) and 1 (ranker b)")
    clicks = _clicks(clicks, teams.shape[-1])
    for_a = (clicks & (teams == 0)).sum(axis=-1)
    for_b = (clicks & (teams == 1)).sum(axis=-1)
    return np.sign(for_a - for_b).astype(np.int8)


def balanced_credit(clicks, rank_a, rank_b) -> np.ndarray:
    """Joachims' rule: with the lowest click on a document of rank ra in a and rb in b, k = min(ra, rb);
    a wins if more clicked documents are in a's top k than in b's top k, b wins if fewer, else a tie
    (also with no click). ``clicks`` (..., L) bool; ``rank_a``, ``rank_b`` (..., L) 1-based ranks."""
    rank_a, rank_b = np.asarray(rank_a), np.asarray(rank_b)
    if rank_a.shape != rank_b.shape or rank_a.ndim < 1 or (rank_a < 1).any() or (rank_b < 1).any():
        raise ValueError(f"rank_a, rank_b: got shapes {rank_a.shape} and {rank_b.shape}; allowed: equal shapes "
                         "(..., L) of ranks >= 1")
    clicks = _clicks(clicks, rank_a.shape[-1])
    length = clicks.shape[-1]
    shape = np.broadcast_shapes(clicks.shape, rank_a.shape)
    clicks, rank_a, rank_b = (np.broadcast_to(x, shape) for x in (clicks, rank_a, rank_b))
    lowest = length - 1 - np.argmax(clicks[..., ::-1], axis=-1)  # position of the lowest click
    k = np.minimum(np.take_along_axis(rank_a, lowest[..., None], -1), np.take_along_axis(rank_b, lowest[..., None], -1))
    for_a = (clicks & (rank_a <= k)).sum(axis=-1)
    for_b = (clicks & (rank_b <= k)).sum(axis=-1)
    return np.where(clicks.any(axis=-1), np.sign(for_a - for_b), 0).astype(np.int8)
