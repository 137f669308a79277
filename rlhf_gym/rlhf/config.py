"""The recipe of one preference-learning run, as nested dataclasses that read and write JSON.

Why nested: the agent, the reward model, the teacher, the label schedule and the reward fit are
separate things with separate knobs; grouping them gives every knob one name (``reward.scale``),
shared by the Python API, the presets, ``rlhf-gym train --set`` and each run's ``config.json``.
Why checked here: a key that does not exist or a value of the wrong type is refused with its
dotted name, the value and what is allowed, so nothing a user asked for is silently ignored.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from rlhf_gym.rewards.trainer import TrainerConfig

FORMAT, VERSION = "rlhf_gym.RLHFConfig", 1
ALGOS = ("ppo", "a2c", "sac")
REWARD_KINDS = ("auto", "mlp", "linear")
REWARD_INPUTS = ("obs", "action", "next_obs", "obs_change")
NORMALIZE_ON = ("recent", "labelled")
SCHEDULES = ("hyperbolic", "constant")
QUERIES = ("random", "disagreement", "novelty", "mixed")


@dataclass
class AgentConfig:
    algo: str = "ppo"                 # the SB3 class: ppo | a2c | sac
    steps: int = 100_000              # agent timesteps
    n_envs: int = 4                   # parallel envs (a DummyVecEnv)
    kwargs: dict = field(default_factory=dict)  # SB3 keyword arguments (n_steps, ent_coef, ...)


@dataclass
class RewardConfig:
    kind: str = "auto"                # auto: a table over the next state for Discrete obs, else an MLP
    inputs: list | None = None        # of obs, action, next_obs, obs_change (None: next_obs / obs, action)
    scale: float = 1.0                # per-step std of the learned reward the agent sees
    input_clip: float | None = None   # clip standardised inputs to +-this (caps extrapolation)
    input_transform: str = "none"     # none | symlog: sign(x) log(1 + |x|) before standardising
    ignore: list = field(default_factory=list)  # observation fields the reward does not read (names or indices)
    hidden_sizes: list = field(default_factory=lambda: [64, 64])
    ensemble: int = 3                 # bootstrapped members (>= 2 for disagreement queries)
    explore_bonus: float = 0.0        # agent's reward += this x the members' spread, down to 0 by label_until
    normalize_on: str = "recent"      # the clips the learned reward is scaled on: recent | labelled


@dataclass
class TeacherConfig:
    error_rate: float = 0.0           # share of answers the simulated teacher flips
    beta: float | None = None         # rationality of a Boltzmann teacher (None: exact)
    gamma: float = 1.0                # myopia: discount of a clip's earlier steps


@dataclass
class ScheduleConfig:
    labels: int = 300                 # the label budget (queries asked, skips included)
    kind: str = "hyperbolic"          # hyperbolic (front-loaded) | constant
    initial_fraction: float = 0.25    # share asked about the initial policy's clips
    label_until: float = 0.75         # share of training by which the whole budget is asked
    label_batches: int = 50           # asked in about this many batches, a refit after each
    segment_length: int = 25          # steps per clip
    query: str = "disagreement"       # random | disagreement | novelty | mixed
    pool_steps: int | None = None     # queries come from the clips of the newest this many steps


@dataclass
class DemoConfig:
    episodes: int = 0                 # episodes of the env's scripted expert recorded before training
    bc_epochs: int = 0                # behavioural cloning of them into the agent's policy first (0: none)
    pairs: int = 0                    # free pairs "a demonstration beats an agent clip" in each reward fit


@dataclass
class RLHFConfig:
    """A whole run; ``rlhf_gym.presets.load(name)`` gives a tuned one."""

    env_id: str = "rlhf_gym/GridWorld-v0"
    env_kwargs: dict = field(default_factory=dict)        # the task: training and evaluation
    train_env_kwargs: dict = field(default_factory=dict)  # training only (e.g. how a crash is paid)
    preset: str = "default"
    seed: int = 0
    agent: AgentConfig = field(default_factory=AgentConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    teacher: TeacherConfig = field(default_factory=TeacherConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    demos: DemoConfig = field(default_factory=DemoConfig)

    @property
    def training_env_kwargs(self) -> dict:
        return {**self.env_kwargs, **self.train_env_kwargs}

    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": VERSION, **asdict(self)}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def with_overrides(self, assignments: list[str]) -> "RLHFConfig":
        """A copy with each ``"dotted.key=value"`` applied (value: JSON, or a bare string)."""
        cfg = from_dict(self.to_dict())
        for text in assignments:
            key, sep, raw = text.partition("=")
            if not sep or not key:
                raise ValueError(f"--set: {text!r}; allowed: KEY=VALUE, e.g. reward.scale=0.1")
            set_key(cfg, key.strip(), parse_value(raw.strip()))
        check(cfg)
        return cfg


def parse_value(raw: str) -> Any:
    """``0.1`` -> 0.1, ``[1, 2]`` -> list, ``null`` -> None, ``ppo`` -> "ppo"."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def allowed_keys(obj=None, prefix: str = "") -> list[str]:
    """Every dotted key of a config (``agent.kwargs`` takes any sub-key)."""
    obj = RLHFConfig() if obj is None else obj
    keys = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            keys += allowed_keys(value, f"{prefix}{f.name}.")
        else:
            keys.append(f"{prefix}{f.name}")
    return keys


