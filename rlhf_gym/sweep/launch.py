"""Run many ``rlhf-gym train`` processes: as Ray tasks (one machine or a cluster), or as local processes.

Why a process per run: a run that crashes, leaks memory or sets torch's thread count cannot touch
another run, and the log of each run is a file beside its results. Ray schedules the processes on every
core it knows of (``ray.init()`` on this machine, or a cluster at ``--address``); without Ray, a thread
pool starts the same processes here. A run whose ``results.json`` exists is done and is not repeated.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

LOG_NAME = "sweep.log"


@dataclass
class Run:
    """One train process: its folder (also its name in messages) and its train options."""

    out: Path
    argv: list[str]
    threads: int = 1


@dataclass
class Outcome:
    """What became of a run: its results, or why it has none."""

    run: Run
    results: dict | None
    error: str | None = None
    skipped: bool = False


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def train_process(out: str, argv: list[str]) -> tuple[int, str | None, str]:
    """Run one ``rlhf-gym train`` to completion; return (exit status, results.json text, log tail).

    Module-level so that Ray can ship it to any node; the results travel back as text, so a run on
    another machine still lands in the sweep's folder here.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONUNBUFFERED": "1"}
    with open(folder / LOG_NAME, "w") as log:
        rc = subprocess.run([sys.executable, "-m", "rlhf_gym.cli", "train", *argv, "--out", str(folder), "--resume"],
                            stdout=log, stderr=subprocess.STDOUT, env=env).returncode
    results = folder / "results.json"
    text = results.read_text() if rc == 0 and results.is_file() else None
    tail = (folder / LOG_NAME).read_text()[-4000:]
    return rc, text, tail


def _finish(run: Run, rc: int, text: str | None, tail: str) -> Outcome:
    if rc != 0 or text is None:
        why = _last_line(tail) if rc != 0 else "exited 0 but wrote no results.json"
        return Outcome(run, None, f"exit status {rc}: {why}")
    path = run.out / "results.json"
    if not path.is_file():  # ran on another node of the cluster
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Outcome(run, json.loads(text))


def finished(run: Run) -> Outcome | None:
    """The outcome of a run done before (its results.json is there), else None."""
    path = run.out / "results.json"
    if not path.is_file():
        return None
    try:
        return Outcome(run, json.loads(path.read_text()), skipped=True)
    except (OSError, ValueError):
        return None  # a damaged results file: the run is repeated


def check_address(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with one line, where ``ray.init(address=...)`` would retry for minutes."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--address: {address!r}; allowed: HOST:PORT of a Ray head (ray start --head prints "
                         "it), ray://HOST:PORT, or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as err:
        raise ValueError(f"--address: {address!r} is unreachable ({err.strerror or err}); allowed: the address "
                         "of a running Ray head, or leave --address out to start Ray on this machine") from None


def run_all(runs: list[Run], engine: str, workers: int, address: str | None,
            report: Callable[[Outcome], None]) -> list[Outcome]:
    """Every run's outcome, in the order given; ``report`` is called as each one ends."""
    outcomes: dict[int, Outcome] = {}
    todo = []
    for i, run in enumerate(runs):
        done = finished(run)
        if done is not None:
            outcomes[i] = done
            report(done)
        else:
            todo.append(i)
    if todo:
        launch = _with_ray if engine == "ray" else _with_processes
        for i, outcome in launch([runs[i] for i in todo], todo, workers, address):
            outcomes[i] = outcome
            report(outcome)
    return [outcomes[i] for i in range(len(runs))]


def _with_processes(runs: list[Run], ids: list[int], workers: int, address):
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(train_process, str(run.out), run.argv): (i, run) for i, run in zip(ids, runs)}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            i, run = futures[future]
            yield i, _finish(run, *future.result())


def _with_ray(runs: list[Run], ids: list[int], workers: int, address: str | None):
    import ray

    if address is not None:
        check_address(address)
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(train_process)
        pending = {task.options(num_cpus=run.threads).remote(str(run.out), run.argv): (i, run)
                   for i, run in zip(ids, runs)}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            i, run = pending.pop(ready[0])
            try:
                yield i, _finish(run, *ray.get(ready[0]))
            except ray.exceptions.RayError as err:  # the worker or its node died
                yield i, Outcome(run, None, f"Ray lost the task: {_last_line(str(err))}")
    finally:
        ray.shutdown()
