"""Named recipes: the whole setting of a run for one env (agent, reward model, teacher, label
schedule, reward fit, env kwargs for training), written once and read by the demo, the CLI, the
baselines and the tests.

Why data, not code paths: a recipe that lives in one table cannot drift between the places that
run it (RL Baselines3 Zoo's ``hyperparams/*.yml``, imitation's ``tuned_hps``). A preset is a
partial ``RLHFConfig`` over its defaults; ``rlhf-gym train --set key=value`` overrides one key.
The number after each preset is what it measured, with the command, in docs/results.md.
"""

from __future__ import annotations

import copy

from rlhf_gym.rlhf.config import AgentConfig, RLHFConfig, from_dict

_GRID_PPO = dict(n_steps=128, batch_size=128, n_epochs=8, gamma=0.99, ent_coef=0.01, learning_rate=1e-3)
_BACKFLIP_PPO = dict(n_steps=256, batch_size=256, n_epochs=10, gamma=0.99, gae_lambda=0.95, ent_coef=0.0,
                     learning_rate=6e-4)



def _backflip_preferences(labels: int) -> dict:
    """The Backflip benchmark's preference settings: a teacher who errs 10% judges whole episodes,
    labels asked evenly over the first half of training, an ensemble over (obs, obs change) with an
    exploration bonus (docs/rlhf.md, "Presets")."""
    return {
        "reward": {"inputs": ["obs", "obs_change"], "scale": 0.1, "input_clip": 5.0, "explore_bonus": 1.0,
                   "normalize_on": "labelled"},
        "teacher": {"error_rate": 0.1},
        "schedule": {"labels": labels, "kind": "constant", "initial_fraction": 0.1, "label_until": 0.5,
                     "label_batches": 25, "segment_length": 200},
        "trainer": {"assumed_error_rate": 0.1},
    }


