"""Why one Backflip RLHF run did or did not learn: the learned reward against the true one.

Runs the "backflip" preset (with ``--set`` overrides, as ``rlhf-gym train``) for one seed and
prints, every 20k steps, the labels asked, the reward model's held-out accuracy, the Pearson r
of learned vs true reward on the agent's own transitions and the agent's true return; then the
success rate, the learned vs true return of the scripted expert per phase (before the flip,
flipped, landed), the learned return of the agent's own episodes against the expert's (is the
reward wrong, or PPO?), and the learned ÷ true reward per event type (crash, spin, landing) on
noisy-expert steps. The Backflip diagnoses in docs/log/backflip.md were measured with this.

    python baselines/rlhf_backflip_diagnose.py --seed 1 --set teacher.error_rate=0 --set agent.steps=1000000
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ENV_ID = "rlhf_gym/Backflip-v0"
PHASES = ("before the flip", "flipped, not landed", "landed")


@dataclass
class DiagnoseArgs:
    seed: int = 0
    """the one seed to run"""
    set: list = field(default_factory=list)
    """overrides of the "backflip" preset, KEY=VALUE (as rlhf-gym train --set)"""
    eval_episodes: int = 20
    """evaluation episodes"""
    every: int = 20_000
    """steps between diagnostic rows"""
    out: str = "runs/rlhf_backflip_diagnose"
    """output folder (results.json)"""


def policy_episode(env, policy, seed: int, noise: float = 0.0, rng: np.random.Generator | None = None):
    """(obs, actions, next_obs, true rewards) of one episode of ``policy`` (deterministic: the scripted
    expert or an SB3 agent), with Gaussian action noise ``noise``."""
    obs, _ = env.reset(seed=seed)
    steps = []
    for _ in range(env.unwrapped.horizon):
        act = policy.predict(obs, deterministic=True)[0]
        if noise > 0.0:
            act = np.clip(act + rng.normal(0, noise, 2), -1, 1).astype(np.float32)
        nxt, reward, *_ = env.step(act)
        steps.append((obs, act, nxt, reward))
        obs = nxt
    return tuple(np.asarray(x) for x in zip(*steps))


def noisy_expert_steps(env, expert, n_episodes: int = 30, seed: int = 4000):
    """Steps of the expert with action noise 0.3 / 0.6 / 1.0: episodes that spin, land and crash, so every
    event type shows up."""
    rng = np.random.default_rng(0)
    episodes = [policy_episode(env, expert, seed + k, (0.3, 0.6, 1.0)[k % 3], rng) for k in range(n_episodes)]
    return tuple(np.concatenate(part) for part in zip(*episodes))


def expert_phase_returns(env, expert, reward_model, n_episodes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Mean true and learned return of the (noise-free) expert over the three phases of PHASES."""
    from rlhf_gym.envs.backflip import OBS_INDEX

    true, learned = np.zeros(3), np.zeros(3)
    for k in range(n_episodes):
        o, a, n, r = policy_episode(env, expert, 300 + k)
        phase = np.where(n[:, OBS_INDEX["landed"]] > 0, 2, np.where(n[:, OBS_INDEX["flipped"]] > 0, 1, 0))
        lr = reward_model(o, a, n)
        for p in range(3):
            true[p] += r[phase == p].sum() / n_episodes
            learned[p] += lr[phase == p].sum() / n_episodes
    return true, learned


def _mean_or_nan(parts: list[np.ndarray]) -> float:
    """Mean over the concatenated arrays; NaN when they hold no value (the state never occurred)."""
    values = np.concatenate(parts) if parts else np.zeros(0)
    return float(values.mean()) if values.size else float("nan")


def agent_against_expert(env, policies: dict, reward_model, n_episodes: int = 3) -> dict[str, dict[str, float]]:
    """Per policy (deterministic, ``n_episodes``): mean true and learned return, and the learned reward per
    step after a landing, standing (foot down, within 30 degrees of upright) against airborne.

    Why: it tells a wrong reward from a weak learner. If the agent's own failing episodes earn more
    learned return than the expert's, PPO did its job and the reward is what misleads it."""
    from rlhf_gym.envs.backflip import OBS_INDEX, TOL

    out = {}
    for name, policy in policies.items():
        true = learned = 0.0
        standing, airborne = [], []
        for k in range(n_episodes):
            o, a, n, r = policy_episode(env, policy, 500 + k)
            lr = reward_model(o, a, n)
            true, learned = true + r.sum() / n_episodes, learned + lr.sum() / n_episodes
            after = n[:, OBS_INDEX["landed"]] > 0
            contact = n[:, OBS_INDEX["contact"]] > 0
            upright = np.abs(np.arctan2(n[:, OBS_INDEX["sin_angle"]], n[:, OBS_INDEX["cos_angle"]])) <= TOL
            standing.append(lr[after & contact & upright])
            airborne.append(lr[after & ~contact])
        out[name] = {"true_return": float(true), "learned_return": float(learned),
                     "learned_per_step_standing": _mean_or_nan(standing),
                     "learned_per_step_airborne": _mean_or_nan(airborne)}
    return out


