"""Online human feedback where nobody waits (issue 23, item 3): a short ``--feedback human`` run with
a simulated person who answers through the same queue and the same main-thread loop as the window,
after ``--delay`` seconds a pair (3 s: a quick person), as the exact teacher would.

It prints the share of the labelling time the person waited with nothing to answer (target: about 0,
the training side keeps the queue full), the share of the training's wall time the agent stalled on
answers (only the chosen wait for the first ``--first-labels`` answers), labels per minute, and the
session's time (training and labelling, side by side) against a synchronous loop that stops the agent
for every answer (its training time without the stall + answers x delay, both measured in this run).

    python baselines/bench_human_wait.py [--env rlhf_gym/CliffWalk-v0] [--steps 150000] [--labels 20] [--delay 3]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from script_args import parse  # noqa: E402

import rlhf_gym  # noqa: E402,F401


@dataclass
class Args:
    env: str = "rlhf_gym/CliffWalk-v0"
    """env id (its preset is the recipe)"""
    steps: int = 150_000
    """agent timesteps (CliffWalk's preset has 40,000; more here so that the person spends the budget)"""
    labels: int = 20
    """label budget"""
    delay: float = 3.0
    """seconds the simulated person takes per answer"""
    first_labels: int = 3
    """answers the agent waits for at its first rollout end"""
    queue: int = 3
    """pairs queued for the person"""
    seed: int = 0
    """seed of the run"""
    out: str = ""
    """a folder to keep the run in (default: a temporary one)"""


def run(args: Args) -> dict:
    from rlhf_gym import presets
    from rlhf_gym.feedback.online_person import SimulatedPerson
    from rlhf_gym.rlhf.pipeline import run_rlhf_online

    cfg = presets.load(presets.for_env(args.env), args.env)
    cfg.agent.steps, cfg.schedule.labels, cfg.seed = args.steps, args.labels, args.seed
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.out or tmp)
        started = time.perf_counter()
        _, _, cb, _, times = run_rlhf_online(cfg, folder / "labels.jsonl", SimulatedPerson(args.delay),
                                             first_labels=args.first_labels, queue_size=args.queue)
        wall = time.perf_counter() - started
    answered = cb.queries_asked
    synchronous = times["training_seconds"] - times["agent_stalled_seconds"] + answered * args.delay
    return {"env": args.env, "steps": args.steps, "delay": args.delay, "labels_answered": answered,
            "labels_per_minute": 60.0 * answered / max(times["labelling_seconds"], 1e-9),
            "person_waited_share": times["person_waited_share"], "agent_stalled_share": times["agent_stalled_share"],
            "training_seconds": times["training_seconds"], "wall_seconds": wall, "synchronous_seconds": synchronous,
            "online_vs_synchronous": times["training_seconds"] / synchronous}


def main(args: Args) -> dict:
    torch.set_num_threads(1)
    r = run(args)
    print("| env | steps | delay s | labels | labels/min | person waited | agent stalled | online s | synchronous s "
          "| ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {r['env']} | {r['steps']} | {r['delay']:g} | {r['labels_answered']} | {r['labels_per_minute']:.1f} | "
          f"{r['person_waited_share']:.3f} | {r['agent_stalled_share']:.3f} | {r['training_seconds']:.1f} | "
          f"{r['synchronous_seconds']:.1f} | {r['online_vs_synchronous']:.2f} |")
    print(json.dumps(r))
    return r


if __name__ == "__main__":
    main(parse(Args, __doc__))
