"""How observations and actions become the flat float vectors a reward net reads.

Why its own file: the same encoding must be rebuilt exactly from a JSON config when
a model is loaded, and must reject spaces it does not understand instead of guessing.
Discrete values become one-hot vectors (so a linear model over a Discrete observation
is exactly a table), or rows of a given feature matrix; Box values are flattened.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from gymnasium import spaces

ALLOWED_INPUTS = ("obs", "action", "next_obs", "obs_change")


def encoded_size(space: spaces.Space, features: torch.Tensor | None = None) -> int:
    if isinstance(space, spaces.Discrete):
        return int(features.shape[1]) if features is not None else int(space.n)
    return int(np.prod(space.shape)) if space.shape else 1


def encode_np(space: spaces.Space, x, features: np.ndarray | None = None) -> np.ndarray:
    """Encode a batch ``x`` of values of ``space`` as (N, D) float32 (numpy: fast for small batches)."""
    if isinstance(space, spaces.Discrete):
        idx = np.asarray(x).reshape(-1)
        if idx.dtype != np.int64:
            idx = idx.astype(np.int64)
        if space.start:
            idx = idx - int(space.start)
        if idx.size and (idx.min() < 0 or idx.max() >= int(space.n)):
            raise ValueError(
                f"reward model: discrete value out of range (min {int(idx.min())}, max {int(idx.max())} "
                f"after start offset); allowed: 0..{int(space.n) - 1}"
            )
        return (features if features is not None else _identity(int(space.n)))[idx]
    arr = np.asarray(x, dtype=np.float32)
    n_dims = len(space.shape)
    if arr.ndim < n_dims or arr.shape[arr.ndim - n_dims:] != space.shape:
        raise ValueError(
            f"reward model: got a batch of shape {arr.shape}, expected (..., {', '.join(map(str, space.shape))}) "
            f"for space {space}"
        )
    return arr.reshape(math.prod(arr.shape[: arr.ndim - n_dims]), -1)


@functools.lru_cache(maxsize=32)
def _identity(n: int) -> np.ndarray:
    """One-hot rows (read-only: indexing it returns a copy)."""
    eye = np.eye(n, dtype=np.float32)
    eye.flags.writeable = False
    return eye


def encode(space: spaces.Space, x, features: np.ndarray | None = None) -> torch.Tensor:
    """Encode a batch ``x`` of values of ``space`` as an (N, D) float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(encode_np(space, x, features)))
