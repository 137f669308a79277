"""``rlhf-gym train``: RLHF from preferences with an unchanged SB3 agent.

The agent (PPO, A2C or SAC) sees only a learned reward. With ``--feedback synthetic``
a simulated teacher answers clip comparisons during training (the online loop); with
``--feedback file`` a reward model is fitted to labels recorded earlier (``--labels-file``,
e.g. from a person) and the agent trains on it. The same agent is then trained on the
true reward for comparison. Writes DIR/results.json, DIR/labels.jsonl (+ clip data),
DIR/reward_model.{safetensors,json}, DIR/agent.zip and TensorBoard logs in DIR/tb.
"""

from __future__ import annotations

import argparse
import math
import time

from rlhf_gym.commands import common
from rlhf_gym.feedback.queries import METHODS

ALGOS = ("ppo", "a2c", "sac")
FEEDBACK = ("synthetic", "file")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="RLHF: train an SB3 agent on a reward learned from preferences")
    common.add_common_args(p)
    p.add_argument("--algo", default="ppo", choices=ALGOS, help="SB3 agent (default: %(default)s)")
    p.add_argument("--feedback", default="synthetic", choices=FEEDBACK, help="who answers (default: %(default)s)")
    p.add_argument("--labels-file", default=None, metavar="PATH", help="label JSONL for --feedback file")
    p.add_argument("--labels", type=int, default=300, help="label budget (default: %(default)s)")
    p.add_argument("--steps", type=int, default=None, help="agent timesteps (default: the env's preset)")
    p.add_argument("--n-envs", type=int, default=None, help="parallel envs (default: the env's preset)")
    p.add_argument("--reward-model", default="auto", choices=("auto", "mlp", "linear"),
                   help="auto: a table over the next state for Discrete observations, else an MLP over (obs, action)")
    p.add_argument("--reward-inputs", default=None, metavar="LIST",
                   help="comma list of obs,action,next_obs,obs_change the reward reads "
                        "(default: next_obs for a table, else obs,action)")
    p.add_argument("--reward-scale", type=float, default=1.0,
                   help="per-step std of the learned reward the agent sees (Backflip: 0.1) (default: %(default)s)")
    p.add_argument("--initial-fraction", type=float, default=0.25,
                   help="share of the labels asked about the initial policy's clips (default: %(default)s)")
    p.add_argument("--ensemble", type=int, default=3, help="reward-model ensemble members (default: %(default)s)")
    p.add_argument("--query", default="disagreement", choices=METHODS,
                   help="pair selection (default: %(default)s)")
    p.add_argument("--segment-length", type=int, default=25, help="steps per clip (default: %(default)s)")
    p.add_argument("--error-rate", type=float, default=0.0, help="synthetic teacher's mistake rate epsilon")
    p.add_argument("--beta", type=float, default=math.inf, help="synthetic teacher's rationality (default: exact)")
    p.add_argument("--gamma", type=float, default=1.0, help="synthetic teacher's myopia (default: %(default)s)")
    p.add_argument("--assumed-error-rate", type=float, default=0.0,
                   help="error rate assumed in the Bradley-Terry likelihood (Christiano: 0.1) (default: %(default)s)")
    p.add_argument("--schedule", default="hyperbolic", choices=("hyperbolic", "constant"),
                   help="how label queries spread over training (default: %(default)s)")
    p.add_argument("--label-until", type=float, default=0.75,
                   help="share of training by which the whole budget is asked (default: %(default)s)")
    p.add_argument("--drop-suspect", type=float, default=0.0,
                   help="share of labels the first fit contradicts most, left out of a refit (noisy teachers; "
                        "default: %(default)s)")
    p.add_argument("--reward-input-lasso", type=float, default=0.0,
                   help="group lasso on the reward net's input columns: prefer rewards that read few inputs (0: off)")
    p.add_argument("--reward-weight-decay", type=float, default=0.0,
                   help="L2 on the reward model's weights (default: %(default)s)")
    p.add_argument("--normalize-on", default="recent", choices=("recent", "labelled"),
                   help="clips the learned reward is scaled on: the agent's recent ones or every labelled one "
                        "(default: %(default)s)")
    p.add_argument("--explore-bonus", type=float, default=0.0,
                   help="agent's reward += this x the ensemble's spread, lowered to 0 by --label-until "
                        "(RUNE; needs --ensemble >= 2) (default: %(default)s)")
    p.add_argument("--final-bonus", type=float, default=0.0,
                   help="the spread's weight once the labels end; the bonus moves to it by --label-until "
                        "(< 0: pessimism) (default: %(default)s)")
    p.add_argument("--final-log-std", type=float, default=None,
                   help="cap the action noise's log std down a line to this from --label-until to the end, so the "
                        "deterministic action is what the agent practised (ppo/a2c, Box actions) (default: off)")
    p.add_argument("--anneal-start", type=float, default=None,
                   help="share of training where the --final-log-std cap starts (default: --label-until)")
    p.add_argument("--reward-input-clip", type=float, default=None,
                   help="clip the reward model's standardised inputs to +-this (default: no clip)")
    p.add_argument("--reward-ignore-obs", default=None, metavar="LIST",
                   help="comma-separated flat observation indices the reward does not read, e.g. a clock "
                        "(Backflip's time_fraction is 11) (default: none)")
    p.add_argument("--reward-member-obs-dropout", type=float, default=0.0,
                   help="share of the observation entries each ensemble member does not read, a random subset "
                        "per member, so members disagree where one feature misleads (default: %(default)s)")
    p.add_argument("--pool-steps", type=int, default=None,
                   help="ask about clips from the newest this many steps (default: the newest 3000 clips; "
                        "set it for long clips, whose 3000 reach far back)")
    p.add_argument("--label-batches", type=int, default=50,
                   help="ask the labels in about this many batches, refitting the reward after each "
                        "(fewer: cheaper runs) (default: %(default)s)")
    p.add_argument("--eval-episodes", type=int, default=20, help="evaluation episodes (default: %(default)s)")
    p.add_argument("--no-baseline", action="store_true", help="skip training the same agent on the true reward")
    p.set_defaults(func=run)


