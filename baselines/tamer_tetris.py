"""TAMER on Tetris: a simulated person's +/- signals against PPO on the true reward (Knox & Stone 2009, Table 1).

The lecture's claim: people's +/- signals taught a TAMER agent to clear 65.89 lines by its third game,
where autonomous learners cleared about none that early. Per seed this script runs
- TAMER (``rlhf_gym.algorithms.tamer``) with the simulated trainer (Dellacherie judge, +1 when the
  placement is within 1.0 of the best or the best, signals after every placement, 10 % flipped,
  delays uniform on 0.2-4 s) for ``games`` games, the trainer watching one placement every
  ``seconds_per_step`` seconds;
- SB3 PPO ("MlpPolicy", default hyper-parameters, the same 40 placement actions and the
  "features" observation) on the true reward (lines) for ``ppo_steps`` placements -- hundreds of
  games;
- the scripted expert (Dellacherie) for ``games`` games: the yardstick, it does not learn.
Every game is capped at ``max_pieces`` placements (at most 0.4 lines a piece), else the expert would
play for ever. Columns: mean lines at game 3; peak = the highest value of the per-game mean over
seeds (the curve averaged over seeds first, as the lecture's table), and the game where it peaks.

    python baselines/tamer_tetris.py [--seeds 10] [--games 5] [--max-pieces 1000] [--ppo-steps 10000]
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

import rlhf_gym  # noqa: F401  (registers the ids)
from rlhf_gym.algorithms.tamer import TamerAgent, features_for, train_tamer
from rlhf_gym.experts import expert_for
from rlhf_gym.feedback.simulated_trainer import SimulatedTrainer, judge_for

ENV_ID = "rlhf_gym/Tetris-v0"


@dataclass
class Args:
    seeds: int = 10  # runs per method, seeds 0 .. seeds - 1
    games: int = 5  # TAMER's training games (and the expert's games) per seed
    max_pieces: int = 1000  # cap of every game (at most 400 lines)
    seconds_per_step: float = 2.0  # how long the trainer watches each placement (the env's own pace is 0.25 s)
    error_rate: float = 0.1  # share of the simulated trainer's signals with the wrong sign
    ppo_steps: int = 10_000  # PPO's placements per seed (hundreds of games)
    out: str = ""  # folder for results.json (default: print only)


def tamer_games(seed: int, args: Args) -> list[float]:
    env = gym.make(ENV_ID, max_pieces=args.max_pieces)
    agent_rng, trainer_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    agent = TamerAgent(features_for(env), args.seconds_per_step, agent_rng)
    trainer = SimulatedTrainer(judge_for(env), trainer_rng, error_rate=args.error_rate)
    return train_tamer(env, agent, trainer, args.games, seed).episode_returns


def ppo_games(seed: int, args: Args) -> list[float]:
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.monitor import Monitor

    torch.manual_seed(seed)
    env = Monitor(gym.make(ENV_ID, max_pieces=args.max_pieces))
    model = PPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0)
    model.learn(total_timesteps=args.ppo_steps)
    return [float(r) for r in env.get_episode_rewards()]


def expert_games(seed: int, args: Args) -> list[float]:
    env = gym.make(ENV_ID, max_pieces=args.max_pieces)
    expert, lines = expert_for(env), []
    for game in range(args.games):
        obs, _ = env.reset(seed=seed + game)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(expert.predict(obs)[0])
            done = terminated or truncated
        lines.append(float(info["lines"]))
    return lines


def summarise(per_seed: list[list[float]]) -> dict:
    n = min(len(g) for g in per_seed)
    curve = np.mean([g[:n] for g in per_seed], axis=0)
    peak = int(np.argmax(curve))
    return {"game3": float(curve[2]) if n >= 3 else float("nan"), "peak": float(curve[peak]), "games_to_peak": peak + 1,
            "games": n, "game3_per_seed": [g[2] for g in per_seed if len(g) >= 3], "curve": curve.tolist()}


def main(args: Args) -> dict:
    if args.seeds < 1 or args.games < 3 or args.max_pieces < 1 or args.ppo_steps < 1 or args.seconds_per_step <= 0:
        raise SystemExit(f"tamer_tetris: need seeds >= 1, games >= 3, max_pieces >= 1, ppo_steps >= 1, "
                         f"seconds_per_step > 0; got {args}")
    import torch

    torch.set_num_threads(1)
    results, seconds = {}, {}
    for name, fn in (("TAMER (simulated trainer)", tamer_games), ("PPO (true reward)", ppo_games),
                     ("scripted expert (Dellacherie)", expert_games)):
        start = time.perf_counter()
        results[name] = summarise([fn(seed, args) for seed in range(args.seeds)])
        seconds[name] = time.perf_counter() - start
        print(f"{name}: done in {seconds[name]:.0f} s", flush=True)
    print(f"\nTetris-v0, {args.seeds} seeds, games capped at {args.max_pieces} pieces (<= {0.4 * args.max_pieces:.0f} "
          f"lines); TAMER {args.games} games at {args.seconds_per_step:g} s per placement, PPO {args.ppo_steps:,} "
          "placements\n")
    print("| method | mean lines at game 3 | mean lines at peak | games to peak | games played | seconds |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        to_peak = "n/a (does not learn)" if name.startswith("scripted") else r["games_to_peak"]
        print(f"| {name} | {r['game3']:.2f} | {r['peak']:.2f} | {to_peak} | {r['games']} | {seconds[name]:.0f} |")
    tamer3 = results["TAMER (simulated trainer)"]["game3_per_seed"]
    print(f"\nTAMER lines at game 3 per seed: {[int(v) for v in tamer3]}; target >= 50 mean "
          f"(lecture: 65.89): {'ok' if np.mean(tamer3) >= 50 else 'MISSED'}")
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "results.json").write_text(json.dumps(
            {"args": dataclasses.asdict(args), "results": results, "seconds": seconds}, indent=2) + "\n")
    return results


if __name__ == "__main__":
    from script_args import parse

    main(parse(Args, __doc__))