def set_key(cfg: RLHFConfig, key: str, value: Any) -> None:
    """Set one dotted key, checking that it exists and that ``value`` has its type."""
    for prefix in ("agent.kwargs", "env_kwargs", "train_env_kwargs"):  # free-form dicts take any sub-key
        if key.startswith(prefix + "."):
            owner, _, name = prefix.rpartition(".")
            getattr(cfg.agent if owner else cfg, name)[key[len(prefix) + 1:]] = value
            return
    parts = key.split(".")
    obj = cfg
    for p in parts[:-1]:
        obj = getattr(obj, p, None)
        if not is_dataclass(obj):
            break
    names = {f.name for f in fields(obj)} if is_dataclass(obj) else set()
    if not is_dataclass(obj) or parts[-1] not in names or is_dataclass(getattr(obj, parts[-1])):
        raise ValueError(f"--set: unknown key {key!r}; allowed: {', '.join(allowed_keys())}, agent.kwargs.NAME, "
                         "env_kwargs.NAME, train_env_kwargs.NAME")
    hints = typing.get_type_hints(type(obj))
    setattr(obj, parts[-1], _typed(key, value, hints[parts[-1]]))


def _typed(key: str, value: Any, hint) -> Any:
    """``value`` as type ``hint`` (int, float, str, bool, dict, list, or X | None), or a clear error."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    if value is None and type(None) in options:
        return None
    for t in (o for o in options if o is not type(None)):
        t = typing.get_origin(t) or t
        if t is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if t is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if t is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if t in (str, bool, dict) and isinstance(value, t):
            return value
        if t is list and isinstance(value, (list, tuple)):
            return list(value)
    names = " or ".join("null" if o is type(None) else getattr(typing.get_origin(o) or o, "__name__", str(o))
                        for o in options)
    raise ValueError(f"{key}: {value!r}; allowed: {names}")


def from_dict(data: dict) -> RLHFConfig:
    """An RLHFConfig from ``to_dict``'s output (or a preset's partial dict over the defaults)."""
    if not isinstance(data, dict):
        raise ValueError(f"config: a JSON {type(data).__name__}; allowed: a JSON object")
    data = dict(data)
    fmt, version = data.pop("format", FORMAT), data.pop("version", VERSION)
    if fmt != FORMAT:
        raise ValueError(f"config format: {fmt!r}; allowed: {FORMAT!r}")
    if version != VERSION:
        raise ValueError(f"config version: {version!r}; allowed: {VERSION} (this rlhf_gym reads version {VERSION})")
    cfg = RLHFConfig()
    for key, value in _flatten(data):
        set_key(cfg, key, value)
    return cfg


def _flatten(data: dict, prefix: str = ""):
    sections = {f.name for f in fields(RLHFConfig) if is_dataclass(getattr(RLHFConfig(), f.name))}
    for key, value in data.items():
        if not prefix and key in sections:
            if not isinstance(value, dict):
                raise ValueError(f"{key}: {value!r}; allowed: a JSON object of {key}.* keys")
            for sub, v in value.items():
                yield f"{key}.{sub}", v
        else:
            yield f"{prefix}{key}", value


def load_config(path: str | Path) -> RLHFConfig:
    """Read a run's ``config.json``; every key is checked as ``--set`` checks it."""
    from rlhf_gym.data.json_file import read_json_object

    data = read_json_object(path, "--config", allowed="a config.json written by a run")
    cfg = from_dict(data)
    check(cfg)
    return cfg


def _require(ok: bool, key: str, value: Any, allowed: str) -> None:
    if not ok:
        raise ValueError(f"{key}: {value!r}; allowed: {allowed}")