def _check(args) -> None:
    for name in ("labels", "steps", "n_envs", "ensemble", "segment_length", "eval_episodes"):
        value = getattr(args, name)
        if value is not None and value < (2 if name == "labels" else 1):
            raise ValueError(f"--{name.replace('_', '-')}: {value}; allowed: an integer >= {2 if name == 'labels' else 1}")
    if not 0.0 <= args.error_rate < 0.5:
        raise ValueError(f"--error-rate: {args.error_rate}; allowed: a number in [0, 0.5)")
    if not 0.0 <= args.reward_weight_decay < 1.0:
        raise ValueError(f"--reward-weight-decay: {args.reward_weight_decay}; allowed: a number in [0, 1)")
    if not 0.0 <= args.reward_input_lasso < math.inf:
        raise ValueError(f"--reward-input-lasso: {args.reward_input_lasso}; allowed: a finite number >= 0")
    if not 0.0 <= args.drop_suspect < 0.5:
        raise ValueError(f"--drop-suspect: {args.drop_suspect}; allowed: a number in [0, 0.5)")
    if not 0.0 < args.label_until <= 1.0:
        raise ValueError(f"--label-until: {args.label_until}; allowed: a number in (0, 1]")
    if not 0.0 <= args.assumed_error_rate < 1.0:
        raise ValueError(f"--assumed-error-rate: {args.assumed_error_rate}; allowed: a number in [0, 1)")
    if not args.reward_scale > 0.0:
        raise ValueError(f"--reward-scale: {args.reward_scale}; allowed: a number > 0")
    if not 0.0 < args.initial_fraction <= 1.0:
        raise ValueError(f"--initial-fraction: {args.initial_fraction}; allowed: a number in (0, 1]")
    if not args.explore_bonus >= 0.0:
        raise ValueError(f"--explore-bonus: {args.explore_bonus}; allowed: a number >= 0")
    if args.explore_bonus > 0.0 and args.ensemble < 2:
        raise ValueError(f"--explore-bonus: {args.explore_bonus} needs an ensemble; allowed with --ensemble >= 2 "
                         f"(got {args.ensemble})")
    if not math.isfinite(args.final_bonus):
        raise ValueError(f"--final-bonus: {args.final_bonus}; allowed: a finite number")
    if args.final_bonus != 0.0 and args.ensemble < 2:
        raise ValueError(f"--final-bonus: {args.final_bonus} needs an ensemble; allowed with --ensemble >= 2 "
                         f"(got {args.ensemble})")
    from rlhf_gym.algorithms.noise_anneal import LOG_STD_RANGE  # here: importing it loads torch

    low, high = LOG_STD_RANGE
    if args.final_log_std is not None and not low <= args.final_log_std <= high:
        raise ValueError(f"--final-log-std: {args.final_log_std}; allowed: a number in [{low:g}, {high:g}]")
    if args.anneal_start is not None and not 0.0 <= args.anneal_start < 1.0:
        raise ValueError(f"--anneal-start: {args.anneal_start}; allowed: a number in [0, 1)")
    if args.anneal_start is not None and args.final_log_std is None:
        raise ValueError("--anneal-start: set without --final-log-std; allowed only with --final-log-std")
    if args.final_log_std is not None and args.algo == "sac":
        raise ValueError("--final-log-std: SAC's noise depends on the state; allowed with --algo ppo or a2c")
    if args.reward_input_clip is not None and not args.reward_input_clip > 0.0:
        raise ValueError(f"--reward-input-clip: {args.reward_input_clip}; allowed: a number > 0")
    if not 0.0 <= args.reward_member_obs_dropout < 1.0:
        raise ValueError(f"--reward-member-obs-dropout: {args.reward_member_obs_dropout}; allowed: a number in [0, 1)")
    if args.pool_steps is not None and args.pool_steps < 2 * args.segment_length:
        raise ValueError(f"--pool-steps: {args.pool_steps}; allowed: an integer >= 2 x --segment-length "
                         f"({2 * args.segment_length})")
    if args.label_batches < 1:
        raise ValueError(f"--label-batches: {args.label_batches}; allowed: an integer >= 1")
    if args.feedback == "file" and not args.labels_file:
        raise ValueError("--labels-file: missing; --feedback file needs the JSONL label file to learn from")


