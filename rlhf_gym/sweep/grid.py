"""The grid of a sweep: ``--grid key=v1,v2`` options become cells, each cell a set of train options.

Why a grid key is either a train option or a config key: ``labels=300,900`` reads like the train flag
it is, and ``reward.scale=0.1,1`` reaches any setting of the preset through ``--set``, so a sweep can vary
everything ``rlhf-gym train`` can, with no second list of knobs to keep in step.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# Train options a grid key may name directly (key -> the flag); any other key is a config key (--set).
TRAIN_OPTIONS = {"env": "--env", "preset": "--preset", "feedback": "--feedback", "labels": "--labels",
                 "steps": "--steps", "error-rate": "--error-rate", "error_rate": "--error-rate",
                 "query": "--query", "algo": "--algo", "env-kwargs": "--env-kwargs", "env_kwargs": "--env-kwargs"}


@dataclass(frozen=True)
class Cell:
    """One setting of the grid: ``values`` maps each grid key to its value (strings, as typed)."""

    values: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        """A folder name that says the setting (``base`` for an empty grid)."""
        if not self.values:
            return "base"
        text = ",".join(f"{key}={value}" for key, value in self.values)
        return re.sub(r"[^A-Za-z0-9._=,+-]", "_", text)

    @property
    def label(self) -> str:
        """The setting as a person reads it in a table."""
        return " ".join(f"{key}={value}" for key, value in self.values) or "(preset)"

    def train_args(self) -> list[str]:
        """The train options that realise this cell."""
        argv: list[str] = []
        for key, value in self.values:
            flag = TRAIN_OPTIONS.get(key)
            argv += [flag, value] if flag else ["--set", f"{key}={value}"]
        return argv


def parse_grid(items: list[str]) -> list[tuple[str, list[str]]]:
    """``["labels=300,900", "reward.scale=1"]`` -> ``[("labels", ["300", "900"]), ("reward.scale", ["1"])]``."""
    grid: list[tuple[str, list[str]]] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        values = [v.strip() for v in text.split(",")] if sep else []
        if not key or not sep or not values or any(not v for v in values):
            raise ValueError(f"--grid: {item!r}; allowed: KEY=V1,V2,... with a train option (labels, steps, "
                             "error-rate, query, algo, preset, feedback, env) or a config key (rlhf-gym presets NAME) "
                             "and at least one non-empty value")
        if key in ("seed", "out", "config", "resume"):
            raise ValueError(f"--grid: {key!r} cannot vary; allowed: seeds come from --seeds/--first-seed, the "
                             "folders from --out")
        if any(key == k or TRAIN_OPTIONS.get(key, key) == TRAIN_OPTIONS.get(k, k) for k, _ in grid):
            raise ValueError(f"--grid: {key!r} given twice; allowed: each key once, with all its values")
        if len(set(values)) != len(values):
            raise ValueError(f"--grid: {item!r} repeats a value; allowed: distinct values")
        grid.append((key, values))
    return grid


def cells(grid: list[tuple[str, list[str]]]) -> list[Cell]:
    """Every combination of the grid's values, in the order given (one cell for an empty grid)."""
    keys = [key for key, _ in grid]
    return [Cell(tuple(zip(keys, combo))) for combo in itertools.product(*(values for _, values in grid))]
