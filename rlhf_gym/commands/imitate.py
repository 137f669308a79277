"""``rlhf-gym imitate``: learn from an expert with BC, DAgger, MaxEnt IRL or apprenticeship learning.

BC and DAgger work on any gymnasium env for which an expert exists (ours built in, or
``--expert PATH`` to a saved SB3 model); MaxEnt IRL and apprenticeship learning need a tabular
env (known dynamics and state features). Demonstrations are saved to ``DIR/demos`` episode by
episode (``--resume`` keeps them and collects only the missing ones); the run writes
``DIR/results.json`` and prints expert / learner / random returns. An option that the chosen
method does not use is an error, not silently ignored.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rlhf_gym.commands import common
from rlhf_gym.evaluation import evaluate_true_return, policy_actor, random_actor, run_episodes

METHODS = ("bc", "dagger", "maxent", "apprenticeship")
ALGOS = ("PPO", "A2C", "SAC", "TD3", "DDPG", "DQN")
_ANY = ("Box", "Discrete", "MultiDiscrete", "MultiBinary")
ACTION_SPACES = {"PPO": _ANY, "A2C": _ANY, "SAC": ("Box",), "TD3": ("Box",), "DDPG": ("Box",), "DQN": ("Discrete",)}
ALL, SB3, TABULAR = METHODS, ("bc", "dagger"), ("maxent", "apprenticeship")
# option -> (the methods that use it, its default when not given)
OPTIONS = {
    "demos": (("bc", "maxent", "apprenticeship"), 20), "algo": (SB3, "PPO"), "epochs": (SB3, 30),
    "rounds": (("dagger",), 10), "episodes_per_round": (("dagger",), 2), "beta": (("dagger",), "exponential"),
    "budget": (("dagger",), None), "ask_once": (("dagger",), False), "iters": (TABULAR, 200),
    "reward": (("maxent",), "linear"), "lr": (("bc", "dagger", "maxent"), None),
    "epsilon": (("apprenticeship",), 0.05), "show": (TABULAR, 0.0),
}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("imitate", help="imitation learning: bc, dagger, maxent or apprenticeship",
                              description="Learn from an expert. Options of another method than --method are an error.")
    p.add_argument("--method", required=True, choices=METHODS, help="the imitation algorithm")
    common.add_common_args(p.add_argument_group("run"))
    g = p.add_argument_group("expert and demonstrations")
    g.add_argument("--demos", type=common.positive_int, default=None, metavar="N",
                   help="expert demonstration episodes, >= 1 (bc, maxent, apprenticeship; default: 20)")
    g.add_argument("--demos-path", default=None, metavar="DIR",
                   help="an existing demonstration folder to learn from instead of collecting")
    g.add_argument("--expert", default=None, metavar="PATH|human", help="a saved SB3 model .zip as the expert, or "
                   "human: you press the expert's move in a window (dagger on GridWorld envs and Tetris; default: the "
                   "env's built-in expert)")
    g.add_argument("--expert-algo", default=None, choices=ALGOS, help="SB3 class of --expert (default: PPO)")
    g.add_argument("--eval-episodes", type=common.positive_int, default=20, metavar="N",
                   help="evaluation episodes per policy, >= 1 (default: %(default)s)")
    g = p.add_argument_group("bc and dagger")
    g.add_argument("--algo", default=None, choices=ALGOS, help="SB3 class of the learner (default: PPO)")
    g.add_argument("--epochs", type=common.positive_int, default=None, metavar="N",
                   help="BC epochs (per DAgger round), >= 1 (default: 30)")
    g.add_argument("--lr", type=common.positive_float, default=None, metavar="RATE",
                   help="learning rate, > 0 (bc, dagger: 1e-3; maxent: 0.1 linear / 0.01 mlp)")
    g = p.add_argument_group("dagger only")
    g.add_argument("--rounds", type=common.positive_int, default=None, metavar="N", help="DAgger rounds, >= 1 (default: 10)")
    g.add_argument("--episodes-per-round", type=common.positive_int, default=None, metavar="N",
                   help="learner episodes per round, >= 1 (default: 2)")
    g.add_argument("--beta", default=None, metavar="SCHEDULE",
                   help="share of expert control: linear, exponential or a number in [0, 1] (default: exponential)")
    g.add_argument("--budget", type=common.positive_int, default=None, metavar="N",
                   help="expert queries in all, >= 1 (default: no limit)")
    g.add_argument("--ask-once", action="store_true", default=None,
                   help="ask about each distinct state once (tabular envs; a person is never asked twice)")
    g = p.add_argument_group("maxent and apprenticeship")
    g.add_argument("--iters", type=common.positive_int, default=None, metavar="N", help="iterations, >= 1 (default: 200)")
    g.add_argument("--reward", default=None, choices=("linear", "mlp"), help="maxent only: reward model (default: linear)")
    g.add_argument("--epsilon", type=common.positive_float, default=None, metavar="DIST",
                   help="apprenticeship only: stopping feature distance, > 0 (default: 0.05)")
    g.add_argument("--show", type=common.non_negative_float, default=None, metavar="SECONDS",
                   help="show the reward heat map in a window for SECONDS, >= 0 (default: 0, no window)")
    p.set_defaults(func=run)


def check_args(args) -> None:
    """Refuse options the method does not use, then fill the defaults of the ones it does."""
    if args.demos_path is not None and args.demos is not None:
        raise common.UsageError(f"--demos: {args.demos} given with --demos-path; allowed: one of them")
    for name, (methods, default) in OPTIONS.items():
        value = getattr(args, name)
        if value is not None and args.method not in methods:
            shown = "" if isinstance(value, bool) else f" {value}"
            raise common.UsageError(f"--{name.replace('_', '-')}:{shown} given with --method {args.method}; allowed "
                                    f"only with --method {' or '.join(methods)}")
        if value is None:
            setattr(args, name, default)
    if args.expert_algo is not None and args.expert is None:
        raise common.UsageError(f"--expert-algo: {args.expert_algo} given without --expert; allowed only with --expert")
    args.expert_algo = args.expert_algo or "PPO"
    if args.beta not in ("linear", "exponential"):
        try:
            beta = float(args.beta)
        except ValueError:
            beta = None
        if beta is None or not 0.0 <= beta <= 1.0:
            raise common.UsageError(f"--beta: {args.beta!r}; allowed: linear, exponential or a number in [0, 1]")
        args.beta = beta


def check_paths(args) -> None:
    """--demos-path, --expert and --out, before any work."""
    if args.demos_path is not None:
        common.existing_path("--demos-path", args.demos_path, folder=True,
                             allowed="a demonstration folder (rlhf-gym imitate writes DIR/demos)")
    if args.expert == "human":
        if args.method != "dagger":
            raise common.UsageError(f"--expert: human with --method {args.method}; allowed only with --method dagger "
                                    "(the learner drives, you answer)")
    elif args.expert is not None and not Path(args.expert + ".zip").is_file():  # SB3 also tries PATH.zip
        common.existing_path("--expert", args.expert, folder=False, allowed="a saved SB3 model .zip")
    common.check_out(args)


def check_algos(args, env) -> None:
    """The SB3 classes named by --algo / --expert-algo must handle the env's action space."""
    kind = type(env.action_space).__name__
    pairs = [("--algo", args.algo)] if args.method in SB3 else []
    if args.expert is not None and args.expert != "human":
        pairs.append(("--expert-algo", args.expert_algo))
    for option, algo in pairs:
        if kind not in ACTION_SPACES[algo]:
            raise common.UsageError(f"{option}: {algo} needs {' or '.join(ACTION_SPACES[algo])} actions and {args.env} "
                                    f"has {env.action_space}; allowed here: "
                                    + ", ".join(a for a in ALGOS if kind in ACTION_SPACES[a]))


