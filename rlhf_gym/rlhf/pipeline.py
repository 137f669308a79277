"""One RLHF run end to end, from an ``RLHFConfig``: env, reward model, teacher, agent, callback.

Why one place: the CLI, the demo, the baselines and the tests run the same experiment with
different recipes; building every part from the config here keeps their numbers comparable.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from rlhf_gym.rlhf.config import RLHFConfig


def make_agent(cfg: RLHFConfig, venv, seed: int | None = None, tensorboard_dir=None):
    """The unchanged SB3 agent ``cfg.agent`` names, on ``venv``."""
    from stable_baselines3 import A2C, PPO, SAC

    classes = {"ppo": PPO, "a2c": A2C, "sac": SAC}
    return classes[cfg.agent.algo]("MlpPolicy", venv, seed=cfg.seed if seed is None else seed, device="cpu",
                                   verbose=0, tensorboard_log=None if tensorboard_dir is None else str(tensorboard_dir),
                                   **cfg.agent.kwargs)


def ignored_indices(cfg: RLHFConfig, env) -> tuple[int, ...]:
    """``reward.ignore`` as flat indices: a name is looked up in the env's ``obs_fields``."""
    names = tuple(getattr(env.unwrapped, "obs_fields", ()))
    out = []
    for item in cfg.reward.ignore:
        if isinstance(item, str):
            if item not in names:
                raise ValueError(f"reward.ignore: {item!r}; allowed: flat indices or names of {names or 'none (the env names no fields)'}")
            item = names.index(item)
        out.append(int(item))
    return tuple(out)


def make_reward_model(cfg: RLHFConfig, env):
    """The reward model ``cfg.reward`` describes, for ``env``'s spaces."""
    from gymnasium import spaces

    from rlhf_gym.rewards import RewardModel

    r = cfg.reward
    tabular = isinstance(env.observation_space, spaces.Discrete)
    kind = ("linear" if tabular else "mlp") if r.kind == "auto" else r.kind
    inputs = r.inputs or (("next_obs",) if (kind == "linear" and tabular) else ("obs", "action"))
    return RewardModel.for_env(env, kind=kind, inputs=tuple(inputs), hidden_sizes=tuple(r.hidden_sizes),
                               ensemble_size=r.ensemble, output_scale=r.scale, input_clip=r.input_clip,
                               ignore_obs=ignored_indices(cfg, env), seed=cfg.seed,
                               input_transform=r.input_transform)


def make_teacher(cfg: RLHFConfig):
    """The simulated teacher ``cfg.teacher`` describes (its own generator, seeded by the run)."""
    from rlhf_gym.feedback import SyntheticTeacher

    t = cfg.teacher
    return SyntheticTeacher(np.random.default_rng([cfg.seed, 1]), beta=math.inf if t.beta is None else t.beta,
                            gamma=t.gamma, error_rate=t.error_rate)


def preference_callback(cfg: RLHFConfig, rm, teacher=None, label_store=None, total_timesteps: int | None = None,
                        **online):
    """The PreferenceLearningCallback (teacher, trainer, schedule) that ``cfg`` describes; ``online``:
    ``frames`` and ``first_labels`` for a person (see ``run_rlhf_online``)."""
    from rlhf_gym.feedback.queries import NEEDS_ENSEMBLE
    from rlhf_gym.rlhf.callback import PreferenceLearningCallback

    s = cfg.schedule
    query = "random" if (s.query in NEEDS_ENSEMBLE and cfg.reward.ensemble < 2) else s.query  # one member cannot disagree
    return PreferenceLearningCallback(
        rm, make_teacher(cfg) if teacher is None else teacher, total_labels=s.labels, schedule=s.kind,
        initial_fraction=s.initial_fraction, label_until=s.label_until, segment_length=s.segment_length, query=query,
        label_store=label_store, trainer_config=cfg.trainer, normalize_on=cfg.reward.normalize_on,
        explore_bonus=cfg.reward.explore_bonus, pool_steps=s.pool_steps, label_batches=s.label_batches,
        seed=cfg.seed, total_timesteps=total_timesteps, **online)


def rollout_end_rewards(cfg: RLHFConfig) -> bool:
    """Whether the agent's learned rewards are computed once per rollout (on-policy agents: they use
    them only when they update) rather than once per step (``VecLearnedReward``, ``at_rollout_end``)."""
    return cfg.agent.algo in ("ppo", "a2c")


