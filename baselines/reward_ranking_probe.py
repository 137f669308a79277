"""Offline: does a reward learned from the failing agents' episodes rank unseen successful ones above them?

Why: on Backflip the preference loop fails when its reward prices the agent's own behaviour above a
backflip-and-stand it has never shown the teacher (README, "Preferences on Backflip"). This probe
rebuilds that situation offline and measures one reward-model setting against another: clips are
whole episodes of the agents given by ``--train-agents`` (saved by rlhf_backflip.py) and of random
play, judged by a teacher with 10% mistakes on the crash-0 / stand-0.3 variant; the model is tested
on fresh episodes of those agents (the failing side) and of ``--good-agents`` plus the scripted
expert with action noise 0 and 0.3 (the successful side, never trained on).

Prints, per setting and label seed: held-out accuracy on the training pairs, Spearman correlation of
learned with true episode return on the test episodes, and the share of (successful, failing) test
episode pairs the learned reward orders right.

    python baselines/reward_ranking_probe.py --train-agents "runs/a/agent_*.zip" --good-agents "runs/b/agent_*.zip"
        [--lasso 0,0.03,0.1,0.3] [--seeds 3] [--pairs 900]
"""

from __future__ import annotations

import argparse
import glob
from dataclasses import dataclass

import numpy as np

ENV_ID = "rlhf_gym/Backflip-v0"


@dataclass
class Args:
    train_agents: str = ""
    """glob of saved SB3 agents whose episodes are labelled (the failing side)"""
    good_agents: str = ""
    """glob of saved SB3 agents held out as the successful side (the scripted expert is always added)"""
    lasso: str = "0,0.03,0.1,0.3"
    """comma-separated input_lasso values of the reward trainer"""
    seeds: int = 3
    """label seeds (pairs and teacher answers) per setting"""
    pairs: int = 900
    """labelled pairs"""
    train_episodes: int = 40
    """episodes per training agent (random play gets 60)"""
    test_episodes: int = 12
    """test episodes per agent and per expert noise level"""


def episodes(env, rng, n, policy=None):
    from rlhf_gym.feedback import collect_segments

    return collect_segments(env, n, 200, rng, policy=policy)


def expert_policy(noise, rng):
    from rlhf_gym.experts.backflip_controller import act

    return lambda o: np.clip(np.array(act(o)) + noise * rng.normal(size=2), -1, 1).astype(np.float32)


def main(args: Args) -> None:
    import gymnasium as gym
    import torch
    from scipy.stats import spearmanr
    from stable_baselines3 import PPO

    import rlhf_gym  # noqa: F401
    from rlhf_gym.commands.common import print_table
    from rlhf_gym.feedback import SyntheticTeacher, random_pairs
    from rlhf_gym.data.segments import stack_segments
    from rlhf_gym.rewards import RewardModel, RewardTrainer

    torch.set_num_threads(1)
    train_paths, good_paths = sorted(glob.glob(args.train_agents)), sorted(glob.glob(args.good_agents))
    if not train_paths:
        raise ValueError(f"--train-agents {args.train_agents!r} matches no file; allowed: a glob of saved agent .zip files")
    env = gym.make(ENV_ID, crash_penalty=0.0, stand_reward=0.3)
    rng = np.random.default_rng(0)
    clips = episodes(env, rng, 60)
    bad_test, good_test = [], []
    for path in train_paths:
        agent = PPO.load(path, device="cpu")
        clips += episodes(env, rng, args.train_episodes, agent)
        bad_test += episodes(env, rng, args.test_episodes, agent)
    for path in good_paths:
        good_test += episodes(env, rng, args.test_episodes, PPO.load(path, device="cpu"))
    for noise in (0.0, 0.3):
        good_test += episodes(env, rng, args.test_episodes, expert_policy(noise, rng))
    test = good_test + bad_test
    true = np.array([s.true_return() for s in test])
    rows = []
    for lasso in [float(x) for x in args.lasso.split(",")]:
        for seed in range(args.seeds):
            pair_rng = np.random.default_rng(seed)
            pairs = [(clips[i], clips[j]) for i, j in random_pairs(len(clips), args.pairs, pair_rng)]
            labels = SyntheticTeacher(np.random.default_rng(1 + 10 * seed), error_rate=0.1).label_pairs(pairs)
            kept = [(p, lab) for p, lab in zip(pairs, labels) if lab is not None]
            model = RewardModel.for_env(env, kind="mlp", inputs=("obs", "obs_change"), ensemble_size=3,
                                        output_scale=0.1, input_clip=5.0, seed=0)
            metrics = RewardTrainer(model, np.random.default_rng(0), error_rate=0.1, input_lasso=lasso).train(
                [p for p, _ in kept], [lab for _, lab in kept])
            learned = model.segment_returns(stack_segments(test), normalized=True).mean(axis=0)
            good, bad = learned[:len(good_test)], learned[len(good_test):]
            rows.append([lasso, seed, metrics["val_accuracy"], float(spearmanr(learned, true)[0]),
                         float((good[:, None] > bad[None, :]).mean())])
    print_table(f"Reward trained on {len(train_paths)} agents' episodes + random play, {args.pairs} pairs, 10% mistakes; "
                f"tested on {len(good_test)} successful and {len(bad_test)} failing episodes",
                ["input_lasso", "label seed", "held-out accuracy", "Spearman (episode returns)",
                 "successful > failing"], rows)
    for lasso in sorted({r[0] for r in rows}):
        sel = np.array([r[2:] for r in rows if r[0] == lasso])
        print(f"input_lasso {lasso}: mean accuracy {sel[:, 0].mean():.3f}, Spearman {sel[:, 1].mean():.3f}, "
              f"successful > failing {sel[:, 2].mean():.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, f in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(f.default), default=f.default)
    main(Args(**vars(parser.parse_args())))
