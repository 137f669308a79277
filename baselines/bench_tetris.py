"""Tetris-v0: placements per second against CartPole-v1, and the scripted expert's lines per game.

Target (issue 23): through ``gym.make`` with random actions, Tetris places pieces at least half as fast
as CartPole-v1 steps (both timed in this process, best of ``repeats``), so thousands of TAMER games
train in minutes. Then the expert (Dellacherie's afterstate evaluation, ``expert_for``) plays
``games`` seeded games of at most ``max_pieces`` pieces; a game that reaches the cap is marked.

    python baselines/bench_tetris.py [--steps 50000] [--repeats 3] [--games 3] [--max-pieces 25000]

Measured on the 2-core dev machine (under load): ratio 0.98 (features) and 0.96 (``--obs-type board``);
the expert reached the 25,000-piece cap in all 3 games (9,997-9,998 lines each, about 2,500 pieces/s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import rlhf_gym  # noqa: F401  (registers the ids)
from rlhf_gym.experts import expert_for

from bench_envs import steps_per_second  # the same timing loop as the other envs'

ENV_ID = "rlhf_gym/Tetris-v0"
TARGET = 0.5


@dataclass
class Args:
    steps: int = 50_000  # env steps per timing
    repeats: int = 3  # timings per env; the best is kept
    games: int = 3  # expert games, seeds seed .. seed + games - 1
    max_pieces: int = 25_000  # cap of an expert game (at most 0.4 lines per piece: 10,000 lines)
    obs_type: str = "features"  # Tetris observation for the speed run: features | board
    seed: int = 0  # seed of the envs and of the pre-drawn actions


def expert_game(seed: int, args: Args) -> tuple[int, int, bool, float]:
    """(lines, pieces, reached the cap, seconds) of one expert game."""
    env = gym.make(ENV_ID, max_pieces=args.max_pieces)
    expert = expert_for(env)
    obs, info = env.reset(seed=seed)
    start, done, truncated = time.perf_counter(), False, False
    while not done:
        obs, _, terminated, truncated, info = env.step(expert.predict(obs)[0])
        done = terminated or truncated
    return info["lines"], info["pieces"], bool(truncated), time.perf_counter() - start


def main(args: Args) -> None:
    if args.obs_type not in ("features", "board") or args.games < 0 or args.max_pieces < 1 or args.steps < 1:
        raise SystemExit(f"bench_tetris: need obs_type features|board, games >= 0, max_pieces >= 1, steps >= 1; "
                         f"got {args}")
    tetris = steps_per_second(ENV_ID, {"obs_type": args.obs_type}, args)
    cartpole = steps_per_second("CartPole-v1", {}, args)
    ratio = tetris / cartpole
    print("| env | steps/s | reference | reference steps/s | ratio | target |")
    print("|---|---|---|---|---|---|")
    print(f"| Tetris-v0 ({args.obs_type}, random placements) | {tetris:,.0f} | CartPole-v1 | {cartpole:,.0f} | "
          f"{ratio:.2f} | >= {TARGET} {'ok' if ratio >= TARGET else 'MISSED'} |")
    print()
    print("| expert game (seed) | lines | pieces | ended by | pieces/s |")
    print("|---|---|---|---|---|")
    lines = []
    for k in range(args.games):
        n_lines, pieces, capped, seconds = expert_game(args.seed + k, args)
        lines.append(n_lines)
        end = f"max_pieces={args.max_pieces}" if capped else "game over"
        print(f"| {args.seed + k} | {n_lines:,} | {pieces:,} | {end} | {pieces / seconds:,.0f} |")
    if lines:
        print(f"\nexpert lines per game: mean {np.mean(lines):,.0f}, min {min(lines):,} over {args.games} games")


if __name__ == "__main__":
    from script_args import parse

    main(parse(Args, __doc__))
