"""The three-step RLHF pipeline on ChatResponse-v0, plus DPO, each step a function.

(1) SFT: behavioural cloning (``algorithms.bc.train_bc``) of a PPO model's policy on the
demonstrator's replies; (2) a reward model fitted to the training labeller's comparisons of pairs
of SFT replies; (3) unchanged SB3 PPO, started from the SFT weights, on the learned reward of each
finished reply (``VecLearnedReward``) minus ``beta`` times the per-token log-ratio to the frozen SFT
policy (``KLPenaltyCallback``); and DPO (``algorithms.dpo``) on the same comparisons with the SFT
policy as reference. Everything trains on the 21 training prompts only; ``evaluate`` judges on the
7 held-out prompts with a held-out labeller (same hidden preference, its own noise).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from rlhf_gym.chat.kl_callback import KLPenaltyCallback, check_beta
from rlhf_gym.chat.replies import reply_kl, reply_steps, sample_replies
from rlhf_gym.chat.reward_model import ReplyReward, ReplyRewardModel, fit_reward_model
from rlhf_gym.envs.chat import ChatResponseEnv, Demonstrator, Labeller, true_score
from rlhf_gym.envs.chat.preference import word_mask
from rlhf_gym.envs.chat.vocabulary import prompt_ids, text

ARMS = ("sft", "rlhf_kl", "rlhf_no_kl", "dpo")


@dataclass
class ChatConfig:
    seed: int = 0
    """seeds every generator of the run (demos, labels, PPO, evaluation)"""
    n_demos: int = 2000
    """demonstrated replies for supervised fine-tuning"""
    sft_epochs: int = 40
    """behavioural-cloning epochs"""
    n_pairs: int = 1000
    """labelled comparisons (reward model and DPO)"""
    rm_epochs: int = 200
    """reward-model epochs"""
    ppo_steps: int = 60_000
    """PPO tokens (env steps) per RLHF arm"""
    beta: float = 0.3
    """weight of the per-token KL penalty of the rlhf_kl arm"""
    dpo_beta: float = 0.1
    """DPO's beta (its implicit KL weight)"""
    dpo_epochs: int = 20
    """DPO epochs over the comparisons"""
    dpo_label_smoothing: float = 0.1
    """conservative DPO: the assumed rate of wrong labels"""
    dpo_learning_rate: float = 1e-3
    """DPO's Adam step size"""
    n_eval: int = 4000
    """held-out comparisons per arm"""
    labeller_temperature: float = 0.5
    """the labellers' Bradley-Terry noise"""

    def __post_init__(self) -> None:
        for name in ("n_demos", "sft_epochs", "n_pairs", "rm_epochs", "ppo_steps", "dpo_epochs", "n_eval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}={value!r}; allowed: an integer >= 1")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ValueError(f"seed={self.seed!r}; allowed: an integer >= 0")
        check_beta(self.beta)
        if isinstance(self.dpo_label_smoothing, bool) or not isinstance(self.dpo_label_smoothing, (int, float)) \
                or not 0 <= self.dpo_label_smoothing < 0.5:
            raise ValueError(f"dpo_label_smoothing={self.dpo_label_smoothing!r}; allowed: a number in [0, 0.5)")
        for name in ("dpo_beta", "dpo_learning_rate", "labeller_temperature"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r}; allowed: a finite number > 0")


def rng_for(cfg: ChatConfig, stream: int) -> np.random.Generator:
    """One independent generator per use, all from the run's seed."""
    return np.random.default_rng([cfg.seed, stream])


