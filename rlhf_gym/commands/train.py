"""``rlhf-gym train``: an unchanged SB3 agent trained on a reward learned from preferences.

The env's preset is the whole recipe; a few flags and ``--set key=value`` change it. With
``--feedback synthetic`` a simulated teacher answers clip comparisons during training (the online
loop); ``human``: a person answers in a window while the agent trains in a background thread (nobody
waits; ``rlhf_gym.rlhf.pipeline.run_rlhf_online``); ``file`` fits the reward to labels recorded earlier
(``--labels-file``, e.g. a person's); ``true`` trains on the env's own reward (the reference). Writes DIR/config.json (repeat the run
with ``--config``), DIR/results.json, DIR/labels.jsonl, DIR/reward_model.*, DIR/agent.zip, DIR/tb.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rlhf_gym.commands import common
from rlhf_gym.rlhf.config import ALGOS, QUERIES

FEEDBACK = ("synthetic", "human", "file", "true")
DEFAULT_ENV = "rlhf_gym/GridWorld-v0"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="RLHF: train an SB3 agent on a reward learned from preferences",
                              description="Train an unchanged SB3 agent on a reward learned from preferences. The "
                                          "env's preset is the recipe (rlhf-gym presets lists them); flags override it.")
    common.add_common_args(p)
    p.set_defaults(env=None, seed=None, func=run)  # None: taken from --config, else GridWorld and seed 0
    for action in p._actions:
        if action.dest == "env":
            action.help = f"any registered gymnasium id (default: {DEFAULT_ENV}, or the --config's)"
        elif action.dest == "seed":
            action.help = "seed of every random generator, an integer >= 0 (default: 0, or the --config's)"
    p.add_argument("--preset", default=None, metavar="NAME", help="the recipe (default: the env's own; see rlhf-gym presets)")
    p.add_argument("--config", default=None, metavar="PATH", help="repeat a run from its config.json")
    p.add_argument("--feedback", default="synthetic", choices=FEEDBACK,
                   help="who teaches: a simulated teacher or a person (a window) while the agent trains, a label "
                        "file, or the env's true reward (default: %(default)s)")
    p.add_argument("--labels-file", default=None, metavar="PATH", help="labels JSONL to fit the reward to (--feedback file)")
    p.add_argument("--labels", type=int, default=None, metavar="N", help="label budget, an integer >= 2 (default: the preset's)")
    p.add_argument("--steps", type=int, default=None, metavar="N", help="agent timesteps, >= 1 (default: the preset's)")
    p.add_argument("--error-rate", type=float, default=None, metavar="P",
                   help="share of answers the simulated teacher flips, in [0, 0.5); the fit assumes the same (default: the preset's)")
    p.add_argument("--query", default=None, choices=QUERIES, help="how pairs are chosen (default: the preset's)")
    p.add_argument("--algo", default=None, choices=ALGOS, help="SB3 agent; another than the preset's uses SB3's defaults")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting, e.g. reward.scale=0.1 (repeatable; keys: rlhf-gym presets NAME)")
    p.add_argument("--eval-episodes", type=int, default=20, metavar="N", help="evaluation episodes, >= 1 (default: %(default)s)")


def _refuse_unused(args) -> None:
    """Options that do not apply to the chosen --feedback are an error, not silently ignored."""
    unused = {"true": ("labels", "error_rate", "query", "labels_file"), "file": ("labels", "error_rate", "query"),
              "synthetic": ("labels_file",), "human": ("error_rate", "labels_file")}[args.feedback]
    allowed = {"labels_file": "--feedback file", "error_rate": "--feedback synthetic (a person's errors are their own)"}
    for name in unused:
        if getattr(args, name) is not None:
            raise ValueError(f"--{name.replace('_', '-')}: given with --feedback {args.feedback}; allowed only with "
                             + allowed.get(name, "--feedback synthetic or human"))
    if args.feedback == "file" and args.labels_file is None:
        raise ValueError("--labels-file: missing; --feedback file needs the JSONL label file to learn from")


def build_config(args):
    """The RLHFConfig of this command line: preset (or --config), then flags, then --set."""
    from rlhf_gym import presets
    from rlhf_gym.rlhf.config import check, load_config

    resumed = Path(args.out) / "config.json" if args.out and getattr(args, "resume", False) else None
    if args.config is not None or (resumed is not None and resumed.is_file()):
        if args.preset is not None:
            raise ValueError("--preset: given with --config; allowed: one of them (config.json holds its preset)")
        cfg = load_config(args.config or resumed)
        if args.env is not None and args.env != cfg.env_id:
            raise ValueError(f"--env: {args.env!r}, but --config is a run of {cfg.env_id!r}; allowed: leave --env out")
    else:
        env_id = args.env or DEFAULT_ENV
        common.check_env_id(env_id)
        cfg = presets.load(args.preset or presets.for_env(env_id), env_id)
    cfg.env_kwargs = {**cfg.env_kwargs, **common.env_kwargs(args)}
    if args.seed is not None:
        cfg.seed = args.seed
    if args.labels is not None:
        cfg.schedule.labels = args.labels
    if args.steps is not None:
        cfg.agent.steps = args.steps
    if args.error_rate is not None:
        cfg.teacher.error_rate = cfg.trainer.assumed_error_rate = args.error_rate
    if args.query is not None:
        cfg.schedule.query = args.query
    if args.algo is not None and args.algo != cfg.agent.algo:
        cfg.agent.algo, cfg.agent.kwargs = args.algo, {}  # the preset's settings were tuned for its own agent
        if args.algo == "sac":
            cfg.agent.n_envs = 1
    return check(cfg.with_overrides(args.overrides))


def _check_env(cfg):
    """The training env, made once to check that it suits the agent and the reward model."""
    from gymnasium import spaces

    env = common.make_env(argparse.Namespace(env=cfg.env_id, env_kwargs=json.dumps(cfg.training_env_kwargs)))
    for name in ("observation_space", "action_space"):
        if not isinstance(getattr(env, name), (spaces.Box, spaces.Discrete)):
            raise ValueError(f"--env: {cfg.env_id!r} has {name}={getattr(env, name)}; allowed: Box or Discrete")
    if cfg.agent.algo == "sac" and not isinstance(env.action_space, spaces.Box):
        raise ValueError(f"--algo: sac needs Box actions; {cfg.env_id!r} has {env.action_space}; allowed here: ppo, a2c")
    from rlhf_gym.rlhf.pipeline import make_reward_model

    make_reward_model(cfg, env)  # refuses reward settings that do not fit the env, before any work
    _check_agent(cfg, env)
    if cfg.demos.episodes:
        from rlhf_gym.rlhf.demonstrations import demo_expert

        demo_expert(cfg, env)  # refuses demonstrations on an env without an expert, before any work
    return env


def _check_agent(cfg, env) -> None:
    """Build the agent once on one env, so that an SB3 keyword it does not take is one line, not a traceback."""
    import inspect

    import stable_baselines3
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rlhf_gym.rlhf.pipeline import make_agent

    cls = {"ppo": "PPO", "a2c": "A2C", "sac": "SAC"}[cfg.agent.algo]
    ours = {"policy", "env", "seed", "device", "verbose", "tensorboard_log"}  # make_agent sets these
    accepted = {p for p in inspect.signature(getattr(stable_baselines3, cls)).parameters
                if not p.startswith("_") and p not in ours}
    for key in cfg.agent.kwargs:
        if key not in accepted:
            raise ValueError(f"agent.kwargs.{key}: not an argument of SB3's {cls}; allowed: {', '.join(sorted(accepted))}")
    try:
        make_agent(cfg, DummyVecEnv([lambda: env]))
    except (TypeError, ValueError, AssertionError) as err:
        raise ValueError(f"agent.kwargs: {json.dumps(cfg.agent.kwargs)}; allowed: values SB3's {cls} accepts ({err})") from None


def _restart(directory: Path, feedback: str) -> None:
    """With --resume, an unfinished run starts again from its config.json. A simulated teacher's labels
    are asked again (the same seed gives the same answers), so its old label file goes; labels that came
    from anyone else are never deleted: such a run is refused instead. A person's run keeps its answers:
    they count against the budget and train the reward from the start (the agent starts afresh)."""
    import shutil

    labels = directory / "labels.jsonl"
    if not labels.exists() or feedback not in ("synthetic", "human"):
        return
    from rlhf_gym.feedback import LabelStore

    teachers = {record.get("teacher") for record in LabelStore(labels, read_only=True).records}
    if feedback == "human":
        if teachers - {"human"}:
            raise ValueError(f"--resume: {labels} holds labels of {sorted(map(str, teachers))}; allowed with "
                             "--feedback human: a run whose labels all came from a person")
        return
    if teachers - {"synthetic"}:
        raise ValueError(f"--resume: {labels} holds labels of {sorted(map(str, teachers))}; allowed: resuming a run "
                         "whose labels all came from the synthetic teacher (move that file to keep it)")
    for path in (labels, directory / "labels.jsonl.lock"):
        path.unlink(missing_ok=True)
    shutil.rmtree(directory / "labels.jsonl.segments", ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from rlhf_gym.rlhf.experiment import run_experiment

    _refuse_unused(args)
    if args.eval_episodes < 1:
        raise ValueError(f"--eval-episodes: {args.eval_episodes}; allowed: an integer >= 1")
    if args.labels_file is not None and not Path(args.labels_file).is_file():
        raise ValueError(f"--labels-file: {args.labels_file!r} does not exist; allowed: a labels JSONL file "
                         "(rlhf-gym train writes DIR/labels.jsonl)")
    cfg = build_config(args)
    _check_env(cfg).close()
    if args.feedback == "human":
        from rlhf_gym.rlhf.pipeline import frame_stride

        frame_stride(cfg)  # a person must see the clips: refuse an env without rgb_array frames now
    args.env, args.seed = cfg.env_id, cfg.seed
    directory = common.out_dir(args, "train")
    if (directory / "results.json").is_file():  # only reachable with --resume
        print(f"{directory} holds a finished run (results.json); nothing to do")
        return 0
    _restart(directory, args.feedback)
    common.set_threads(args)
    a = cfg.agent
    teaches = {"synthetic": f"a reward learned from {cfg.schedule.labels} labels of a simulated teacher",
               "file": f"a reward fitted to the labels in {args.labels_file}", "true": "the env's own reward",
               "human": f"a reward learned from up to {cfg.schedule.labels} answers of a person, asked while it trains "
                        "(a window: <- left better, -> right better, down equal, space skip, backspace undo, esc esc stop)"}
    print(f"== {cfg.env_id} (preset {cfg.preset}): {a.algo.upper()} for {a.steps} steps on {teaches[args.feedback]}")
    r = run_experiment(cfg, directory, args.feedback, args.labels_file, args.eval_episodes, progress_bar=True)
    rows = [[f"{a.algo.upper()} ({args.feedback})", r["labels_used"], r["true_return_mean"], r["true_return_std"],
             r.get("success_rate", "-")]]
    if "expert_return_mean" in r:
        rows.append(["expert", "-", r["expert_return_mean"], r["expert_return_std"], r.get("expert_success_rate", "-")])
    common.print_table(f"{cfg.env_id}: true return over {args.eval_episodes} episodes",
                       ["policy", "labels", "mean", "std", "success"], rows)
    if args.feedback == "human":
        if r["stopped_early"]:
            print(f"stopped by the person at step {r['agent_steps_done']}; every answer is in {directory / 'labels.jsonl'}")
        common.print_table("the person and the agent", ["labels", "labels/min", "median s/label", "agrees with exact",
                                                         "person waited", "agent stalled"],
                           [[r["labels_used"], r.get("labels_per_minute", "-"), r.get("median_seconds_per_label", "-"),
                             r.get("agreement_with_exact_teacher", "-"), r["person_waited_share"],
                             r["agent_stalled_share"]]])
    print(f"wrote {directory / 'results.json'} ({r['wall_seconds']:.0f} s)")
    return 0