def make_venv(cfg: RLHFConfig, rm=None):
    """``cfg``'s training envs (a DummyVecEnv seeded ``cfg.seed``), under a VecLearnedReward when ``rm`` is given."""
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.wrappers import VecLearnedReward

    venv = make_vec_env(cfg.env_id, n_envs=cfg.agent.n_envs, seed=cfg.seed, env_kwargs=cfg.training_env_kwargs)
    return venv if rm is None else VecLearnedReward(venv, rm, at_rollout_end=rollout_end_rewards(cfg))


def make_filmed_venv(cfg: RLHFConfig, rm, stride: int = 1):
    """As ``make_venv``, with env 0 filmed (a ``FrameTap``, every ``stride``-th pixel): (venv, tap).
    The envs are made exactly as ``make_venv`` makes them; the tap only renders."""
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.feedback.online_frames import FrameTap
    from rlhf_gym.wrappers import VecLearnedReward

    taps = []

    def film_first(env):  # DummyVecEnv makes env 0 first
        if taps:
            return env
        taps.append(FrameTap(env, stride))
        return taps[0]

    venv = make_vec_env(cfg.env_id, n_envs=cfg.agent.n_envs, seed=cfg.seed, env_kwargs=cfg.training_env_kwargs,
                        wrapper_class=film_first)
    return VecLearnedReward(venv, rm, at_rollout_end=rollout_end_rewards(cfg)), taps[0]


def frame_stride(cfg: RLHFConfig, max_side: int = 256) -> tuple[int, float]:
    """(stride, fps): every how many pixels env 0's frames are kept, and the env's frame rate; a
    ValueError names the env when it cannot render rgb_array frames (a person must see the clips)."""
    import gymnasium as gym

    from rlhf_gym.feedback.online_frames import stride_for

    try:
        env = gym.make(cfg.env_id, render_mode="rgb_array", **cfg.training_env_kwargs)
    except TypeError as err:
        raise ValueError(f"--feedback human: {cfg.env_id!r} takes no render_mode ({err}); allowed: an env with "
                         "rgb_array frames (a person must see the clips)") from None
    try:
        env.reset(seed=cfg.seed)
        frame = env.render()
        if not (isinstance(frame, np.ndarray) and frame.ndim == 3 and frame.shape[2] == 3):
            raise ValueError(f"--feedback human: {cfg.env_id!r} renders {type(frame).__name__} in rgb_array mode; "
                             "allowed: an env whose render() returns (H, W, 3) frames")
        return stride_for(frame, max_side), float(env.metadata.get("render_fps") or 25)
    finally:
        env.close()


def new_reward_model(cfg: RLHFConfig):
    import gymnasium as gym

    probe = gym.make(cfg.env_id, **cfg.training_env_kwargs)
    try:
        return make_reward_model(cfg, probe)
    finally:
        probe.close()


def run_rlhf(cfg: RLHFConfig, label_store_path: str | Path | None = None, extra_callbacks=None, teacher=None,
             progress_bar: bool = False, tensorboard_dir=None):
    """Train ``cfg.agent`` on a reward learned online from a teacher (the config's synthetic one unless given).

    ``extra_callbacks(preference_callback) -> [BaseCallback, ...]`` adds callbacks that run after the
    preference callback (diagnostics, logging). Returns (agent, reward_model, callback, seconds)."""
    from rlhf_gym.feedback import LabelStore

    started = time.perf_counter()
    rm = new_reward_model(cfg)
    venv = make_venv(cfg, rm)
    agent = make_agent(cfg, venv, tensorboard_dir=tensorboard_dir)
    demos = []
    if cfg.demos.episodes:
        from rlhf_gym.rlhf.demonstrations import clone_into, record_demonstrations

        demos = record_demonstrations(cfg)
        if cfg.demos.bc_epochs:
            clone_into(agent, demos, cfg.demos.bc_epochs, cfg.seed)
    store = None if label_store_path is None else LabelStore(label_store_path, env_id=cfg.env_id,
                                                             observation_space=rm.observation_space,
                                                             action_space=rm.action_space)
    cb = preference_callback(cfg, rm, teacher, store, demo_clips=demos, demo_pairs=cfg.demos.pairs)
    callbacks = [cb, *(extra_callbacks(cb) if extra_callbacks is not None else [])]
    try:
        agent.learn(cfg.agent.steps, callback=callbacks if len(callbacks) > 1 else cb, progress_bar=progress_bar,
                    tb_log_name="rlhf")
    finally:
        venv.close()
        if store is not None:
            store.close()
    return agent, rm, cb, time.perf_counter() - started


