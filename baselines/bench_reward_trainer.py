"""Cost of a reward-model fit on long clips, with denormal floats flushed (what RewardTrainer does)
against the same fit without, timed in one process (a ratio, so the machine cancels out).

Why: a fit orders some pairs of whole-episode clips by ~90 nats or more; their Bradley-Terry
gradients underflow into denormal floats, which the CPU computes on a slow path. The two fits start
from the same weights and seed; the script also checks that they end with the same metrics.

    python baselines/bench_reward_trainer.py [--pairs 900] [--length 200] [--ensemble 3]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import torch

import rlhf_gym  # noqa: F401


@dataclass
class Args:
    pairs: int = 900
    """labelled clip pairs to fit"""
    length: int = 200
    """steps per clip (200: whole Backflip episodes)"""
    ensemble: int = 3
    """reward-model ensemble members"""
    seed: int = 0
    """seed of the clips, the labels and the fit"""


def labelled_pairs(args: Args):
    """Clips of the scripted expert with action noise 0 / 0.3 / 0.6 / 1 / 2 and of random play, judged by a
    teacher with 10% mistakes on the crash-0 / stand-0.3 variant (the "backflip" preset's training variant)."""
    import gymnasium as gym

    from rlhf_gym.experts.backflip_controller import act
    from rlhf_gym.feedback import SyntheticTeacher, collect_segments, random_pairs

    rng = np.random.default_rng(args.seed)
    env = gym.make("rlhf_gym/Backflip-v0", crash_penalty=0.0, stand_reward=0.3)
    clips = []
    for noise in (0.0, 0.3, 0.6, 1.0, 2.0, None):
        policy = None if noise is None else (
            lambda o, s=noise: np.clip(np.array(act(o)) + s * rng.normal(size=2), -1, 1).astype(np.float32))
        clips += collect_segments(env, max(2, args.pairs // 15), args.length, rng, policy=policy)
    pairs = [(clips[i], clips[j]) for i, j in random_pairs(len(clips), args.pairs, rng)]
    return env, pairs, SyntheticTeacher(rng, error_rate=0.1).label_pairs(pairs)


def timed_fit(args: Args, env, pairs, labels, flush: bool) -> tuple[float, dict]:
    from rlhf_gym.rewards import RewardModel, RewardTrainer

    model = RewardModel.for_env(env, kind="mlp", inputs=("obs", "obs_change"), ensemble_size=args.ensemble,
                                output_scale=0.1, input_clip=5.0, seed=args.seed)
    trainer = RewardTrainer(model, np.random.default_rng(args.seed), assumed_error_rate=0.1)
    fit = trainer.train if flush else trainer._train  # _train: the same fit without the flush
    started = time.perf_counter()
    metrics = fit(pairs, labels)
    return time.perf_counter() - started, metrics


def main(args: Args) -> None:
    torch.set_num_threads(1)
    env, pairs, labels = labelled_pairs(args)
    slow, m_slow = timed_fit(args, env, pairs, labels, flush=False)
    fast, m_fast = timed_fit(args, env, pairs, labels, flush=True)
    for name, m, secs in (("denormals kept", m_slow, slow), ("denormals flushed", m_fast, fast)):
        print(f"{name}: {secs:.1f} s, {m['epochs']:.1f} epochs, held-out loss {m['val_loss']:.3f}, "
              f"accuracy {m['val_accuracy']:.3f}")
    same = all(abs(m_slow[k] - m_fast[k]) < 1e-3 for k in ("epochs", "val_loss", "val_accuracy"))
    print(f"speed-up {slow / fast:.2f}x on {len(pairs)} pairs of {args.length}-step clips; same metrics: {same}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, f in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(f.default), default=f.default)
    main(Args(**vars(parser.parse_args())))