def make_agent(cfg: ChatConfig, reward_model: ReplyRewardModel | None = None):
    """A PPO agent on the training prompts; with a reward model, it trains on the learned reward."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.wrappers import VecLearnedReward

    venv = make_vec_env(ChatResponseEnv, n_envs=16, seed=cfg.seed, env_kwargs={"prompts": "train"})
    if reward_model is not None:
        venv = VecLearnedReward(venv, ReplyReward(reward_model))
    return PPO("MlpPolicy", venv, n_steps=64, batch_size=256, n_epochs=4, learning_rate=3e-4, gamma=1.0,
               gae_lambda=0.95, seed=cfg.seed, device="cpu")


def train_sft(cfg: ChatConfig):
    """Step 1: a PPO model whose policy is behaviour-cloned on the demonstrator's replies."""
    from rlhf_gym.algorithms.bc import train_bc

    rng = rng_for(cfg, 1)
    prompts = rng.choice(prompt_ids("train"), cfg.n_demos)
    demos = reply_steps(prompts, Demonstrator().write(prompts, rng))
    model = make_agent(cfg)
    train_bc(model, demos.obs, demos.actions, n_epochs=cfg.sft_epochs, batch_size=256, learning_rate=3e-3, rng=rng)
    return model


def frozen(policy):
    """A copy of ``policy`` that no optimiser touches (the SFT reference)."""
    ref = copy.deepcopy(policy)
    ref.set_training_mode(False)
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref


def collect_preferences(cfg: ChatConfig, sft_policy) -> dict:
    """Pairs of SFT replies to training prompts, labelled by the training labeller."""
    rng = rng_for(cfg, 2)
    prompts = rng.choice(prompt_ids("train"), cfg.n_pairs)
    first, second = sample_replies(sft_policy, prompts, rng), sample_replies(sft_policy, prompts, rng)
    labels = Labeller(seed=int(rng.integers(2**31)), temperature=cfg.labeller_temperature).compare(prompts, first, second)
    won = labels[:, None] == 1.0
    return {"prompts": prompts, "first": first, "second": second, "labels": labels,
            "chosen": np.where(won, first, second), "rejected": np.where(won, second, first)}


def fit_reward(cfg: ChatConfig, prefs: dict, sft_policy) -> ReplyRewardModel:
    """Step 2: the Bradley–Terry reward model, offset so that SFT replies score 0 on average."""
    rng = rng_for(cfg, 3)
    rm = fit_reward_model(prefs["prompts"], prefs["first"], prefs["second"], prefs["labels"], rng,
                          n_epochs=cfg.rm_epochs)
    prompts = rng.choice(prompt_ids("train"), 2000)
    rm.offset = float(rm.score(prompts, sample_replies(sft_policy, prompts, rng)).mean())
    return rm


def train_rlhf(cfg: ChatConfig, sft_model, rm: ReplyRewardModel, beta: float):
    """Step 3: PPO from the SFT weights on the learned reward minus ``beta`` x the per-token KL to SFT."""
    model = make_agent(cfg, rm)
    model.policy.load_state_dict(sft_model.policy.state_dict())
    callback = KLPenaltyCallback(frozen(sft_model.policy), check_beta(beta))
    model.learn(cfg.ppo_steps, callback=callback)
    return model.policy


def train_dpo_arm(cfg: ChatConfig, sft_policy, prefs: dict):
    """DPO on the same comparisons, from and against the SFT policy."""
    from rlhf_gym.algorithms.dpo import train_dpo

    policy = copy.deepcopy(sft_policy)
    for p in policy.parameters():
        p.requires_grad_(True)
    chosen, rejected = reply_steps(prefs["prompts"], prefs["chosen"]), reply_steps(prefs["prompts"], prefs["rejected"])
    train_dpo(policy, sft_policy, chosen, rejected, beta=cfg.dpo_beta, label_smoothing=cfg.dpo_label_smoothing,
              n_epochs=cfg.dpo_epochs, batch_size=64, learning_rate=cfg.dpo_learning_rate, rng=rng_for(cfg, 4))
    return policy


