"""``rlhf-gym sweep``: a grid of train settings x seeds, run as Ray tasks, summarised in one table.

Every option of ``rlhf-gym train`` is accepted and passed to each run; ``--grid KEY=V1,V2`` varies a
train option or a config key; ``--seeds N --first-seed S`` gives the seeds. Runs live in
``DIR/runs/<setting>/seed<S>/`` (each a normal train folder with its own sweep.log); running the same
command again repeats only the runs that have no results.json, so a sweep survives a crash or a reboot.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from pathlib import Path

from rlhf_gym.commands import common, train

ENGINES = ("auto", "ray", "local")
_NOT_PASSED = {"help", "seed", "out", "resume", "func"}


def _train_parser() -> argparse.ArgumentParser:
    from rlhf_gym.cli import _Parser

    holder = _Parser(prog="rlhf-gym").add_subparsers()
    train.add_parser(holder)
    return holder.choices["train"]


def add_parser(subparsers) -> None:
    parent = _train_parser()
    p = subparsers.add_parser("sweep", parents=[parent], conflict_handler="resolve",
                              help="run train over a grid of settings x seeds (Ray), with a summary table",
                              description="Run rlhf-gym train for every setting of --grid and every seed, as Ray tasks on "
                                          "this machine's cores (or a cluster's with --address), and write DIR/summary.md, "
                                          "summary.json and summary.png. Every train option applies to every run.")
    p.set_defaults(func=run, train_parser=parent)
    p.add_argument("--out", required=True, metavar="DIR", help="the sweep's folder (runs, logs, summary); reused to resume")
    p.add_argument("--seed", dest="seed", default=None, help=argparse.SUPPRESS)
    p.add_argument("--resume", action="store_true", help="accepted for symmetry: a sweep always resumes (finished runs are kept)")
    p.add_argument("--seeds", type=common.positive_int, default=1, metavar="N", help="seeds per setting, >= 1 (default: %(default)s)")
    p.add_argument("--first-seed", type=common.non_negative_int, default=0, metavar="S",
                   help="the first seed; runs use S .. S+N-1 (default: %(default)s)")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                   help="vary a train option (labels, steps, error-rate, query, algo, preset, feedback, env) or a "
                        "config key such as reward.scale (repeatable; settings are every combination)")
    p.add_argument("--engine", default="auto", choices=ENGINES,
                   help="ray (tasks on a Ray cluster), local (processes here), auto: ray where installed (default)")
    p.add_argument("--address", default=None, metavar="HOST:PORT", help="join a running Ray cluster (default: start Ray here)")
    p.add_argument("--workers", type=common.positive_int, default=None, metavar="N",
                   help="runs at once on this machine (default: its cores / --threads)")


def base_argv(args: argparse.Namespace) -> list[str]:
    """The train options the user gave, as a train command line (defaults left out)."""
    argv: list[str] = []
    for action in args.train_parser._actions:
        if action.dest in _NOT_PASSED or not action.option_strings:
            continue
        value = getattr(args, action.dest, None)
        flag = max(action.option_strings, key=len)
        if isinstance(action, argparse._AppendAction):
            for item in value or []:
                argv += [flag, item]
        elif isinstance(action, argparse._StoreTrueAction):
            argv += [flag] if value else []
        elif value is not None and value != action.default:
            argv += [flag, str(value)]
    return argv


def _engine(args) -> str:
    if args.engine == "local" and args.address is not None:
        raise ValueError(f"--address: {args.address!r} given with --engine local; allowed: --engine ray or auto")
    try:
        import ray  # noqa: F401

        has_ray = True
    except ImportError:
        has_ray = False
    if args.engine == "ray" or args.address is not None:
        if not has_ray:
            raise ValueError("--engine: ray is not installed; allowed: pip install -e \".[sweep]\", or --engine local")
        return "ray"
    return "ray" if args.engine == "auto" and has_ray else "local"


def _check_cell(args, cell_argv: list[str], label: str) -> None:
    """Parse and check one setting as train would, before any run starts (one line on a mistake)."""
    from rlhf_gym.cli import ParseError

    try:
        targs = args.train_parser.parse_args(cell_argv)
        if targs.feedback == "human":
            raise ValueError("--feedback: human in a sweep (nobody can answer many runs at once); allowed: "
                             "true, synthetic or file")
        train._refuse_unused(targs)
        train._check_env(train.build_config(targs)).close()
    except ParseError as err:
        raise ValueError(f"setting {label}: {err}") from None
    except ValueError as err:
        raise ValueError(f"setting {label}: {err}") from None


def _sweep_record(directory: Path, base: list[str]) -> None:
    """DIR/sweep.json holds the base options; a folder with other options is another sweep, not this one."""
    record = directory / "sweep.json"
    if record.is_file():
        old = json.loads(record.read_text()).get("base")
        if old != base:
            raise ValueError(f"--out: {directory} holds a sweep with train options {shlex.join(old or [])!r}; allowed: "
                             "the same options (to resume or add seeds and settings), or a new --out")
        return
    if directory.exists() and (directory.is_file() or any(directory.iterdir())):
        raise ValueError(f"--out: {directory} exists and is not a sweep folder; allowed: a new folder or an earlier sweep's")
    directory.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"format": "rlhf_gym.sweep", "version": 1, "base": base}, indent=2) + "\n")


def run(args: argparse.Namespace) -> int:
    from rlhf_gym.sweep import grid as grid_mod
    from rlhf_gym.sweep import launch, summary

    if args.seed is not None:
        raise ValueError(f"--seed: {args.seed}; allowed: --first-seed S and --seeds N (a sweep runs many seeds)")
    base = base_argv(args)
    grid = grid_mod.parse_grid(args.grid)
    given = {a.dest for a in args.train_parser._actions if a.option_strings and max(a.option_strings, key=len) in base}
    for key, _ in grid:
        flag = grid_mod.TRAIN_OPTIONS.get(key)
        if flag and flag.lstrip("-").replace("-", "_") in given:
            raise ValueError(f"--grid: {key!r} is also given as {flag}; allowed: one of them")
    engine = _engine(args)
    cells = grid_mod.cells(grid)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for cell in cells:
        _check_cell(args, base + cell.train_args() + ["--seed", str(args.first_seed)], cell.label)
    if args.address is not None:
        launch.check_address(args.address)  # before any folder is made
    directory = Path(args.out)
    _sweep_record(directory, base)
    runs = [launch.Run((directory / "runs" / cell.name / f"seed{seed}").resolve(),
                       base + cell.train_args() + ["--seed", str(seed)], args.threads)
            for cell in cells for seed in seeds]
    workers = args.workers or max(1, (os.cpu_count() or 1) // args.threads)
    command = shlex.join(["rlhf-gym", "sweep", *base, "--seeds", str(args.seeds), "--first-seed", str(args.first_seed),
                          *[x for item in args.grid for x in ("--grid", item)], "--out", str(args.out)])
    print(f"== sweep: {len(cells)} setting(s) x {len(seeds)} seed(s) = {len(runs)} runs, {workers} at once "
          f"({engine}{' at ' + args.address if args.address else ''}); folder {directory}")
    count = {"n": 0}

    def report(outcome: launch.Outcome) -> None:
        count["n"] += 1
        r = outcome.results
        if r is None:
            text = f"FAILED: {outcome.error} (log: {outcome.run.out / launch.LOG_NAME})"
        else:
            parts = [f"{k} {r[k]:.2f}" for k in ("success_rate", "true_return_mean") if isinstance(r.get(k), (int, float))]
            text = ", ".join(parts) + (" (done before)" if outcome.skipped else f" ({r.get('wall_seconds', 0):.0f} s)")
        print(f"[{count['n']}/{len(runs)}] {outcome.run.out.relative_to(directory.resolve())}: {text}", flush=True)

    outcomes = launch.run_all(runs, engine, workers, args.address, report)
    by_run = {o.run.out: o for o in outcomes}
    table = [{"cell": c.name, "label": c.label,
              "seeds": [{"seed": s, "run": str(directory / "runs" / c.name / f"seed{s}"),
                         "results": by_run[(directory / "runs" / c.name / f"seed{s}").resolve()].results,
                         "error": by_run[(directory / "runs" / c.name / f"seed{s}").resolve()].error} for s in seeds]}
             for c in cells]
    result = summary.summarize(table)
    paths = summary.write(result, directory, command)
    print()
    print((directory / "summary.md").read_text())
    print("wrote " + ", ".join(str(p) for p in paths))
    failed = [o for o in outcomes if o.error]
    if failed:
        first = failed[0]
        raise ValueError(f"{len(failed)} of {len(runs)} runs failed, first {first.run.out}: {first.error}; "
                         f"the other runs' results are in {directory / 'summary.json'}")
    return 0
