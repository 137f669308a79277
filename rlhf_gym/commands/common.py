"""Arguments, env construction, run folders and results.json shared by every command.

Why: every training command takes ``--env ID --env-kwargs JSON --seed N --out DIR`` (plus
``--resume`` and ``--threads``), checks them the same way and writes ``DIR/results.json`` with the
same keys, so runs of different methods compare directly. A user's mistake raises
:class:`UsageError` (or one of its path flavours), which ``rlhf-gym`` prints as one line
``rlhf-gym CMD: error: --option: VALUE; allowed: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any, Sequence

import gymnasium as gym


REQUIRED_RESULT_KEYS = ("true_return_mean", "true_return_std", "labels_used", "wall_seconds")


# --------------------------------------------------------------------------- user errors
class UsageError(ValueError):
    """A bad command-line argument: printed as one line, exit status 2, no traceback."""


class PathMissing(UsageError, FileNotFoundError):
    """A path argument that names nothing."""


class PathExists(UsageError, FileExistsError):
    """A path argument that would overwrite something."""


class NotAFolder(UsageError, NotADirectoryError):
    """A path argument that should be a folder and is a file."""


class IsAFolder(UsageError, IsADirectoryError):
    """A path argument that should be a file and is a folder."""


# --------------------------------------------------------------------------- argument types
def _integer(text: str, low: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}; allowed: {what}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"{value}; allowed: {what}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (a seed)."""
    return _integer(text, 0, "an integer >= 0")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (episodes, rounds, threads, ...)."""
    return _integer(text, 1, "an integer >= 1")


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (learning rates, distances, seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}; allowed: a number > 0") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text}; allowed: a finite number > 0")
    return value


def non_negative_float(text: str) -> float:
    """argparse type: a finite number >= 0 (seconds to wait)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}; allowed: a number >= 0") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text}; allowed: a finite number >= 0")
    return value


def add_env_kwargs_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env-kwargs", default="{}", metavar="JSON",
                        help='keyword arguments for gym.make, a JSON object, e.g. \'{"slip": 0.1}\' (default: {})')


def add_seed_arg(parser: argparse.ArgumentParser, help: str = "seed of every random generator") -> None:
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                        help=f"{help}, an integer >= 0 (default: %(default)s)")


def add_threads_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=positive_int, default=1, metavar="N",
                        help="torch CPU threads, an integer >= 1 (default: %(default)s, what our runs are measured with)")


def add_common_args(parser: argparse.ArgumentParser, default_env: str = "rlhf_gym/GridWorld-v0") -> None:
    """Add --env, --env-kwargs, --seed, --out, --resume and --threads to a subcommand's parser."""
    parser.add_argument("--env", default=default_env, metavar="ID",
                        help="any registered gymnasium id (default: %(default)s)")
    add_env_kwargs_arg(parser)
    add_seed_arg(parser)
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="output folder, new or empty (default: runs/<command>__<env>__seed<N>__<date_time>)")
    parser.add_argument("--resume", action="store_true",
                        help="allow an --out folder that already holds a run: continue it")
    add_threads_arg(parser)


def set_threads(args: argparse.Namespace) -> None:
    """``torch.set_num_threads(args.threads)`` (1 when the command has no --threads)."""
    import torch

    torch.set_num_threads(int(getattr(args, "threads", 1) or 1))


# --------------------------------------------------------------------------- envs
def env_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Parse ``--env-kwargs``; a clear error when it is not a JSON object."""
    text = getattr(args, "env_kwargs", "{}") or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"--env-kwargs: {text!r} is not valid JSON ({err.msg}); "
                         "allowed: a JSON object like '{\"slip\": 0.1}'") from None
    if not isinstance(value, dict):
        raise UsageError(f"--env-kwargs: {text!r} is a JSON {type(value).__name__}; allowed: a JSON object")
    return value


def check_env_id(env_id: str) -> None:
    """Fail early, naming the id, when ``env_id`` is not registered."""
    import rlhf_gym  # noqa: F401  (registers our ids)

    if env_id not in gym.registry:
        ours = ", ".join(sorted(k for k in gym.registry if k.startswith("rlhf_gym/")))
        raise UsageError(f"--env: {env_id!r} is not a registered gymnasium id; allowed: a registered id, "
                         f"e.g. ours: {ours}")


def make_env(args: argparse.Namespace, **overrides: Any) -> gym.Env:
    """``gym.make(args.env, **env_kwargs(args), **overrides)``; a keyword the env rejects names --env-kwargs."""
    check_env_id(args.env)
    kwargs = env_kwargs(args)
    try:
        return gym.make(args.env, **{**kwargs, **overrides})
    except (TypeError, ValueError) as err:
        if not kwargs:
            raise
        raise UsageError(f"--env-kwargs: {json.dumps(kwargs)}; allowed: keyword arguments and values that {args.env} "
                         f"accepts ({err})") from err


# --------------------------------------------------------------------------- paths
def existing_path(option: str, value: str, folder: bool | None = None, allowed: str = "an existing path") -> Path:
    """``Path(value)`` when it exists (and is a folder / a file as asked), else a one-line error."""
    path = Path(value)
    if not path.exists():
        raise PathMissing(f"{option}: {value!r} does not exist; allowed: {allowed}")
    if folder is True and not path.is_dir():
        raise NotAFolder(f"{option}: {value!r} is a file; allowed: {allowed}")
    if folder is False and path.is_dir():
        raise IsAFolder(f"{option}: {value!r} is a folder; allowed: {allowed}")
    return path


def _default_run_name(args: argparse.Namespace, command: str) -> Path:
    env_part = [args.env.replace("/", "_")] if getattr(args, "env", None) else []
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime())
    base = "__".join([command, *env_part, f"seed{args.seed}", stamp])
    path, n = Path("runs") / base, 1
    while path.exists():  # two runs started in the same second
        n += 1
        path = Path("runs") / f"{base}-{n}"
    return path


def check_out(args: argparse.Namespace) -> None:
    """Refuse an --out that is a file, or a folder that already holds something (unless --resume)."""
    if not getattr(args, "out", None):
        return
    path = Path(args.out)
    if path.exists() and not path.is_dir():
        raise NotAFolder(f"--out: {args.out!r} is a file; allowed: a new or empty folder")
    if path.is_dir() and any(path.iterdir()) and not getattr(args, "resume", False):
        raise PathExists(f"--out: {args.out!r} already holds files (a run?); allowed: a new or empty folder, "
                         "or add --resume to continue that run")


def out_dir(args: argparse.Namespace, command: str) -> Path:
    """The run folder, created: --out, or ``runs/<command>__<env>__seed<N>__<YYYY-MM-DD_HH-MM-SS>``."""
    if args.out:
        check_out(args)
        path = Path(args.out)
    else:
        path = _default_run_name(args, command)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- results
def write_results(directory: str | Path, results: dict[str, Any]) -> Path:
    """Write ``results.json``; refuse when a required key is missing or a number is not finite."""
    missing = [key for key in REQUIRED_RESULT_KEYS if key not in results]
    if missing:
        raise ValueError(f"results: missing required keys {missing}; required: {list(REQUIRED_RESULT_KEYS)}")
    for key, value in results.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"results[{key!r}]: {value!r} is not a finite number")
    path = Path(directory) / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return path


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; floats get 3 significant decimals."""

    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a titled markdown table to stdout."""
    print(f"\n### {title}\n")
    print(format_table(headers, rows))
    print(flush=True)