def main(args: DiagnoseArgs) -> None:
    import gymnasium as gym
    import torch

    from rlhf_gym.rlhf.diagnostics import RewardDiagnostics, event_ratios
    from rlhf_gym.rlhf.pipeline import run_rlhf
    from rlhf_gym import presets
    from rlhf_gym.commands.common import print_table
    from rlhf_gym.evaluation import evaluate_true_return
    from rlhf_gym.experts import expert_for
    from rlhf_gym.rewards.io import save_reward_model

    torch.set_num_threads(1)
    cfg = presets.load("backflip").with_overrides([*args.set, f"seed={args.seed}"])
    started = time.time()
    made: list[RewardDiagnostics] = []
    agent, rm, cb, secs = run_rlhf(cfg, extra_callbacks=lambda pref: made.append(RewardDiagnostics(pref, args.every)) or made)
    rows = made[0].rows
    print_table(f"{cfg.teacher.error_rate} teacher error rate, {cfg.schedule.labels} labels, seed {args.seed}: "
                "during training",
                ["step", "labels", "held-out accuracy", "Pearson r (learned, true)", "learned std", "raw scale", "true return"],
                [[r["step"], r["labels"], r["val_accuracy"], r["reward_pearson"], r["learned_std"], r["raw_scale"],
                  r["true_return"]] for r in rows])
    ev = evaluate_true_return(agent, ENV_ID, {}, args.eval_episodes, 10_000 + args.seed)
    env = gym.make(ENV_ID)
    expert = expert_for(env)
    true, learned = expert_phase_returns(env, expert, rm)
    print_table("scripted expert, by phase", ["phase", "true return", "learned return"],
                [[p, float(t), float(lr)] for p, t, lr in zip(PHASES, true, learned)])
    versus = agent_against_expert(gym.make(ENV_ID, **cfg.training_env_kwargs), {"agent": agent, "scripted expert": expert}, rm)
    print_table("the agent's own episodes against the expert's (the run's reward; more learned return for the "
                "agent than for the expert: the reward is wrong, not PPO)",
                ["policy", "true return", "learned return", "learned per step after landing: standing", "airborne"],
                [[k, v["true_return"], v["learned_return"], v["learned_per_step_standing"],
                  v["learned_per_step_airborne"]] for k, v in versus.items()])
    obs, act, nxt, rew = noisy_expert_steps(env, expert)
    events = {"crash": rew <= -1.5, "spin": (rew > 0.02) & (rew < 0.5), "landing": rew >= 1.5}
    ratios = event_ratios(rm, obs, act, nxt, rew, events)
    print_table("learned ÷ true reward per event (1 = priced as the truth; equal values = in proportion)",
                ["event", "steps", "ratio"], [[k, int(events[k].sum()), v] for k, v in ratios.items()])
    judged = cb.judged_clips()
    from rlhf_gym.envs.backflip import STAND_REWARD

    pay = cfg.training_env_kwargs.get("stand_reward", STAND_REWARD)  # a standing step pays this, less a little spin cost
    standing = sum(int(((seg.true_rewards > 0.5 * pay) & (seg.true_rewards < 1.2 * pay)).sum() >= 5) for seg in judged)
    print(f"judged clips: {len(judged)}, of which {standing} show >= 5 steps of standing after a landing")
    print(f"success {ev.get('success_rate', 0.0):.2f}, true return {ev['true_return_mean']:.2f}, {secs:.0f} s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"seed{args.seed}"
    agent.save(out / f"agent_{stem}.zip")
    save_reward_model(rm, out / f"reward_{stem}")
    path = out / f"results_{stem}.json"
    path.write_text(json.dumps({"args": asdict(args), "config": cfg.to_dict(), "evaluation": ev, "during_training": rows,
                                "expert_phases": {"true": true.tolist(), "learned": learned.tolist()},
                                "event_ratios": ratios, "agent_against_expert": versus, "seconds": time.time() - started}, indent=2, default=float))
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, f in DiagnoseArgs.__dataclass_fields__.items():
        if name == "set":
            parser.add_argument("--set", dest="set", action="append", default=[], metavar="KEY=VALUE")
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(f.default), default=f.default)
    main(DiagnoseArgs(**vars(parser.parse_args())))