def check(cfg: RLHFConfig) -> RLHFConfig:
    """Range checks of every setting; the error names the dotted key, the value and what is allowed."""
    a, r, t, s, tr = cfg.agent, cfg.reward, cfg.teacher, cfg.schedule, cfg.trainer
    _require(cfg.seed >= 0, "seed", cfg.seed, "an integer >= 0")
    _require(a.algo in ALGOS, "agent.algo", a.algo, ", ".join(ALGOS))
    _require(a.steps >= 1, "agent.steps", a.steps, "an integer >= 1")
    _require(a.n_envs >= 1, "agent.n_envs", a.n_envs, "an integer >= 1")
    _require(r.kind in REWARD_KINDS, "reward.kind", r.kind, ", ".join(REWARD_KINDS))
    _require(r.inputs is None or (len(r.inputs) > 0 and set(r.inputs) <= set(REWARD_INPUTS)
                                  and len(set(r.inputs)) == len(r.inputs)),
             "reward.inputs", r.inputs, f"null or distinct names of {', '.join(REWARD_INPUTS)}")
    _require(r.scale > 0 and math.isfinite(r.scale), "reward.scale", r.scale, "a number > 0")
    _require(r.input_clip is None or r.input_clip > 0, "reward.input_clip", r.input_clip, "null or a number > 0")
    _require(r.input_transform in ("none", "symlog"), "reward.input_transform", r.input_transform, "none, symlog")
    _require(all(isinstance(h, int) and h >= 1 for h in r.hidden_sizes), "reward.hidden_sizes", r.hidden_sizes,
             "a list of integers >= 1")
    _require(r.ensemble >= 1, "reward.ensemble", r.ensemble, "an integer >= 1")
    _require(r.explore_bonus >= 0 and math.isfinite(r.explore_bonus), "reward.explore_bonus", r.explore_bonus,
             "a number >= 0")
    _require(r.explore_bonus == 0 or r.ensemble >= 2, "reward.explore_bonus", r.explore_bonus,
             f"0 with reward.ensemble {r.ensemble} (a spread needs reward.ensemble >= 2)")
    _require(r.normalize_on in NORMALIZE_ON, "reward.normalize_on", r.normalize_on, ", ".join(NORMALIZE_ON))
    _require(0.0 <= t.error_rate < 0.5, "teacher.error_rate", t.error_rate, "a number in [0, 0.5)")
    _require(t.beta is None or t.beta > 0, "teacher.beta", t.beta, "null (exact) or a number > 0")
    _require(0.0 < t.gamma <= 1.0, "teacher.gamma", t.gamma, "a number in (0, 1]")
    _require(s.labels >= 2, "schedule.labels", s.labels, "an integer >= 2")
    _require(s.kind in SCHEDULES, "schedule.kind", s.kind, ", ".join(SCHEDULES))
    _require(0.0 < s.initial_fraction <= 1.0, "schedule.initial_fraction", s.initial_fraction, "a number in (0, 1]")
    _require(0.0 < s.label_until <= 1.0, "schedule.label_until", s.label_until, "a number in (0, 1]")
    _require(s.label_batches >= 1, "schedule.label_batches", s.label_batches, "an integer >= 1")
    _require(s.segment_length >= 1, "schedule.segment_length", s.segment_length, "an integer >= 1")
    _require(s.query in QUERIES, "schedule.query", s.query, ", ".join(QUERIES))
    _require(s.pool_steps is None or s.pool_steps >= 2 * s.segment_length, "schedule.pool_steps", s.pool_steps,
             f"null or an integer >= 2 x schedule.segment_length ({2 * s.segment_length})")
    _require(0.0 <= tr.assumed_error_rate < 1.0, "trainer.assumed_error_rate", tr.assumed_error_rate,
             "a number in [0, 1)")
    _require(0.0 <= tr.drop_suspect < 0.5, "trainer.drop_suspect", tr.drop_suspect, "a number in [0, 0.5)")
    _require(0.0 <= tr.weight_decay < 1.0, "trainer.weight_decay", tr.weight_decay, "a number in [0, 1)")
    _require(tr.lr is None or tr.lr > 0, "trainer.lr", tr.lr, "null (3e-2 linear, 3e-3 mlp) or a number > 0")
    for name in ("batch_size", "max_epochs", "patience"):
        _require(getattr(tr, name) >= 1, f"trainer.{name}", getattr(tr, name), "an integer >= 1")
    _require(0.0 <= tr.val_fraction < 1.0, "trainer.val_fraction", tr.val_fraction, "a number in [0, 1)")
    d = cfg.demos
    for name in ("episodes", "bc_epochs", "pairs"):
        _require(getattr(d, name) >= 0, f"demos.{name}", getattr(d, name), "an integer >= 0")
    for name in ("bc_epochs", "pairs"):
        _require(getattr(d, name) == 0 or d.episodes > 0, f"demos.{name}", getattr(d, name),
                 "0 with demos.episodes 0 (set demos.episodes to record the expert's episodes)")
    return cfg


__all__ = ["AgentConfig", "DemoConfig", "RLHFConfig", "RewardConfig", "ScheduleConfig", "TeacherConfig", "TrainerConfig",
           "allowed_keys", "check", "from_dict", "load_config", "replace"]
