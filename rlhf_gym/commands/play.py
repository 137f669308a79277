"""``rlhf-gym play ENV_ID``: watch expert, random or saved-agent rollouts in a window, and record them.

Why: seeing a policy act is the quickest check of an env, an expert or a trained agent. Every
option is checked before the first frame, so a typo never costs a rollout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rlhf_gym.commands import common
from rlhf_gym.evaluation import policy_actor, random_actor
from rlhf_gym.rendering.reward_curves import RewardCurves, beside

ALGOS = ("ppo", "a2c", "sac", "td3", "ddpg", "dqn")
POLICY_ALLOWED = "expert, random, or the path of a saved SB3 model ending in .zip"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("play", help="show rollouts in a window (and record a GIF/MP4)",
                                   description="Play episodes of an env in a pygame window, or record them.")
    parser.add_argument("env", metavar="ENV_ID", help="a registered gymnasium id, e.g. rlhf_gym/Backflip-v0")
    parser.add_argument("--policy", default="expert", metavar="expert|random|PATH.zip",
                        help=f"who acts: {POLICY_ALLOWED} (default: %(default)s)")
    parser.add_argument("--algo", default="ppo", choices=ALGOS, help="SB3 class of a saved model (default: %(default)s)")
    parser.add_argument("--episodes", type=common.positive_int, default=1, metavar="N",
                        help="episodes to play, an integer >= 1 (default: %(default)s)")
    parser.add_argument("--record", default=None, metavar="FILE", help="write the frames to FILE (.gif or .mp4)")
    parser.add_argument("--headless", action="store_true", help="no window (with --record: only write the file)")
    parser.add_argument("--reward-model", default=None, metavar="PATH",
                        help="a saved reward model (DIR/reward_model of a train run): its reward (red) and the true "
                             "reward (green) are drawn as live curves beside the rollout")
    parser.add_argument("--fps", type=common.positive_int, default=None, metavar="N",
                        help="frames per second, an integer >= 1 (default: the env's render_fps)")
    common.add_env_kwargs_arg(parser)
    common.add_seed_arg(parser, help="seed of the first episode (episode i uses seed + i)")
    common.add_threads_arg(parser)
    parser.set_defaults(func=run)


def check_policy(args: argparse.Namespace) -> None:
    """--policy is expert, random, or a .zip that exists (checked before SB3 appends its own .zip)."""
    if args.policy in ("expert", "random"):
        return
    if not args.policy.endswith(".zip"):
        raise common.UsageError(f"--policy: {args.policy!r}; allowed: {POLICY_ALLOWED}")
    common.existing_path("--policy", args.policy, folder=False, allowed=POLICY_ALLOWED)


def load_policy(args: argparse.Namespace, env):
    """The policy named by ``--policy``: the env's expert, uniform random, or a saved SB3 model."""
    if args.policy == "expert":
        from rlhf_gym.experts import expert_for

        return policy_actor(expert_for(env))
    if args.policy == "random":
        return random_actor(env, args.seed)
    import stable_baselines3 as sb3

    model = getattr(sb3, args.algo.upper()).load(args.policy, device="cpu")
    if model.action_space != env.action_space or model.observation_space != env.observation_space:
        raise common.UsageError(
            f"--policy: {args.policy!r} acts in {model.observation_space} -> {model.action_space}; allowed: a model "
            f"of {args.env} ({env.observation_space} -> {env.action_space})")
    return policy_actor(model)


def _reward_curves(args, env):
    """(reward model, RewardCurves) when --reward-model is given, else (None, None); the model must fit the env."""
    if args.reward_model is None:
        return None, None
    from rlhf_gym.envs.horizon import episode_horizon
    from rlhf_gym.rewards import load_reward_model

    model = load_reward_model(args.reward_model)
    try:
        model.check_env(env)
    except ValueError as err:
        raise common.UsageError(f"--reward-model: {args.reward_model!r}: {err}") from None
    return model, RewardCurves(window=episode_horizon(env) or 200)


def run(args: argparse.Namespace) -> int:
    from rlhf_gym.rendering import FrameWindow, save_video
    from rlhf_gym.rendering.recorder import VIDEO_SUFFIXES

    check_policy(args)
    if args.record and Path(args.record).suffix.lower() not in VIDEO_SUFFIXES:
        raise common.UsageError(f"--record: {args.record!r}; allowed: a file ending in {', '.join(VIDEO_SUFFIXES)}")
    common.set_threads(args)
    env = common.make_env(args, render_mode="rgb_array")
    fps = args.fps or int(env.metadata.get("render_fps", 30))
    act = load_policy(args, env)
    reward_model, curves = _reward_curves(args, env)
    window = None if args.headless else FrameWindow(title=f"rlhf-gym play {args.env}", fps=fps)
    frames = []
    for episode in range(args.episodes):
        obs, _ = env.reset(seed=args.seed + episode)
        total, done, info = 0.0, False, {}
        if curves is not None:
            curves.reset()
        while not done:
            frame = env.render()
            if curves is not None:
                frame = beside(frame, curves.panel(frame.shape[0]))
            if args.record:
                frames.append(frame)
            if window is not None:
                window.show(frame)
                if window.closed:
                    break
            action = act(obs)
            next_obs, reward, terminated, truncated, info = env.step(action)
            total += float(info.get("true_reward", reward))
            if curves is not None:
                learned = reward_model(np.asarray(obs)[None], np.asarray(action)[None], np.asarray(next_obs)[None])
                curves.add(float(info.get("true_reward", reward)), float(learned[0]))
            obs = next_obs
            done = terminated or truncated
        extra = f"  success={bool(info['is_success'])}" if "is_success" in info else ""
        print(f"episode {episode}: true return {total:.3f}{extra}", flush=True)
        if window is not None and window.closed:
            break
    if args.record:
        last = env.render()
        frames.append(last if curves is None else beside(last, curves.panel(last.shape[0])))
        path = save_video(frames, args.record, fps=fps)
        print(f"recorded {len(frames)} frames to {path}")
    if window is not None:
        window.close()
    env.close()
    return 0
