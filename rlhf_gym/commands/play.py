"""``rlhf-gym play ENV_ID``: watch expert, random or saved-agent rollouts in a window, and record them."""

from __future__ import annotations

import argparse

from rlhf_gym.commands import common

ALGOS = ("ppo", "a2c", "sac", "dqn")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("play", help="show rollouts in a window (and record a GIF/MP4)")
    parser.add_argument("env", metavar="ENV_ID", help="a registered gymnasium id, e.g. rlhf_gym/Backflip-v0")
    parser.add_argument("--policy", default="expert", help="expert | random | PATH to a saved SB3 model .zip (default: expert)")
    parser.add_argument("--algo", default="ppo", choices=ALGOS, help="algorithm of a saved model (default: %(default)s)")
    parser.add_argument("--episodes", type=int, default=1, help="episodes to play (default: %(default)s)")
    parser.add_argument("--record", default=None, metavar="FILE", help="write the frames to FILE (.gif or .mp4)")
    parser.add_argument("--headless", action="store_true", help="no window (with --record: only write the file)")
    parser.add_argument("--fps", type=int, default=None, help="frames per second (default: the env's render_fps)")
    parser.add_argument("--env-kwargs", default="{}", metavar="JSON", help="keyword arguments for gym.make")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first episode (default: %(default)s)")
    parser.set_defaults(func=run)


def load_policy(args: argparse.Namespace, env):
    """The policy named by ``--policy``: the env's expert, uniform random, or a saved SB3 model."""
    if args.policy == "expert":
        from rlhf_gym.experts import expert_for

        return common.policy_actor(expert_for(env))
    if args.policy == "random":
        return common.random_actor(env, args.seed)
    if args.policy.endswith(".zip"):
        import stable_baselines3 as sb3

        model = getattr(sb3, args.algo.upper()).load(args.policy, device="cpu")
        return common.policy_actor(model)
    raise ValueError(f"--policy: {args.policy!r}; allowed: expert, random, or a path to a saved SB3 model ending in .zip")


def run(args: argparse.Namespace) -> int:
    if args.episodes < 1:
        raise ValueError(f"--episodes: {args.episodes!r}; allowed: an integer >= 1")
    common.check_env_id(args.env)
    import gymnasium as gym

    from rlhf_gym.rendering import FrameWindow, save_video
    from rlhf_gym.rendering.recorder import check_video_path

    if args.record:
        check_video_path(args.record)

    env = gym.make(args.env, render_mode="rgb_array", **common.env_kwargs(args))
    fps = args.fps or int(env.metadata.get("render_fps", 30))
    window = None if args.headless else FrameWindow(title=f"rlhf-gym play {args.env}", fps=fps)
    act = load_policy(args, env)
    frames = []
    for episode in range(args.episodes):
        obs, _ = env.reset(seed=args.seed + episode)
        total, done, info = 0.0, False, {}
        while not done:
            frame = env.render()
            if args.record:
                frames.append(frame)
            if window is not None:
                window.show(frame)
                if window.closed:
                    break
            obs, reward, terminated, truncated, info = env.step(act(obs))
            total += float(info.get("true_reward", reward))
            done = terminated or truncated
        outcome = common.episode_outcome(info, total)
        extra = f"  success={outcome['success']}" if outcome else ""
        print(f"episode {episode}: true return {total:.3f}{extra}", flush=True)
        if window is not None and window.closed:
            break
    if args.record:
        frames.append(env.render())
        path = save_video(frames, args.record, fps=fps)
        print(f"recorded {len(frames)} frames to {path}")
    if window is not None:
        window.close()
    env.close()
    return 0