def _key_map(args, env):
    """The keys a person answers with on this env (--expert human), or one line naming the envs that have them."""
    from rlhf_gym.feedback.keyboard_expert import SUPPORTED, key_map_for

    try:
        return key_map_for(env)
    except ValueError:
        raise common.UsageError(f"--expert: human on {args.env}; allowed: {SUPPORTED}") from None


def _load_expert(args, env, directory=None):
    if args.expert == "human":
        from rlhf_gym.feedback.keyboard_expert import KeyboardExpert

        return KeyboardExpert(env, directory / "expert_answers.jsonl", key_map=_key_map(args, env))
    if args.expert is None:
        from rlhf_gym.experts import expert_for

        return expert_for(env)
    import stable_baselines3 as sb3

    model = getattr(sb3, args.expert_algo).load(args.expert, device="cpu")
    if model.action_space != env.action_space or model.observation_space != env.observation_space:
        raise common.UsageError(
            f"--expert: {args.expert!r} acts in {model.observation_space} -> {model.action_space}; allowed: a model "
            f"of {args.env} ({env.observation_space} -> {env.action_space})")
    return model


def _demonstrations(args, env, expert, rng, directory):
    """Loaded (--demos-path), or collected into DIR/demos; with --resume the episodes there are kept."""
    from rlhf_gym.data.demo_store import load_demonstrations
    from rlhf_gym.data.trajectories import collect_demonstrations

    if args.demos_path:
        return load_demonstrations(args.demos_path, env=env)
    if args.method == "dagger":
        return []
    folder = directory / "demos"
    kept = load_demonstrations(folder, env=env) if args.resume and (folder / "metadata.json").exists() else []
    for _ in kept:  # the seeds those episodes used: the rest continue as in one uninterrupted run
        rng.integers(2**31 - 1)
    missing = args.demos - len(kept)
    if missing < 1:
        return kept
    return kept + collect_demonstrations(env, expert, missing, rng, path=folder, env_id=args.env, progress=True)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    check_args(args)
    check_paths(args)
    common.set_threads(args)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    env = common.make_env(args, **({"render_mode": "rgb_array"} if args.expert == "human" else {}))
    kwargs = common.env_kwargs(args)
    if args.method in TABULAR:
        from rlhf_gym.planning import tabular_model

        tabular_model(env)  # fail early, naming what is missing, before any work
    check_algos(args, env)
    if args.expert == "human":
        _key_map(args, env)  # an env without keys fails before the run folder is made
    directory = common.out_dir(args, "imitate")
    expert = _load_expert(args, env, directory)
    rng = np.random.default_rng(args.seed)
    demos = _demonstrations(args, env, expert, rng, directory)
    from rlhf_gym.feedback.keyboard_expert import ExpertQuit

    try:
        learner, extra, labels = _METHODS[args.method](args, env, expert, demos, rng, directory)
    except ExpertQuit as stop:
        print(f"rlhf-gym imitate: {stop}; run the same command with --resume to go on (answered states are not "
              "asked again)")
        return 0
    finally:
        if args.expert == "human":
            expert.window.close()
    learner_eval = learner(args, kwargs)
    expert_eval = _evaluate_expert(args, kwargs, expert)
    random_eval = run_episodes(env, random_actor(env, args.seed), args.eval_episodes, 10_000)
    results = {
        "method": args.method, "env": args.env, "env_kwargs": kwargs, "seed": args.seed,
        "true_return_mean": learner_eval["true_return_mean"], "true_return_std": learner_eval["true_return_std"],
        "labels_used": int(labels), "wall_seconds": time.perf_counter() - started,
        "expert_return_mean": expert_eval["true_return_mean"], "random_return_mean": random_eval["true_return_mean"],
        "demo_episodes": len(demos), **extra,
    }
    if "success_rate" in learner_eval:
        results["success_rate"] = learner_eval["success_rate"]
        results["expert_success_rate"] = expert_eval.get("success_rate")
    path = common.write_results(directory, results)
    rows = [[name, ev["true_return_mean"], ev["true_return_std"], ev.get("success_rate", "-")]
            for name, ev in (("expert", expert_eval), (args.method, learner_eval), ("random", random_eval))]
    common.print_table(f"{args.method} on {args.env}: true return ({args.eval_episodes} episodes); "
                       f"expert labels used: {labels}", ["policy", "mean", "std", "success"], rows)
    print(f"wrote {path}")
    env.close()
    return 0


