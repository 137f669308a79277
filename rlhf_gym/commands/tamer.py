"""``rlhf-gym tamer``: train a TAMER agent from +/- signals, of a simulated trainer or of a person.

With ``--trainer human`` a window shows each move for ``--seconds-per-step``; the person presses +
(good) or - (bad) whenever they like, and TAMER credits each press to the moves shown 0.2-4 s before
it. Escape stops; what was learned is saved and ``--resume`` goes on.

Each training episode's true return (Tetris: lines cleared) goes to ``episode_returns`` in
``DIR/results.json``, with the number of signals per episode; the final Ĥ-greedy policy is then
evaluated on ``--eval-episodes`` seeded episodes (``true_return_mean``/``std``; ``labels_used`` =
signals given). Ĥ's weights are saved after every episode (``DIR/tamer_weights.npz``, no pickles,
with ``tamer_config.json``) together with ``DIR/progress.json`` (returns so far and both random
generators' states), so ``--resume`` continues exactly where a stopped run left off.
"""

from __future__ import annotations

import argparse
import json
import time

from rlhf_gym.commands import common

TRAINERS = ("simulated", "human")
SIMULATED_ONLY = ("feedback_probability", "error_rate")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("tamer", help="TAMER: learn a model of a trainer's +/- signals and act on it",
                              description="Train a TAMER agent (Knox & Stone 2009) from +/- signals.")
    common.add_common_args(p.add_argument_group("run"), default_env="rlhf_gym/Tetris-v0")
    g = p.add_argument_group("tamer")
    g.add_argument("--trainer", default="simulated", choices=TRAINERS,
                   help="who gives the signals: a simulated trainer, or you in a window (+ good, - bad, escape "
                        "stops) (default: %(default)s)")
    g.add_argument("--episodes", type=common.positive_int, default=3, metavar="N",
                   help="training episodes (Tetris: games), >= 1 (default: %(default)s)")
    g.add_argument("--learning-rate", type=common.positive_float, default=None, metavar="RATE",
                   help="step size of Ĥ's updates, > 0 (default: the feature family's: Tetris 0.002, table 0.5, "
                        "linear 0.01)")
    g.add_argument("--seconds-per-step", type=common.positive_float, default=None, metavar="SECONDS",
                   help="how long each step is shown to the trainer, > 0 (default: 1 / the env's render_fps)")
    g.add_argument("--feedback-probability", type=float, default=None, metavar="P",
                   help="simulated trainer: chance of a signal after each step, in (0, 1] (default: 1.0)")
    g.add_argument("--error-rate", type=float, default=None, metavar="P",
                   help="simulated trainer: chance a signal's sign is flipped, in [0, 0.5) (default: 0.1)")
    g.add_argument("--eval-episodes", type=common.positive_int, default=3, metavar="N",
                   help="evaluation episodes of the final policy, >= 1 (default: %(default)s)")
    p.set_defaults(func=run)


def check_args(args) -> None:
    for name in SIMULATED_ONLY:
        if getattr(args, name) is not None and args.trainer != "simulated":
            raise common.UsageError(f"--{name.replace('_', '-')}: given with --trainer {args.trainer}; allowed only "
                                    "with --trainer simulated")
    args.feedback_probability = 1.0 if args.feedback_probability is None else args.feedback_probability
    args.error_rate = 0.1 if args.error_rate is None else args.error_rate
    if not 0.0 < args.feedback_probability <= 1.0:
        raise common.UsageError(f"--feedback-probability: {args.feedback_probability}; allowed: a number in (0, 1]")
    if not 0.0 <= args.error_rate < 0.5:
        raise common.UsageError(f"--error-rate: {args.error_rate}; allowed: a number in [0, 0.5)")


def _build(args, env):
    import numpy as np

    from rlhf_gym.algorithms.tamer import TamerAgent, features_for, seconds_per_step_of
    from rlhf_gym.feedback.simulated_trainer import SimulatedTrainer, judge_for

    try:
        features = features_for(env)
    except ValueError as err:
        raise common.UsageError(f"--env: {str(err).removeprefix('env: ')}") from None
    try:
        sps = seconds_per_step_of(env, args.seconds_per_step)
    except ValueError as err:
        raise common.UsageError(f"--seconds-per-step: {str(err).removeprefix('seconds_per_step: ')}") from None
    agent_rng, trainer_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(args.seed).spawn(2))
    agent = TamerAgent(features, sps, agent_rng, learning_rate=args.learning_rate)
    if args.trainer == "human":
        from rlhf_gym.feedback.keyboard_trainer import KeyboardTrainer
        from rlhf_gym.rendering import FrameWindow

        return agent, KeyboardTrainer(FrameWindow(f"rlhf-gym tamer: + good, - bad, escape stops ({args.env})"), sps)
    try:
        judge = judge_for(env)
    except ValueError as err:
        raise common.UsageError(f"--trainer: simulated: {str(err).removeprefix('trainer: ')}") from None
    trainer = SimulatedTrainer(judge, trainer_rng, feedback_probability=args.feedback_probability,
                               error_rate=args.error_rate)
    return agent, trainer