# name -> (one line for `rlhf-gym presets`, partial RLHFConfig). The first preset of an env id is its default.
PRESETS: dict[str, tuple[str, dict]] = {
    "gridworld": ("GridWorld: PPO 20k steps, a reward table over the next state, 300 exact labels", {
        "env_id": "rlhf_gym/GridWorld-v0",
        "agent": {"steps": 20_000, "n_envs": 1, "kwargs": {"n_steps": 512, "batch_size": 64}},
    }),
    "cliffwalk": ("CliffWalk: PPO 40k steps, a reward table over the next state, 300 exact labels", {
        "env_id": "rlhf_gym/CliffWalk-v0", "agent": {"steps": 40_000, "n_envs": 4, "kwargs": _GRID_PPO},
    }),
    "lavamaze": ("LavaMaze: PPO 60k steps, a reward table over the next state, 300 exact labels", {
        "env_id": "rlhf_gym/LavaMaze-v0", "agent": {"steps": 60_000, "n_envs": 4, "kwargs": _GRID_PPO},
    }),
    "objectworld": ("ObjectWorld: PPO 60k steps, a reward linear in the state features, 300 exact labels", {
        "env_id": "rlhf_gym/ObjectWorld-v0", "agent": {"steps": 60_000, "n_envs": 4, "kwargs": _GRID_PPO},
    }),
    "backflip": ("Backflip benchmark: 900 labels of a teacher who errs 10%, whole-episode clips, PPO 3M steps", {
        "env_id": "rlhf_gym/Backflip-v0",
        # Training pays no crash penalty, pays standing more, and ends an episode at a crash; the
        # evaluation (and so success) is on the env as registered (docs/rlhf.md, "Backflip").
        "train_env_kwargs": {"crash_penalty": 0.0, "stand_reward": 0.3, "terminate_on_crash": True},
        "agent": {"steps": 3_000_000, "n_envs": 8, "kwargs": {**_BACKFLIP_PPO, "ent_coef": 0.01}},
        **_backflip_preferences(900),
    }),
    "backflip-demo": ("Backflip, the demo's fast recipe: 900 exact labels, 15-step clips, PPO 500k steps", {
        "env_id": "rlhf_gym/Backflip-v0",
        "agent": {"steps": 500_000, "n_envs": 8, "kwargs": _BACKFLIP_PPO},
        "reward": {"inputs": ["obs", "obs_change"], "scale": 0.1},
        "schedule": {"labels": 900, "initial_fraction": 0.1, "segment_length": 15},
    }),
    "backflip-true": ("Backflip, PPO on the env's own reward: 300k steps (the reference of the benchmark)", {
        "env_id": "rlhf_gym/Backflip-v0",
        "agent": {"steps": 300_000, "n_envs": 8, "kwargs": _BACKFLIP_PPO},
    }),
    "backflip-v1": ("Backflip-v1: PPO 1M steps; with labels, 2 expert episodes first (BC, free pairs), then 300 of a "
                    "teacher who errs 10%, whole-episode clips", {
        "env_id": "rlhf_gym/Backflip-v1",
        "agent": {"steps": 1_000_000, "n_envs": 8, "kwargs": {**_BACKFLIP_PPO, "ent_coef": 0.01}},
        **_backflip_preferences(300),
        # Two expert episodes: cloned into the policy, and "demonstration beats agent clip" in every fit
        # (docs/results.md, "Preferences on Backflip-v1"; BC alone from them succeeds 0.19 of the time).
        "demos": {"episodes": 2, "bc_epochs": 100, "pairs": 100},
    }),
    "cartpole": ("Fixed-horizon CartPole: PPO 100k steps; four expert episodes as free pairs, then 100 exact 30-step "
                 "labels; a reward of the symlog next state", {
        "env_id": "rlhf_gym/FixedHorizonCartPole-v1",
        "agent": {"steps": 100_000, "n_envs": 8, "kwargs": dict(n_steps=256, batch_size=256, n_epochs=10, gamma=0.99,
                                                                 gae_lambda=0.95, learning_rate=1e-3)},
        # symlog: a fallen pole spins to hundreds of radians, which squeezes the upright band in standardised inputs.
        "reward": {"inputs": ["next_obs"], "scale": 0.03, "input_transform": "symlog"},
        # 30-step clips, not 15: an agent that balances for 60 steps then falls shows the fall in more of
        # its clips, so answers can say "stays up longer" (paired on seeds 64-95: 0.96 against 0.89).
        "schedule": {"labels": 100, "initial_fraction": 0.1, "segment_length": 30},
        # Random play's clips are 95% fallen, so most answers are ties; 300 free "expert clip beats agent clip"
        # pairs per fit show upright against fallen (docs/results.md, "Preferences on fixed-horizon CartPole").
        "demos": {"episodes": 4, "pairs": 300},
    }),
    "default": ("Any other gymnasium id: SB3's PPO defaults, 100k steps, 300 exact labels", {}),
}


def names() -> list[str]:
    return list(PRESETS)


def check_name(name: str) -> str:
    if name not in PRESETS:
        raise ValueError(f"--preset: {name!r}; allowed: {', '.join(PRESETS)} (rlhf-gym presets lists them)")
    return name


def for_env(env_id: str) -> str:
    """The name of ``env_id``'s own preset, or "default"."""
    return next((name for name, (_, cfg) in PRESETS.items() if cfg.get("env_id") == env_id), "default")


def load(name: str, env_id: str | None = None) -> RLHFConfig:
    """The preset ``name`` as an RLHFConfig (a fresh copy); ``env_id`` replaces its env (for "default")."""
    data = copy.deepcopy(PRESETS[check_name(name)][1])
    if env_id is not None:
        if data.get("env_id", env_id) != env_id:
            raise ValueError(f"--preset: {name!r} is the recipe of {data['env_id']}, not of {env_id}; "
                             f"allowed for {env_id}: {for_env(env_id)}, default")
        data["env_id"] = env_id
    return from_dict({"preset": name, **data})


def agent_for(env_id: str) -> AgentConfig:
    """The agent settings of ``env_id``'s preset (for runs on the env's own reward)."""
    return load(for_env(env_id), env_id).agent


def summary() -> list[tuple[str, str]]:
    """(name, one line) per preset, for ``rlhf-gym presets``."""
    return [(name, line) for name, (line, _) in PRESETS.items()]