def _evaluate_expert(args, kwargs, expert):
    """A saved model plays the evaluation episodes itself; otherwise the built-in expert of the evaluation env
    does (a person is not asked to play them, and an expert that reads its env's state, such as Tetris's with
    "features" observations, must be made for the env it plays)."""
    if args.expert is not None and args.expert != "human":
        return evaluate_true_return(expert, args.env, kwargs, args.eval_episodes, seed=10_000)
    import gymnasium as gym

    from rlhf_gym.experts import expert_for

    env = gym.make(args.env, **kwargs)
    try:
        return run_episodes(env, policy_actor(expert_for(env)), args.eval_episodes, 10_000)
    finally:
        env.close()


def _sb3_learner(args, env):
    import stable_baselines3 as sb3

    return getattr(sb3, args.algo)("MlpPolicy", env, seed=args.seed, device="cpu")


def _evaluate_model(model):
    return lambda args, kwargs: evaluate_true_return(model, args.env, kwargs, args.eval_episodes, seed=10_000)


def _bc(args, env, expert, demos, rng, directory):
    from rlhf_gym.algorithms.bc import bc_from_demonstrations

    model = _sb3_learner(args, env)
    stats = bc_from_demonstrations(model, demos, n_epochs=args.epochs, learning_rate=args.lr or 1e-3, rng=rng,
                                   progress_bar=True)
    model.save(directory / "model.zip")
    extra = {"bc_loss": stats.loss, "train_accuracy": stats.accuracy, "train_mse": stats.mse}
    return _evaluate_model(model), {k: v for k, v in extra.items() if v is not None}, stats.n_samples


