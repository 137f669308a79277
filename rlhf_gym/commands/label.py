"""``rlhf-gym label``: a person compares clip pairs in a window; every answer is saved as it is given.

The clips of pair i are rolled out from a generator seeded by (seed, i), so the same command always
shows the same pairs: run it again after a crash, a closed window or a killed process and it goes on
at the first pair without an answer. ``rlhf-gym train --feedback file --labels-file LABELS.jsonl``
trains from the answers. At the end it reports labels per minute, the median seconds per label, and
how often the person agreed with an exact teacher that reads the env's true reward
(``rlhf_gym.feedback.human.answer_summary``, shared with ``rlhf-gym train --feedback human``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rlhf_gym.commands import common

POLICIES = ("random", "expert")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("label", help="compare clip pairs in a window; answers go to a label file")
    p.add_argument("--env", required=True, metavar="ID", help="any registered gymnasium id with rgb_array frames")
    p.add_argument("--env-kwargs", default="{}", metavar="JSON", help="keyword arguments for gym.make (default: {})")
    p.add_argument("--pairs", type=int, required=True, metavar="N", help="pairs to answer, an integer >= 1")
    p.add_argument("--out", required=True, metavar="LABELS.jsonl", help="the label file (resumed if it exists)")
    p.add_argument("--policy", default="random", metavar="random|expert|AGENT.zip",
                   help="what acts in the clips (default: %(default)s)")
    p.add_argument("--algo", default="ppo", choices=("ppo", "a2c", "sac", "td3", "ddpg", "dqn"),
                   help="SB3 class of an AGENT.zip (default: %(default)s)")
    p.add_argument("--segment-length", type=int, default=25, metavar="L", help="steps per clip, >= 1 (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the clips, an integer >= 0 (default: %(default)s)")
    p.add_argument("--fps", type=float, default=None, metavar="F", help="frames per second, > 0 (default: the env's)")
    p.set_defaults(func=run)


def _check(args) -> None:
    for name, low in (("pairs", 1), ("segment_length", 1), ("seed", 0)):
        if getattr(args, name) < low:
            raise ValueError(f"--{name.replace('_', '-')}: {getattr(args, name)}; allowed: an integer >= {low}")
    if args.fps is not None and not args.fps > 0:
        raise ValueError(f"--fps: {args.fps}; allowed: a number > 0")
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out: {args.out!r} is a folder; allowed: a .jsonl file (new, or one to resume)")
    if args.policy not in POLICIES and not Path(args.policy).is_file():
        raise ValueError(f"--policy: {args.policy!r}; allowed: random, expert, or an existing SB3 model .zip")


def session_settings(args) -> dict:
    """What decides the pairs; a resumed file must have been started with the same."""
    return {"env": args.env, "env_kwargs": common.env_kwargs(args), "policy": args.policy,
            "segment_length": args.segment_length, "seed": args.seed}


def _check_session(out: Path, settings: dict) -> None:
    path = out.with_name(out.name + ".session.json")
    if path.exists():
        old = json.loads(path.read_text())
        for key, value in settings.items():
            if old.get(key) != value:
                raise ValueError(f"--{key.replace('_', '-')}: {value!r}, but {out} was started with {old.get(key)!r}; "
                                 "allowed: the same settings to resume it, or a new --out")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2) + "\n")


def _policy(args, env):
    if args.policy == "random":
        return None
    if args.policy == "expert":
        from rlhf_gym.experts import expert_for

        return expert_for(env)
    import stable_baselines3 as sb3

    return getattr(sb3, args.algo.upper()).load(args.policy, device="cpu")


def pair_clips(env, policy, index: int, length: int, seed: int):
    """The two clips of pair ``index``: the same for the same seed, however often it is asked."""
    import numpy as np

    from rlhf_gym.data.rollouts import collect_segments

    if policy is not None and hasattr(policy, "policy"):  # an SB3 agent samples with torch's generator
        import torch

        torch.manual_seed(seed * 1_000_003 + index)
    left, right = collect_segments(env, 2, length, np.random.default_rng([seed, index]), policy, with_frames=True)
    return left, right


def run(args: argparse.Namespace) -> int:
    from rlhf_gym.feedback import LabelStore
    from rlhf_gym.feedback.comparison_window import ComparisonWindow
    from rlhf_gym.feedback.human import HumanTeacher, PersonQuit, answer_summary

    _check(args)
    common.check_env_id(args.env)
    out = Path(args.out)
    settings = session_settings(args)
    env = common.make_env(args, render_mode="rgb_array")
    policy = _policy(args, env)
    _check_session(out, settings)
    common.set_threads(argparse.Namespace(threads=1))
    store = LabelStore(out, env_id=args.env, observation_space=env.observation_space, action_space=env.action_space)
    fps = args.fps or float(env.metadata.get("render_fps", 25))
    teacher = HumanTeacher(store, ComparisonWindow(fps=fps), total=args.pairs,
                           describe=f"{args.policy} on {args.env}, {args.segment_length}-step clips")
    start = len(store.records)
    if start:
        print(f"{out}: {start} answers already; going on at pair {start + 1} of {args.pairs}")
    index = start
    try:
        while index < args.pairs:
            answer = teacher.ask(*pair_clips(env, policy, index, args.segment_length, args.seed))
            if answer.kind != "undo":
                index += 1
            elif index > 0:  # pair index - 1 is shown again (the same clips: they come from its seed)
                teacher.undo()
                index -= 1
    except PersonQuit as stop:
        print(f"rlhf-gym label: {stop}; run the same command to go on")
    finally:
        teacher.window.close()
        env.close()
        store.close()
    result = answer_summary(store)
    out.with_name(out.stem + ".summary.json").write_text(json.dumps(result, indent=2) + "\n")
    common.print_table(f"{out}: {result['answers']} answers", list(result), [list(result.values())])
    return 0