def run_rlhf_online(cfg: RLHFConfig, label_store_path: str | Path, window=None, progress_bar: bool = False,
                    tensorboard_dir=None, first_labels: int = 3, queue_size: int = 3):
    """A person teaches the agent while it trains (``rlhf-gym train --feedback human``); nobody waits.

    The agent learns in a background thread; the main thread shows pairs of env 0's clips in
    ``window`` (None: a ComparisonWindow at the env's frame rate; a ``SimulatedPerson`` for tests and
    the benchmark) and writes every answer to ``label_store_path`` as it is given. Pairs come from a
    queue of ``queue_size`` that the training side keeps full (``cfg.schedule.query`` chooses them),
    answers reach the next rollout end's refit, and the agent waits only for its ``first_labels``.
    Escape twice ends the training early. An existing label file is resumed: its answers count against
    the budget and enter the first refit (the agent starts afresh). Returns (agent, reward_model, callback, seconds, times): the
    ``OnlineSession``'s shares of time the person waited and the agent stalled, and ``quit_message``
    (None unless the person quit).
    """
    from rlhf_gym.feedback import LabelStore
    from rlhf_gym.feedback.comparison_window import ComparisonWindow
    from rlhf_gym.feedback.human import HumanTeacher
    from rlhf_gym.feedback.online_exchange import PairExchange
    from rlhf_gym.feedback.online_session import OnlineSession

    started = time.perf_counter()
    stride, fps = frame_stride(cfg)
    rm = new_reward_model(cfg)
    venv, tap = make_filmed_venv(cfg, rm, stride)
    agent = make_agent(cfg, venv, tensorboard_dir=tensorboard_dir)
    store = LabelStore(label_store_path, env_id=cfg.env_id, observation_space=rm.observation_space,
                       action_space=rm.action_space)
    earlier = store.labelled_pairs()  # a resumed run: the answers of its earlier sessions count
    exchange = PairExchange(cfg.schedule.labels, queue_size, answered=len(store.records), labelled=len(earlier))
    cb = preference_callback(cfg, rm, exchange, frames=tap, first_labels=first_labels)
    cb.preload(store.records, earlier)
    window = ComparisonWindow(fps=fps, scale=float(stride)) if window is None else window
    teacher = HumanTeacher(store, window, total=cfg.schedule.labels)
    session = OnlineSession(exchange, teacher, poll_seconds=min(0.05, 1.0 / fps))
    try:
        times = session.run(lambda: agent.learn(cfg.agent.steps, callback=cb, progress_bar=progress_bar,
                                                tb_log_name="rlhf"))
        cb.absorb_answers()  # the answers given after the last rollout end
    finally:
        window.close()
        venv.close()
        store.close()
    times["quit_message"] = session.quit_message
    return agent, rm, cb, time.perf_counter() - started, times


def fit_from_store(cfg: RLHFConfig, store, rm=None) -> tuple:
    """A reward model fitted offline, with ``cfg.trainer``'s settings, to every answer in a LabelStore.

    Returns (reward_model, metrics)."""
    from rlhf_gym.rewards import RewardTrainer

    recorded = store.labelled_pairs()
    if not recorded:
        raise ValueError(f"--labels-file: {str(store.path)!r} holds no labels; allowed: a label file with at least "
                         "one answer")
    rm = new_reward_model(cfg) if rm is None else rm
    store.check_env(cfg.env_id, rm.observation_space, rm.action_space)  # labels of another env are refused
    trainer = RewardTrainer(rm, np.random.default_rng(cfg.seed), cfg.trainer)
    metrics = trainer.train([(a, b) for a, b, _ in recorded], [lab for _, _, lab in recorded])
    return rm, metrics


def train_on_reward(cfg: RLHFConfig, rm=None, progress_bar: bool = False, tensorboard_dir=None):
    """``cfg.agent`` trained on a fixed reward model ``rm``, or on the env's own reward when ``rm`` is None.

    Returns (agent, seconds)."""
    started = time.perf_counter()
    venv = make_venv(cfg, rm)
    agent = make_agent(cfg, venv, tensorboard_dir=tensorboard_dir)
    deferred = rm is not None and rollout_end_rewards(cfg)
    if deferred:
        from rlhf_gym.wrappers import RolloutEndRewards
    agent.learn(cfg.agent.steps, callback=RolloutEndRewards() if deferred else None, progress_bar=progress_bar,
                tb_log_name="true_reward" if rm is None else "rlhf")
    venv.close()
    return agent, time.perf_counter() - started


def finite_metrics(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and math.isfinite(v)}