def _restore(directory, agent, trainer) -> dict:
    """Weights, returns so far and generator states of a stopped run (empty when there is none)."""
    from rlhf_gym.algorithms.tamer import WEIGHTS_FILE

    path = directory / "progress.json"
    if not path.exists():
        return {"episode_returns": [], "signals_per_episode": []}
    progress = json.loads(path.read_text())
    agent.load_weights(directory / WEIGHTS_FILE)
    agent.rng.bit_generator.state = progress["agent_rng"]
    if "trainer_rng" in progress and hasattr(trainer, "rng"):
        trainer.rng.bit_generator.state = progress["trainer_rng"]
    trainer.given = sum(progress["signals_per_episode"])
    return progress


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from rlhf_gym.algorithms.tamer import train_tamer
    from rlhf_gym.evaluation import random_actor, run_episodes

    check_args(args)
    common.check_out(args)
    common.set_threads(args)
    started = time.perf_counter()
    env = common.make_env(args, **({"render_mode": "rgb_array"} if args.trainer == "human" else {}))
    agent, trainer = _build(args, env)
    directory = common.out_dir(args, "tamer")
    progress = _restore(directory, agent, trainer) if args.resume else {"episode_returns": [],
                                                                         "signals_per_episode": []}
    done = len(progress["episode_returns"])
    if done > args.episodes:
        raise common.UsageError(f"--episodes: {args.episodes}, but the run in {directory} already has {done}; "
                                f"allowed: an integer >= {done} with --resume")

    def checkpoint(k, stats):
        progress["episode_returns"].append(stats.true_return)
        progress["signals_per_episode"].append(stats.signals)
        progress.update(agent_rng=agent.rng.bit_generator.state)
        if hasattr(trainer, "rng"):
            progress["trainer_rng"] = trainer.rng.bit_generator.state
        agent.save(directory)
        (directory / "progress.json").write_text(json.dumps(progress) + "\n")
        print(f"episode {k + 1}/{args.episodes}: true return {stats.true_return:g}, {stats.signals} signals, "
              f"{stats.steps} steps", flush=True)

    from rlhf_gym.feedback.keyboard_trainer import TrainerQuit

    try:
        if done < args.episodes:
            train_tamer(env, agent, trainer, args.episodes, args.seed, first_episode=done, callback=checkpoint)
    except TrainerQuit as stop:
        print(f"rlhf-gym tamer: {stop}; what was learned is saved, --resume goes on", flush=True)
    finally:
        agent.save(directory)
        if hasattr(trainer, "window"):
            trainer.window.close()
    final = run_episodes(env, agent.actor(env, np.random.default_rng(args.seed)), args.eval_episodes, 10_000)
    rand = run_episodes(env, random_actor(env, args.seed), args.eval_episodes, 10_000)
    returns, signals = progress["episode_returns"], progress["signals_per_episode"]
    results = {
        "method": "tamer", "trainer": args.trainer, "env": args.env, "env_kwargs": common.env_kwargs(args),
        "seed": args.seed, "episodes": args.episodes, "episode_returns": returns, "signals_per_episode": signals,
        "true_return_mean": final["true_return_mean"], "true_return_std": final["true_return_std"],
        "random_return_mean": rand["true_return_mean"],
        "labels_used": int(sum(signals)), "wall_seconds": time.perf_counter() - started,
        "features": agent.features.name, "learning_rate": agent.learning_rate,
        "seconds_per_step": agent.seconds_per_step, "feedback_probability": args.feedback_probability,
        "error_rate": args.error_rate, "eval_episodes": args.eval_episodes,
    }
    path = common.write_results(directory, results)
    rows = [[f"training episode {k + 1}", float(r), s] for k, (r, s) in enumerate(zip(returns, signals))]
    rows += [["Ĥ-greedy (evaluation mean)", final["true_return_mean"], "-"],
             ["random (evaluation mean)", rand["true_return_mean"], "-"]]
    common.print_table(f"TAMER on {args.env} with a {args.trainer} trainer: true return; signals used: "
                       f"{results['labels_used']}", ["episode / policy", "true return", "signals"], rows)
    print(f"wrote {path}")
    env.close()
    return 0