def evaluate(cfg: ChatConfig, policy, sft_policy, rm: ReplyRewardModel, stream: int = 5) -> dict:
    """The held-out labeller's judgement of ``policy``'s replies against fresh SFT replies, held-out prompts."""
    rng = rng_for(cfg, stream)
    prompts = rng.choice(prompt_ids("held_out"), cfg.n_eval)
    mine, theirs = sample_replies(policy, prompts, rng), sample_replies(sft_policy, prompts, rng)
    held_out = Labeller(seed=int(rng_for(cfg, 99).integers(2**31)), temperature=cfg.labeller_temperature)
    return {
        "win_rate_vs_sft": float(held_out.compare(prompts, mine, theirs).mean()),
        "learned_reward_mean": float(rm.score(prompts, mine).mean()),
        "kl_to_sft_mean": float(reply_kl(policy, sft_policy, prompts, mine).mean()),
        "true_score_mean": float(true_score(prompts, mine).mean()),
        "words_mean": float(word_mask(mine).sum(axis=1).mean()),
        "examples": [text(p, t) for p, t in zip(prompts[:3], mine[:3])],
    }


class _Laps:
    """Seconds per stage, printed as they finish."""

    def __init__(self, log) -> None:
        import time

        self.seconds, self.log, self._time = {}, log, time.perf_counter
        self.clock = self._time()

    def __call__(self, name: str) -> None:
        now = self._time()
        self.seconds[name] = round(now - self.clock, 2)
        self.clock = now
        self.log(f"  {name}: {self.seconds[name]:.1f} s")


def prepare(cfg: ChatConfig, lap) -> tuple:
    """Steps 1 and 2: (the SFT model, its frozen policy, the labelled comparisons, the reward model)."""
    torch.set_num_threads(1)
    sft_model = train_sft(cfg)
    sft = frozen(sft_model.policy)
    lap("sft")
    prefs = collect_preferences(cfg, sft)
    rm = fit_reward(cfg, prefs, sft)
    lap("reward_model")
    return sft_model, sft, prefs, rm


def run_pipeline(cfg: ChatConfig, arms=ARMS, log=print) -> dict:
    """The arms asked for; returns ``{"arms": {name: evaluate(...)}, "seconds": {...}, ...}``."""
    bad = [a for a in arms if a not in ARMS]
    if bad or not arms:
        raise ValueError(f"arms={list(arms)!r}; allowed: a non-empty subset of {list(ARMS)}")
    lap = _Laps(log)
    sft_model, sft, prefs, rm = prepare(cfg, lap)
    policies = {"sft": sft}
    if "rlhf_kl" in arms:
        policies["rlhf_kl"] = train_rlhf(cfg, sft_model, rm, cfg.beta)
        lap("rlhf_kl")
    if "rlhf_no_kl" in arms:
        policies["rlhf_no_kl"] = train_rlhf(cfg, sft_model, rm, 0.0)
        lap("rlhf_no_kl")
    if "dpo" in arms:
        policies["dpo"] = train_dpo_arm(cfg, sft, prefs)
        lap("dpo")
    results = {name: evaluate(cfg, policies[name], sft, rm) for name in ARMS if name in policies}
    lap("evaluation")
    return {"arms": results, "seconds": lap.seconds, "labels_used": cfg.n_pairs, "config": dataclasses.asdict(cfg)}


def beta_sweep(cfg: ChatConfig, betas, log=print) -> dict:
    """PPO with each KL weight in ``betas`` from the same SFT model and reward model: the trade-off."""
    betas = [check_beta(b) for b in betas]
    if not betas:
        raise ValueError("betas=[]; allowed: one or more numbers >= 0")
    lap = _Laps(log)
    sft_model, sft, _, rm = prepare(cfg, lap)
    rows = []
    for beta in betas:
        row = evaluate(cfg, train_rlhf(cfg, sft_model, rm, beta), sft, rm)
        rows.append({"beta": beta, **row})
        lap(f"beta={beta:g}")
    return {"sweep": rows, "seconds": lap.seconds, "config": dataclasses.asdict(cfg)}
