"""How observations and actions become the flat float vectors a reward net reads.

Why its own file: the same encoding must be rebuilt exactly from a JSON config when
a model is loaded, and must reject spaces it does not understand instead of guessing.
Discrete values become one-hot vectors (so a linear model over a Discrete observation
is exactly a table), or rows of a given feature matrix; Box values are flattened.
"""

from __future__ import annotations

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
        idx = np.asarray(x).astype(np.int64, copy=False).reshape(-1) - int(space.start)
        if idx.size and (idx.min() < 0 or idx.max() >= int(space.n)):
            raise ValueError(
                f"reward model: discrete value out of range (min {int(idx.min())}, max {int(idx.max())} "
                f"after start offset); allowed: 0..{int(space.n) - 1}"
            )
        if features is not None:
            return features[idx]
        out = np.zeros((idx.size, int(space.n)), dtype=np.float32)
        out[np.arange(idx.size), idx] = 1.0
        return out
    arr = np.asarray(x, dtype=np.float32)
    n_dims = len(space.shape)
    if arr.shape[arr.ndim - n_dims:] != tuple(space.shape) or arr.ndim < n_dims:
        raise ValueError(
            f"reward model: got a batch of shape {arr.shape}, expected (..., {', '.join(map(str, space.shape))}) "
            f"for space {space}"
        )
    lead = arr.shape[: arr.ndim - n_dims]
    return arr.reshape(int(np.prod(lead)) if lead else 1, -1)


def encode(space: spaces.Space, x, features: np.ndarray | None = None) -> torch.Tensor:
    """Encode a batch ``x`` of values of ``space`` as an (N, D) float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(encode_np(space, x, features)))
