"""A reward net's weights as fused numpy arrays, for the reward asked at every env step.

Why: the wrapper asks for rewards in batches of n_envs transitions, where each torch call costs
tens of microseconds of overhead and each numpy operation one or two. Fusing goes further: the
members' first layers become one matmul, the input standardisation and the output normalisation
are folded into the weights, and the ensemble's mean into the last layer, so one call is a
handful of array operations (``baselines/bench_reward_wrapper.py`` measures what that buys).
"""

from __future__ import annotations

import numpy as np

_SLOPE = np.float32(0.01)  # LeakyReLU(0.01), as RewardNet


def _leaky_relu(h: np.ndarray) -> np.ndarray:
    return np.maximum(h, _SLOPE * h, out=h)


class NumpyNet:
    """``members(x)`` (K, N) and ``mean(x)`` (N,) of encoded inputs ``x`` (N, D), equal to the torch
    net's outputs up to float rounding. Built from a state dict; rebuild it when the weights change."""

    def __init__(self, state: dict, kind: str, n_hidden: int, ensemble_size: int, input_clip: float | None):
        k = ensemble_size
        sd = {name: t.detach().cpu().numpy().astype(np.float32) for name, t in state.items()}
        if kind == "linear":
            names = [("members.{}.weight", "members.{}.bias")]
        else:
            names = [(f"members.{{}}.{2 * j}.weight", f"members.{{}}.{2 * j}.bias") for j in range(n_hidden + 1)]
        layers = [(np.stack([sd[w.format(m)].T for m in range(k)]), np.stack([sd[b.format(m)][None] for m in range(k)]))
                  for w, b in names]  # per layer (K, in, out), (K, 1, out)
        mean, std = sd["in_mean"], sd["in_std"]
        out_mean, out_std = sd["out_mean"], sd["out_std"]
        self.k, self.input_clip = k, input_clip
        self.low = self.high = None
        first_w, first_b = layers[0]
        d_in, width = first_w.shape[1], first_w.shape[2]
        w0 = first_w.transpose(1, 0, 2).reshape(d_in, k * width)  # members side by side: one matmul
        b0 = first_b.reshape(k * width)
        # Standardise inside the first matmul; a clip of the standardised inputs at +-c is a clip of the
        # raw inputs at mean +- c * std, done before it.
        w0 = w0 / std[:, None]
        b0 = b0 - mean @ w0
        if input_clip is not None:
            self.low, self.high = mean - input_clip * std, mean + input_clip * std
        self.single = len(layers) == 1
        if self.single:  # linear members: (N, D) @ (D, K); normalisation folded per column
            self.w_raw, self.b_raw = w0, b0
            self.w_norm, self.b_norm = w0 / out_std, (b0 - out_mean) / out_std
            self.w_mean, self.b_mean = self.w_norm.mean(axis=1), np.float32(self.b_norm.mean())
        else:
            self.first = (w0, b0)
            self.middle = layers[1:-1]
            wl, bl = layers[-1]  # (K, H, 1), (K, 1, 1)
            self.last_raw = (wl, bl)
            osd, om = out_std[:, None, None], out_mean[:, None, None]
            self.last_norm = (wl / osd, (bl - om) / osd)
            # The normalised members' mean as one dot product over the members' last hidden units.
            self.w_mean = (self.last_norm[0][:, :, 0] / k).reshape(-1)
            self.b_mean = np.float32(self.last_norm[1].mean())

    def _clipped(self, x: np.ndarray) -> np.ndarray:
        if self.low is None:
            return x
        return np.minimum(np.maximum(x, self.low), self.high)

    def _last_hidden(self, x: np.ndarray) -> np.ndarray:
        """The members' last hidden layer, (N, K * H) when there is one hidden layer, else (K, N, H)."""
        w0, b0 = self.first
        h = self._clipped(x) @ w0
        h += b0
        _leaky_relu(h)
        if not self.middle:
            return h
        h = h.reshape(len(x), self.k, -1).transpose(1, 0, 2)
        for w, b in self.middle:
            h = _leaky_relu(np.matmul(h, w) + b)
        return h

    def members(self, x: np.ndarray, normalized: bool = True) -> np.ndarray:
        """Per-member rewards, (K, N)."""
        if self.single:
            w, b = (self.w_norm, self.b_norm) if normalized else (self.w_raw, self.b_raw)
            return (self._clipped(x) @ w + b).T
        h = self._last_hidden(x)
        if h.ndim == 2:
            h = h.reshape(len(x), self.k, -1).transpose(1, 0, 2)
        w, b = self.last_norm if normalized else self.last_raw
        return (np.matmul(h, w) + b)[..., 0]

    def mean(self, x: np.ndarray) -> np.ndarray:
        """The mean of the normalised members' rewards, (N,)."""
        if self.single:
            return self._clipped(x) @ self.w_mean + self.b_mean
        h = self._last_hidden(x)
        if h.ndim == 3:
            h = h.transpose(1, 0, 2).reshape(len(x), -1)
        return h @ self.w_mean + self.b_mean