def _config(args, env_kwargs: dict):
    from rlhf_gym.rlhf.pipeline import RLHFConfig
    from rlhf_gym.presets import ppo_preset

    n_envs, steps, kwargs = ppo_preset(args.env)
    if args.algo == "a2c":
        kwargs = {}
    elif args.algo == "sac":
        n_envs, kwargs = 1, {}
    return RLHFConfig(
        env_id=args.env, env_kwargs=env_kwargs, algo=args.algo, labels=args.labels, steps=args.steps or steps,
        n_envs=args.n_envs or n_envs, agent_kwargs=kwargs, reward_kind=args.reward_model, ensemble=args.ensemble,
        reward_inputs=tuple(args.reward_inputs.split(",")) if args.reward_inputs else None,
        reward_scale=args.reward_scale, initial_fraction=args.initial_fraction,
        query=args.query, segment_length=args.segment_length, seed=args.seed, progress_bar=True,
        teacher={"beta": args.beta, "gamma": args.gamma, "error_rate": args.error_rate},
        assumed_error_rate=args.assumed_error_rate, schedule=args.schedule, label_until=args.label_until,
        drop_suspect=args.drop_suspect, reward_weight_decay=args.reward_weight_decay,
        reward_input_lasso=args.reward_input_lasso,
        normalize_on=args.normalize_on, explore_bonus=args.explore_bonus, final_bonus=args.final_bonus,
        final_log_std=args.final_log_std, anneal_start=args.anneal_start, reward_input_clip=args.reward_input_clip,
        pool_steps=args.pool_steps, label_batches=args.label_batches,
        reward_ignore_obs=_ignored_obs(args.reward_ignore_obs),
        reward_member_obs_dropout=args.reward_member_obs_dropout,
    )


def _ignored_obs(text: str | None) -> tuple[int, ...]:
    """--reward-ignore-obs "11,12" -> (11, 12); RewardModel checks the indices against the env."""
    if not text:
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--reward-ignore-obs: {text!r}; allowed: comma-separated integers, e.g. 11") from None


