"""One RLHF run end to end: env, reward model, teacher, agent, callback, evaluation.

Why: the CLI and the baselines run the same experiment with different settings;
keeping the wiring in one function keeps their numbers comparable.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class RLHFConfig:
    env_id: str
    env_kwargs: dict = field(default_factory=dict)
    algo: str = "ppo"                 # ppo | a2c | sac
    labels: int = 300                 # label budget
    steps: int = 100_000              # agent timesteps
    n_envs: int = 4
    agent_kwargs: dict = field(default_factory=dict)
    reward_kind: str = "auto"         # auto | mlp | linear
    reward_inputs: tuple | None = None  # None: next_obs for a table, else (obs, action)
    reward_scale: float = 1.0         # per-step std of the learned reward the agent sees
    reward_input_clip: float | None = None  # clip standardised reward inputs (caps extrapolation)
    reward_ignore_obs: tuple = ()     # flat observation indices the reward does not read (a clock)
    reward_member_obs_dropout: float = 0.0  # share of observation entries each ensemble member does not read
    hidden_sizes: tuple = (64, 64)
    ensemble: int = 3
    query: str = "disagreement"       # random | disagreement | novelty | mixed
    segment_length: int = 25
    initial_fraction: float = 0.25
    schedule: str = "hyperbolic"
    label_until: float = 0.75         # share of training by which the whole budget is asked
    teacher: dict = field(default_factory=dict)  # SyntheticTeacher settings (beta, gamma, error_rate, ...)
    assumed_error_rate: float = 0.0   # error rate in the Bradley-Terry likelihood
    drop_suspect: float = 0.0         # share of labels the first fit contradicts most, left out of a refit
    reward_weight_decay: float = 0.0  # L2 on the reward model's weights (keeps event sizes from tracking their frequency)
    reward_input_lasso: float = 0.0   # group lasso on the reward net's input columns (prefers rewards reading few inputs)
    normalize_on: str = "recent"      # recent | labelled: the clips the learned reward is scaled on
    explore_bonus: float = 0.0        # agent's reward += this x ensemble spread, moved to final_bonus by label_until
    final_bonus: float = 0.0          # the spread's weight after label_until (< 0: pessimism)
    final_log_std: float | None = None  # action noise capped down to this from anneal_start to the end (NoiseAnneal)
    anneal_start: float | None = None   # share of training where that cap starts (None: label_until)
    pool_steps: int | None = None     # queries come from the clips of the newest this many steps (None: 3000 clips)
    label_batches: int = 50           # the budget is asked in about this many batches, each followed by a refit
    seed: int = 0
    progress_bar: bool = False
    tensorboard_dir: str | None = None


def noise_anneal(cfg: RLHFConfig):
    """The NoiseAnneal callback ``final_log_std`` asks for (starting at ``anneal_start``, or where the
    labels end), or None when it is off."""
    if cfg.final_log_std is None:
        return None
    from rlhf_gym.algorithms.noise_anneal import NoiseAnneal

    return NoiseAnneal(cfg.final_log_std, start=cfg.label_until if cfg.anneal_start is None else cfg.anneal_start)


AGENTS = ("ppo", "a2c", "sac")


def make_agent(algo: str, venv, seed: int, agent_kwargs: dict, tensorboard_dir=None):
    from stable_baselines3 import A2C, PPO, SAC

    classes = {"ppo": PPO, "a2c": A2C, "sac": SAC}
    if algo not in classes:
        raise ValueError(f"algo={algo!r}; allowed: {AGENTS}")
    return classes[algo]("MlpPolicy", venv, seed=seed, device="cpu", verbose=0,
                         tensorboard_log=None if tensorboard_dir is None else str(tensorboard_dir), **agent_kwargs)


def make_reward_model(cfg: RLHFConfig, env):
    from gymnasium import spaces

    from rlhf_gym.rewards import RewardModel

    tabular = isinstance(env.observation_space, spaces.Discrete)
    kind = ("linear" if tabular else "mlp") if cfg.reward_kind == "auto" else cfg.reward_kind
    inputs = cfg.reward_inputs or (("next_obs",) if (kind == "linear" and tabular) else ("obs", "action"))
    return RewardModel.for_env(env, kind=kind, inputs=tuple(inputs), hidden_sizes=cfg.hidden_sizes,
                               ensemble_size=cfg.ensemble, output_scale=cfg.reward_scale,
                               input_clip=cfg.reward_input_clip, ignore_obs=tuple(cfg.reward_ignore_obs),
                               member_obs_dropout=cfg.reward_member_obs_dropout,
                               seed=cfg.seed)


def preference_callback(cfg: RLHFConfig, rm, label_store_path=None, total_timesteps: int | None = None):
    """The PreferenceLearningCallback (teacher, trainer, schedule) that ``cfg`` describes."""
    from rlhf_gym.rlhf.callback import PreferenceLearningCallback
    from rlhf_gym.feedback import LabelStore, SyntheticTeacher
    from rlhf_gym.feedback.queries import NEEDS_ENSEMBLE
    from rlhf_gym.rewards import TrainerConfig

    teacher = SyntheticTeacher(np.random.default_rng([cfg.seed, 1]), **cfg.teacher)
    store = None if label_store_path is None else LabelStore(label_store_path)
    query = "random" if (cfg.query in NEEDS_ENSEMBLE and cfg.ensemble < 2) else cfg.query  # one member cannot disagree
    trainer_config = TrainerConfig(error_rate=cfg.assumed_error_rate, drop_suspect=cfg.drop_suspect,
                                   weight_decay=cfg.reward_weight_decay, input_lasso=cfg.reward_input_lasso)
    return PreferenceLearningCallback(
        rm, teacher, total_labels=cfg.labels, schedule=cfg.schedule, initial_fraction=cfg.initial_fraction,
        label_until=cfg.label_until, segment_length=cfg.segment_length, query=query, label_store=store,
        trainer_config=trainer_config, normalize_on=cfg.normalize_on,
        explore_bonus=cfg.explore_bonus, final_bonus=cfg.final_bonus, pool_steps=cfg.pool_steps,
        label_batches=cfg.label_batches, seed=cfg.seed, total_timesteps=total_timesteps)


def _reward_model_and_venv(cfg: RLHFConfig, seed: int, rm=None):
    """A VecLearnedReward over ``cfg``'s env seeded ``seed``, and its reward model (new unless given)."""
    import gymnasium as gym
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.wrappers import VecLearnedReward

    if rm is None:
        probe = gym.make(cfg.env_id, **cfg.env_kwargs)
        rm = make_reward_model(cfg, probe)
        probe.close()
    return rm, VecLearnedReward(make_vec_env(cfg.env_id, n_envs=cfg.n_envs, seed=seed, env_kwargs=cfg.env_kwargs), rm)


