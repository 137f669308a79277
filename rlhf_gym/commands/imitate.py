"""``rlhf-gym imitate``: learn from an expert with BC, DAgger, MaxEnt IRL or apprenticeship learning.

BC and DAgger work on any gymnasium env for which an expert exists (ours built in, or
``--expert PATH`` to a saved SB3 model); MaxEnt IRL and apprenticeship learning need a tabular
env (known dynamics and state features). Demonstrations are saved to ``DIR/demos`` episode by
episode; the run writes ``DIR/results.json`` and prints expert / learner / random returns.
"""

from __future__ import annotations

import argparse
import time

from rlhf_gym.commands import common

METHODS = ("bc", "dagger", "maxent", "apprenticeship")
ALGOS = ("PPO", "A2C", "SAC", "TD3", "DDPG", "DQN")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("imitate", help="imitation learning: bc, dagger, maxent or apprenticeship")
    p.add_argument("--method", required=True, choices=METHODS, help="the imitation algorithm")
    common.add_common_args(p)
    p.add_argument("--demos", type=int, default=20, help="expert demonstration episodes (default: %(default)s)")
    p.add_argument("--demos-path", default=None, metavar="DIR", help="load demonstrations from this folder instead")
    p.add_argument("--expert", default=None, metavar="PATH", help="a saved SB3 model to use as the expert")
    p.add_argument("--expert-algo", default="PPO", choices=ALGOS, help="SB3 class of --expert (default: %(default)s)")
    p.add_argument("--algo", default="PPO", choices=ALGOS, help="SB3 class of the learner (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=30, help="BC epochs (per DAgger round) (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=10, help="DAgger rounds (default: %(default)s)")
    p.add_argument("--episodes-per-round", type=int, default=2, help="DAgger episodes per round (default: %(default)s)")
    p.add_argument("--beta", default="exponential", help="DAgger beta: linear, exponential or a number in [0, 1]")
    p.add_argument("--budget", type=int, default=None, help="DAgger expert-query budget (default: none)")
    p.add_argument("--ask-once", action="store_true",
                   help="DAgger: ask the expert about each distinct state once (tabular envs; a person is never "
                        "asked the same question twice)")
    p.add_argument("--iters", type=int, default=200, help="MaxEnt / apprenticeship iterations (default: %(default)s)")
    p.add_argument("--reward", default="linear", choices=("linear", "mlp"), help="MaxEnt reward model")
    p.add_argument("--lr", type=float, default=None, help="learning rate (BC: 1e-3, MaxEnt: 0.1 linear / 0.01 mlp)")
    p.add_argument("--epsilon", type=float, default=0.05, help="apprenticeship stopping distance (default: %(default)s)")
    p.add_argument("--eval-episodes", type=int, default=20, help="evaluation episodes (default: %(default)s)")
    p.add_argument("--show", type=float, default=0.0, metavar="SECONDS", help="show the reward heat map in a window")
    p.set_defaults(func=run)


def _load_expert(args, env):
    if args.expert is None:
        from rlhf_gym.experts import expert_for

        return expert_for(env)
    import stable_baselines3 as sb3

    return getattr(sb3, args.expert_algo).load(args.expert, device="cpu")


def _check_args(args) -> None:
    for name in ("demos", "epochs", "rounds", "episodes_per_round", "iters", "eval_episodes"):
        value = getattr(args, name)
        if value < 1:
            raise ValueError(f"--{name.replace('_', '-')}: {value}; allowed: an integer >= 1")
    if args.budget is not None and args.budget < 1:
        raise ValueError(f"--budget: {args.budget}; allowed: an integer >= 1")
    if args.beta not in ("linear", "exponential"):
        try:
            args.beta = float(args.beta)
        except ValueError:
            raise ValueError(f"--beta: {args.beta!r}; allowed: linear, exponential or a number in [0, 1]") from None


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from rlhf_gym.data.trajectories import collect_demonstrations, load_demonstrations

    _check_args(args)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    env = common.make_env(args)
    kwargs = common.env_kwargs(args)
    if args.method in ("maxent", "apprenticeship"):
        from rlhf_gym.algorithms.tabular_model import tabular_model

        tabular_model(env)  # fail early, naming what is missing, before any work
    directory = common.out_dir(args, "imitate")
    expert = _load_expert(args, env)
    rng = np.random.default_rng(args.seed)
    if args.demos_path:
        demos = load_demonstrations(args.demos_path, env=env)
    elif args.method != "dagger":
        demos = collect_demonstrations(env, expert, args.demos, rng, path=directory / "demos", env_id=args.env, progress=True)
    else:
        demos = []
    learner, extra, labels = _METHODS[args.method](args, env, expert, demos, rng, directory)
    learner_eval = learner(args, kwargs)
    expert_eval = common.evaluate_true_return(expert, args.env, kwargs, args.eval_episodes, seed=10_000)
    random_eval = common.run_episodes(env, common.random_actor(env, args.seed), args.eval_episodes, 10_000)
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


def _sb3_learner(args, env):
    import stable_baselines3 as sb3

    return getattr(sb3, args.algo)("MlpPolicy", env, seed=args.seed, device="cpu")


def _evaluate_model(model):
    return lambda args, kwargs: common.evaluate_true_return(model, args.env, kwargs, args.eval_episodes, seed=10_000)


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

    from rlhf_gym.envs import grid_render

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
    from rlhf_gym.algorithms.maxent_irl import TabularPolicy

    policy = TabularPolicy(env, actions)
    return lambda args_, kwargs: common.evaluate_true_return(policy, args.env, kwargs, args.eval_episodes, seed=10_000)


def _maxent(args, env, expert, demos, rng, directory):
    import numpy as np

    from rlhf_gym.algorithms.maxent_irl import maxent_irl
    from rlhf_gym.algorithms.tabular_model import expected_return, tabular_model

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
    from rlhf_gym.algorithms.tabular_model import tabular_model

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