def run(args: argparse.Namespace) -> int:
    import torch
    from gymnasium import spaces
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.rlhf.callback import fit_from_store
    from rlhf_gym.rlhf.pipeline import (finite_metrics, make_agent, make_reward_model, noise_anneal, run_rlhf,
                                              run_true_reward)
    from rlhf_gym.feedback import LabelStore
    from rlhf_gym.rewards import save_reward_model
    from rlhf_gym.wrappers import VecLearnedReward

    _check(args)
    started = time.perf_counter()
    env = common.make_env(args)
    kw = common.env_kwargs(args)
    for name in ("observation_space", "action_space"):
        if not isinstance(getattr(env, name), (spaces.Box, spaces.Discrete)):
            raise ValueError(f"--env: {args.env!r} has {name}={getattr(env, name)}; allowed: Box or Discrete")
    if args.algo == "sac" and not isinstance(env.action_space, spaces.Box):
        raise ValueError(f"--algo: sac needs Box actions; {args.env!r} has {env.action_space}; allowed here: ppo, a2c")
    if args.final_log_std is not None and not isinstance(env.action_space, spaces.Box):
        raise ValueError(f"--final-log-std: needs Box actions; {args.env!r} has {env.action_space}; "
                         "allowed: leave it off")
    directory = common.out_dir(args, "train")
    torch.manual_seed(args.seed)  # SB3 seeds the agent itself too; the reward model uses its own generator
    cfg = _config(args, kw)
    cfg.tensorboard_dir = str(directory / "tb")
    steps = cfg.steps
    if args.feedback == "synthetic":
        print(f"== {args.env}: {args.algo.upper()} on a learned reward, {args.labels} synthetic labels, {steps} steps")
        agent, rm, cb, _ = run_rlhf(cfg, directory / "labels.jsonl")
        labels_used, metrics = cb.queries_asked, cb.metrics
    else:
        store = LabelStore(args.labels_file)
        labels_used = len(store)
        rm = make_reward_model(cfg, env)
        metrics = fit_from_store(rm, store, seed=args.seed)
        print(f"== {args.env}: reward model fitted to {labels_used} recorded labels; {args.algo.upper()} for {steps} steps")
        venv = VecLearnedReward(make_vec_env(args.env, n_envs=cfg.n_envs, seed=args.seed, env_kwargs=kw), rm)
        agent = make_agent(args.algo, venv, args.seed, cfg.agent_kwargs, cfg.tensorboard_dir)
        agent.learn(steps, callback=noise_anneal(cfg), progress_bar=True, tb_log_name="rlhf")
        venv.close()
    save_reward_model(rm, directory / "reward_model")
    agent.save(directory / "agent.zip")
    rlhf_eval = common.evaluate_true_return(agent, args.env, kw, args.eval_episodes, args.seed + 10_000)

    rows = [["learned reward (RLHF)", labels_used, rlhf_eval["true_return_mean"], rlhf_eval["true_return_std"],
             rlhf_eval.get("success_rate", "-")]]
    results = {
        "true_return_mean": rlhf_eval["true_return_mean"], "true_return_std": rlhf_eval["true_return_std"],
        "labels_used": int(labels_used), "agent_steps": int(steps), "algo": args.algo, "env": args.env,
        "feedback": args.feedback, "reward_model": finite_metrics(metrics),
    }
    if "success_rate" in rlhf_eval:
        results["success_rate"] = rlhf_eval["success_rate"]
    if not args.no_baseline:
        print(f"== {args.env}: the same {args.algo.upper()} on the true reward")
        base, _ = run_true_reward(cfg)
        true_eval = common.evaluate_true_return(base, args.env, kw, args.eval_episodes, args.seed + 10_000)
        rows.append(["true reward", "-", true_eval["true_return_mean"], true_eval["true_return_std"],
                     true_eval.get("success_rate", "-")])
        results["true_reward_return_mean"] = true_eval["true_return_mean"]
        results["true_reward_return_std"] = true_eval["true_return_std"]
    try:
        from rlhf_gym.experts import expert_for

        expert_eval = common.evaluate_true_return(expert_for(env), args.env, kw, args.eval_episodes, args.seed + 10_000)
        results["expert_return_mean"] = expert_eval["true_return_mean"]
        rows.append(["expert", "-", expert_eval["true_return_mean"], expert_eval["true_return_std"],
                     expert_eval.get("success_rate", "-")])
    except ValueError:
        pass  # no built-in expert for this env
    env.close()
    results["wall_seconds"] = time.perf_counter() - started
    common.print_table(f"{args.env}: true return of {args.algo.upper()} ({args.eval_episodes} episodes)",
                       ["agent trained on", "labels", "mean", "std", "success"], rows)
    path = common.write_results(directory, results)
    print(f"wrote {path}")
    return 0