def run_rlhf(cfg: RLHFConfig, label_store_path: str | Path | None = None, extra_callbacks=None):
    """Train ``cfg.algo`` on a reward learned online from a synthetic teacher.

    ``extra_callbacks(preference_callback) -> [BaseCallback, ...]`` adds callbacks that run
    after the preference callback (diagnostics, logging). Returns (agent, reward_model,
    callback, seconds)."""
    started = time.perf_counter()
    rm, venv = _reward_model_and_venv(cfg, cfg.seed)
    agent = make_agent(cfg.algo, venv, cfg.seed, cfg.agent_kwargs, cfg.tensorboard_dir)
    cb = preference_callback(cfg, rm, label_store_path)
    callbacks = [cb, *(extra_callbacks(cb) if extra_callbacks is not None else [])]
    anneal = noise_anneal(cfg)
    if anneal is not None:
        callbacks.append(anneal)
    agent.learn(cfg.steps, callback=callbacks if len(callbacks) > 1 else cb, progress_bar=cfg.progress_bar,
                tb_log_name="rlhf")
    venv.close()
    return agent, rm, cb, time.perf_counter() - started


def run_rlhf_population(cfg: RLHFConfig, n_agents: int, turn_rollouts: int = 10, pick_episodes: int = 5):
    """``n_agents`` agents (seeds cfg.seed, cfg.seed + 1000, ...) share one reward model and query pool,
    ``cfg.steps // n_agents`` steps each in turns of ``turn_rollouts`` rollouts; the agent kept is the one
    with the highest learned return over ``pick_episodes`` deterministic episodes of the training env.

    Returns (agents, learned_returns, kept_index, reward_model, lead_callback, feeders, seconds)."""
    from rlhf_gym.algorithms.rlhf_population import ClipFeeder, learn_in_turns, learned_returns

    if isinstance(n_agents, bool) or not isinstance(n_agents, int) or n_agents < 2:
        raise ValueError(f"n_agents={n_agents!r}; allowed: an integer >= 2 (one agent: run_rlhf)")
    if cfg.algo not in ("ppo", "a2c"):
        raise ValueError(f"run_rlhf_population: algo={cfg.algo!r}; allowed: ppo, a2c (turns of whole rollouts)")
    if cfg.final_log_std is not None:
        raise ValueError("run_rlhf_population: final_log_std is set; allowed: None (NoiseAnneal spans one learn() call)")
    started = time.perf_counter()
    steps = cfg.steps // n_agents
    rm, agents, venvs = None, [], []
    for k in range(n_agents):
        rm, venv = _reward_model_and_venv(cfg, cfg.seed + 1000 * k, rm)
        venvs.append(venv)
        agents.append(make_agent(cfg.algo, venv, cfg.seed + 1000 * k, cfg.agent_kwargs, cfg.tensorboard_dir))
    lead = preference_callback(cfg, rm, total_timesteps=steps)
    feeders = [ClipFeeder(lead, seed=cfg.seed + 1000 * k) for k in range(1, n_agents)]
    rollout = agents[0].n_steps * cfg.n_envs
    learn_in_turns(agents, [lead, *feeders], steps, turn_rollouts * rollout)
    for venv in venvs:
        venv.close()
    learned = learned_returns(agents, rm, cfg.env_id, cfg.env_kwargs, pick_episodes, 30_000 + cfg.seed)
    return agents, learned, int(np.argmax(learned)), rm, lead, feeders, time.perf_counter() - started


def run_true_reward(cfg: RLHFConfig):
    """The same agent and settings trained on the env's own reward; returns (agent, seconds)."""
    from stable_baselines3.common.env_util import make_vec_env

    started = time.perf_counter()
    venv = make_vec_env(cfg.env_id, n_envs=cfg.n_envs, seed=cfg.seed, env_kwargs=cfg.env_kwargs)
    agent = make_agent(cfg.algo, venv, cfg.seed, cfg.agent_kwargs, cfg.tensorboard_dir)
    agent.learn(cfg.steps, progress_bar=cfg.progress_bar, tb_log_name="true_reward")
    venv.close()
    return agent, time.perf_counter() - started


def finite_metrics(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and math.isfinite(v)}