def _dagger(args, env, expert, demos, rng, directory):
    from rlhf_gym.algorithms.bc import bc_from_demonstrations
    from rlhf_gym.algorithms.dagger import train_dagger

    model = _sb3_learner(args, env)
    initial = 0
    if demos:  # loaded demonstrations seed the dataset (their labels count too)
        initial = bc_from_demonstrations(model, demos, n_epochs=args.epochs, rng=rng).n_samples
    result = train_dagger(model, env, expert, n_rounds=args.rounds, episodes_per_round=args.episodes_per_round,
                          beta=args.beta, query_budget=args.budget, bc_epochs=args.epochs,
                          bc_kwargs={"learning_rate": args.lr or 1e-3}, ask_once=args.ask_once, rng=rng,
                          progress_bar=True)
    model.save(directory / "model.zip")
    rounds = [{"round": r.round, "beta": r.beta, "labels_used": r.labels_used} for r in result.rounds]
    return _evaluate_model(model), {"rounds": rounds}, result.labels_used + initial


def _tabular_outputs(env, directory, recovered, policy, show: float):
    """Recovered vs true reward heat maps side by side, with the learner's arrows, as PNG (and a window)."""
    import numpy as np

    from rlhf_gym.envs.gridworld import render as grid_render

    base = env.unwrapped
    left = grid_render.render_values(env, recovered, policy)
    right = grid_render.render_values(env, base.state_rewards, policy)
    gap = np.full((left.shape[0], 8, 3), 255, dtype=np.uint8)
    frame = np.concatenate([left, gap, right], axis=1)
    grid_render.save_png(frame, directory / "reward_heatmap.png")
    if show > 0:
        window = grid_render.HumanWindow("recovered reward (left) | true reward (right)", fps=10)
        for _ in range(max(1, int(show * 10))):
            window.show(frame)
        window.close()


def _tabular_actor(args, env, actions):
    from rlhf_gym.planning import TabularPolicy

    policy = TabularPolicy(env, actions)
    return lambda args_, kwargs: evaluate_true_return(policy, args.env, kwargs, args.eval_episodes, seed=10_000)


def _maxent(args, env, expert, demos, rng, directory):
    import numpy as np

    from rlhf_gym.algorithms.maxent_irl import maxent_irl
    from rlhf_gym.planning import expected_return, tabular_model

    model = tabular_model(env)
    lr = args.lr or (0.1 if args.reward == "linear" else 0.01)
    result = maxent_irl(env, demos, reward=args.reward, n_iters=args.iters, learning_rate=lr, seed=args.seed,
                        model=model, progress_bar=True)
    true_r = env.unwrapped.state_rewards
    np.savez(directory / "reward.npz", state_rewards=result.state_rewards, policy=result.policy,
             weights=result.weights if result.weights is not None else np.zeros(0))
    _tabular_outputs(env, directory, result.state_rewards, result.policy, args.show)
    extra = {
        "reward_correlation": float(np.corrcoef(result.state_rewards, true_r)[0, 1]) if np.std(result.state_rewards) > 0 else 0.0,
        "exact_learner_return": expected_return(model, result.plan, true_r),
        "seconds_per_iteration": result.seconds_per_iteration,
    }
    return _tabular_actor(args, env, result.policy), extra, sum(len(t) for t in demos)


def _apprenticeship(args, env, expert, demos, rng, directory):
    import numpy as np

    from rlhf_gym.algorithms.apprenticeship import apprenticeship_learning, mixture_return
    from rlhf_gym.planning import tabular_model

    model = tabular_model(env)
    result = apprenticeship_learning(env, demos, epsilon=args.epsilon, max_iters=args.iters, model=model,
                                     progress_bar=True)
    base = env.unwrapped
    policy = result.best_policy()
    np.savez(directory / "mixture.npz", weights=result.weights, feature_expectations=result.feature_expectations,
             mu_expert=result.mu_expert)
    _tabular_outputs(env, directory, base.state_features @ result.reward_weights, policy, args.show)
    extra = {
        "feature_distance": result.distance, "converged": result.converged, "mixture_size": len(result.plans),
        "guaranteed_gap": result.guaranteed_gap(base.reward_weights),
        "exact_mixture_return": mixture_return(model, result, base.state_rewards),
    }
    return _tabular_actor(args, env, policy), extra, sum(len(t) for t in demos)


_METHODS = {"bc": _bc, "dagger": _dagger, "maxent": _maxent, "apprenticeship": _apprenticeship}
