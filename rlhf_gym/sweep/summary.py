"""The sweep's table: for each cell, every seed's results and the mean and 95% bootstrap interval of
every numeric key, as ``summary.json`` (for programs), ``summary.md`` (for people) and ``summary.png``.

Why a bootstrap interval: 8 or 16 seeds of success rates are bounded and skewed, so a normal interval
would reach past 1; the percentile bootstrap over seeds stays inside what the seeds show. Its resamples
come from a generator with a fixed seed, so the same runs always give the same table.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

RESAMPLES = 10_000
# The columns of summary.md, in order, where the runs report them.
HEADLINE = ("success_rate", "true_return_mean", "labels_used", "wall_seconds")


def bootstrap_interval(values, rng: np.random.Generator, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (one value: the value itself)."""
    x = np.asarray(values, dtype=float)
    if x.size == 1:
        return float(x[0]), float(x[0])
    means = x[rng.integers(0, x.size, size=(RESAMPLES, x.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def _numeric(results: dict) -> dict[str, float]:
    return {k: float(v) for k, v in results.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


def summarize(cells: list[dict]) -> dict:
    """``cells``: [{"cell", "label", "seeds": [{"seed", "run", "results" or "error"}]}] -> summary dict."""
    rng = np.random.default_rng(0)
    out = []
    for cell in cells:
        done = [s for s in cell["seeds"] if s.get("results") is not None]
        keys = sorted(set().union(*(_numeric(s["results"]) for s in done))) if done else []
        stats = {}
        for key in keys:
            values = [_numeric(s["results"])[key] for s in done if key in _numeric(s["results"])]
            low, high = bootstrap_interval(values, rng)
            stats[key] = {"mean": float(np.mean(values)), "ci95": [low, high], "min": float(np.min(values)),
                          "median": float(np.median(values)), "max": float(np.max(values)), "per_seed": values}
        out.append({**cell, "finished": len(done), "stats": stats})
    return {"format": "rlhf_gym.sweep_summary", "version": 1, "resamples": RESAMPLES, "cells": out}


def _fmt(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 1000 else f"{x:.0f}"


def markdown(summary: dict, command: str) -> str:
    """The table a person reads: one row per cell, mean [95% interval] of the headline keys, per-seed values."""
    cells = summary["cells"]
    present = [k for k in HEADLINE if any(k in c["stats"] for c in cells)]
    per_seed_key = "success_rate" if "success_rate" in present else (present[0] if present else None)
    headers = ["setting", "runs"] + [k if k != "wall_seconds" else "wall_seconds (median)" for k in present]
    if per_seed_key:
        headers.append(f"{per_seed_key} per seed")
    lines = [f"Command: `{command}`", "", "Mean [95% bootstrap interval over seeds].", "",
             "| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for c in cells:
        row = [c["label"], f"{c['finished']}/{len(c['seeds'])}"]
        for k in present:
            s = c["stats"].get(k)
            if s is None:
                row.append("-")
            elif k == "wall_seconds":
                row.append(_fmt(s["median"]))
            else:
                row.append(f"{_fmt(s['mean'])} [{_fmt(s['ci95'][0])}, {_fmt(s['ci95'][1])}]")
        if per_seed_key:
            s = c["stats"].get(per_seed_key)
            row.append(" ".join(_fmt(v) for v in s["per_seed"]) if s else "-")
        lines.append("| " + " | ".join(row) + " |")
    failed = [(c["label"], s) for c in cells for s in c["seeds"] if s.get("error")]
    if failed:
        lines += ["", "Runs that failed:", ""] + [f"- {label}, seed {s['seed']} ({s['run']}): {s['error']}"
                                                  for label, s in failed]
    return "\n".join(lines) + "\n"


def plot(summary: dict, path: Path) -> Path | None:
    """Each cell's seeds as dots and its mean with the 95% interval, for the first headline key present."""
    cells = summary["cells"]
    key = next((k for k in HEADLINE[:2] if any(k in c["stats"] for c in cells)), None)
    if key is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(cells) + 2), 3.6))
    for x, c in enumerate(cells):
        s = c["stats"].get(key)
        if s is None:
            continue
        ax.scatter(np.full(len(s["per_seed"]), x) + np.linspace(-0.15, 0.15, len(s["per_seed"])), s["per_seed"],
                   s=12, color="tab:blue", alpha=0.6)
        ax.errorbar([x], [s["mean"]], yerr=[[s["mean"] - s["ci95"][0]], [s["ci95"][1] - s["mean"]]],
                    fmt="o", color="black", capsize=5)
    ax.set_xticks(range(len(cells)), [c["label"] for c in cells], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(key)
    ax.set_title("seeds (dots), mean and 95% bootstrap interval")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write(summary: dict, directory: Path, command: str) -> list[Path]:
    """summary.json, summary.md and summary.png in ``directory``."""
    json_path, md_path = directory / "summary.json", directory / "summary.md"
    json_path.write_text(json.dumps({**summary, "command": command}, indent=2) + "\n")
    md_path.write_text(markdown(summary, command))
    png = plot(summary, directory / "summary.png")
    return [json_path, md_path] + ([png] if png else [])
