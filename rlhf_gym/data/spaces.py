"""Gymnasium spaces as JSON, and how two of them differ.

Why in ``data/``: a label store and a reward model both record the spaces they were made for,
and the label store must not import torch (``rewards/encoding.py`` does). One description,
read by both, means "the same env" is decided the same way everywhere.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


def space_to_config(space: spaces.Space, name: str, who: str = "reward model") -> dict:
    """JSON-able description of a Box or Discrete space (anything else is an error)."""
    if isinstance(space, spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.Box):
        return {
            "type": "Box",
            "shape": [int(d) for d in space.shape],
            "low": np.asarray(space.low, dtype=np.float64).ravel().tolist(),
            "high": np.asarray(space.high, dtype=np.float64).ravel().tolist(),
        }
    raise ValueError(f"{who}: {name}={space!r} is not supported; allowed: gymnasium Box or Discrete spaces")


def space_from_config(cfg: dict, name: str, who: str = "reward model config") -> spaces.Space:
    """Inverse of :func:`space_to_config`."""
    kind = cfg.get("type") if isinstance(cfg, dict) else None
    if kind == "Discrete":
        return spaces.Discrete(int(cfg["n"]), start=int(cfg.get("start", 0)))
    if kind == "Box":
        shape = tuple(cfg["shape"])
        low = np.asarray(cfg["low"], dtype=np.float32).reshape(shape)
        high = np.asarray(cfg["high"], dtype=np.float32).reshape(shape)
        return spaces.Box(low, high, shape=shape, dtype=np.float32)
    raise ValueError(f"{who}: {name}={cfg!r}; allowed: a dict with type 'Box' or 'Discrete'")


def spaces_match(a: spaces.Space, b: spaces.Space) -> bool:
    """Same kind and shape (Box bounds are not compared: float32 round-trips differ)."""
    if isinstance(a, spaces.Discrete) and isinstance(b, spaces.Discrete):
        return int(a.n) == int(b.n) and int(a.start) == int(b.start)
    if isinstance(a, spaces.Box) and isinstance(b, spaces.Box):
        return tuple(a.shape) == tuple(b.shape)
    return False


def _short(cfg: dict) -> str:
    if cfg.get("type") == "Discrete":
        return f"Discrete(n={cfg.get('n')}, start={cfg.get('start', 0)})"
    if cfg.get("type") == "Box":
        return f"Box(shape={tuple(cfg.get('shape', ()))})"
    return repr(cfg)


def config_difference(stored: dict, given: dict) -> str | None:
    """How two :func:`space_to_config` descriptions differ, in words; None when they match.

    Box bounds are compared to float32 precision (a float32 space written as JSON and read back
    compares equal to itself).
    """
    if not isinstance(stored, dict) or stored.get("type") != given.get("type"):
        was = _short(stored) if isinstance(stored, dict) else repr(stored)
        return f"stored {was}, given {_short(given)}"
    if given["type"] == "Discrete":
        for key in ("n", "start"):
            if stored.get(key, 0) != given.get(key, 0):
                return f"stored {_short(stored)}, given {_short(given)} ({key} differs)"
        return None
    if list(stored.get("shape", [])) != list(given["shape"]):
        return f"stored {_short(stored)}, given {_short(given)} (shape differs)"
    for key in ("low", "high"):
        a = np.asarray(stored.get(key), dtype=np.float32).ravel()
        b = np.asarray(given[key], dtype=np.float32).ravel()
        if a.shape != b.shape:
            return f"stored {_short(stored)} with {a.size} {key} bounds, given {b.size}"
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            return (f"stored {_short(stored)}, given {_short(given)} ({key} bound {i} differs: stored {a[i]:g}, "
                    f"given {b[i]:g})")
    return None


__all__ = ["config_difference", "space_from_config", "space_to_config", "spaces_match"]
