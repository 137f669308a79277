"""Reward models: tabular / linear-in-features / MLP, as an ensemble of K members.

Why one class for all of them: a single member is an ensemble of one, a table is a
linear model over one-hot states, so the trainer, the wrappers, query selection and
save/load see one interface. A ``RewardModel`` is itself a ``reward_fn``:
``model(obs, actions, next_obs, dones) -> np.ndarray`` of per-step rewards, the
members' outputs each normalised (zero mean, unit std on recent data) then averaged.
"""

from __future__ import annotations

import numpy as np
import torch
from gymnasium import spaces
from torch import nn

from rlhf_gym.rewards.encoding import ALLOWED_INPUTS, encode_np, encoded_size

INPUT_TRANSFORMS = ("none", "symlog")
from rlhf_gym.rewards.numpy_net import NumpyNet

KINDS = ("linear", "mlp")


def _init_linear(layer: nn.Linear, gen: torch.Generator, zero: bool) -> None:
    """Seeded init (uniform +-1/sqrt(fan_in), like torch's default) without the global RNG."""
    with torch.no_grad():
        if zero:
            layer.weight.zero_()
        else:
            bound = 1.0 / np.sqrt(layer.in_features)
            layer.weight.copy_((torch.rand(layer.weight.shape, generator=gen) * 2 - 1) * bound)
        layer.bias.zero_()


class RewardNet(nn.Module):
    """K members mapping encoded inputs (N, D) to raw rewards (K, N); holds the
    normalisation statistics as buffers so they are saved with the weights."""

    def __init__(self, in_dim: int, kind: str, hidden_sizes: tuple[int, ...], ensemble_size: int, seed: int,
                 input_clip: float | None = None):
        super().__init__()
        self.input_clip = input_clip
        gen = torch.Generator().manual_seed(int(seed))
        members = []
        for _ in range(ensemble_size):
            if kind == "linear":
                layer = nn.Linear(in_dim, 1)
                # Zero start is fine for a convex loss; bootstrapped data makes members differ.
                _init_linear(layer, gen, zero=ensemble_size == 1)
                members.append(layer)
            else:
                layers, d = [], in_dim
                for h in hidden_sizes:
                    lin = nn.Linear(d, h)
                    _init_linear(lin, gen, zero=False)
                    layers += [lin, nn.LeakyReLU(0.01)]
                    d = h
                out = nn.Linear(d, 1)
                _init_linear(out, gen, zero=False)
                members.append(nn.Sequential(*layers, out))
        self.members = nn.ModuleList(members)
        self.register_buffer("in_mean", torch.zeros(in_dim))
        self.register_buffer("in_std", torch.ones(in_dim))
        self.register_buffer("out_mean", torch.zeros(ensemble_size))
        self.register_buffer("out_std", torch.ones(ensemble_size))

    def standardize(self, x: torch.Tensor) -> torch.Tensor:
        """Encoded inputs as the members see them: standardised, then clipped if ``input_clip``."""
        z = (x - self.in_mean) / self.in_std
        return z if self.input_clip is None else z.clamp(-self.input_clip, self.input_clip)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.standardize(x)
        return torch.stack([m(z).squeeze(-1) for m in self.members])


class RewardModel:
    """A learned reward over (obs[, action][, next_obs]) for one env's spaces.

    Args:
        observation_space, action_space: the env's spaces (Box or Discrete).
        kind: "linear" (a table for Discrete obs, or linear in ``features``) or "mlp".
        inputs: which of "obs", "action", "next_obs", "obs_change" (next_obs - obs, Box only:
            rewards for progress are plain in it) the reward reads.
        hidden_sizes: MLP layer widths.
        ensemble_size: K bootstrapped members (K >= 2 enables disagreement queries).
        features: optional (n_states, K) matrix; a Discrete obs s is encoded as features[s].
        normalize_inputs: standardise inputs on training data (default: True for mlp).
        ignore_obs: flat indices of observation entries the reward does not read (set to 0 in
            obs, next_obs and obs_change; Box only). Why: a clock in the observation (Backflip's
            time_fraction) cannot be priced from comparisons of whole fixed-horizon episodes --
            every clip holds every tick, so what the net makes of it is arbitrary -- and the
            agent would optimise that arbitrary part too.
        input_clip: clip standardised inputs to [-c, c]. Why: an input that is almost constant
            in the labelled clips (a flag that flips once per episode) gets a tiny std, so a
            state no label covered reaches the net as a 50-sigma input and its reward
            extrapolates wildly; clipping caps how far any unseen state can go.
        input_transform: "none" or "symlog" (sign(x) * log(1 + |x|) on every encoded input, before the
            standardisation). Why: an observation whose range explodes in states that do not matter
            (fixed-horizon CartPole's pole angle spins to hundreds of radians after a fall) sets a
            standard deviation that squeezes the states that do matter (the +-0.2 rad the pole
            counts as up) into a sliver no net resolves from a few labels; symlog keeps small
            values as they are and compresses only the large ones (Hafner et al. 2023, DreamerV3).
        output_scale: per-step std of the normalised reward (Christiano: 1). Why not always 1:
            PPO clips its gradient norm, so a reward far larger than the task's own makes
            the value loss swamp the policy's update (Backflip's true reward x20 fails too).
        seed: seeds weight initialisation (a private torch.Generator).
    """

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        kind: str = "mlp",
        inputs: tuple[str, ...] = ("obs", "action"),
        hidden_sizes: tuple[int, ...] = (64, 64),
        ensemble_size: int = 1,
        features: np.ndarray | None = None,
        normalize_inputs: bool | None = None,
        output_scale: float = 1.0,
        input_clip: float | None = None,
        ignore_obs: tuple[int, ...] = (),
        seed: int = 0,
        input_transform: str = "none",
    ):
        if kind not in KINDS:
            raise ValueError(f"RewardModel: kind={kind!r}; allowed: {KINDS}")
        inputs = tuple(inputs)
        if not inputs or any(i not in ALLOWED_INPUTS for i in inputs) or len(set(inputs)) != len(inputs):
            raise ValueError(f"RewardModel: inputs={inputs!r}; allowed: a non-empty subset of {ALLOWED_INPUTS}")
        if not isinstance(ensemble_size, (int, np.integer)) or ensemble_size < 1:
            raise ValueError(f"RewardModel: ensemble_size={ensemble_size!r}; allowed: an integer >= 1")
        hidden_sizes = tuple(int(h) for h in hidden_sizes)
        if any(h < 1 for h in hidden_sizes):
            raise ValueError(f"RewardModel: hidden_sizes={hidden_sizes!r}; allowed: positive integers")
        for name, sp in (("observation_space", observation_space), ("action_space", action_space)):
            if not isinstance(sp, (spaces.Box, spaces.Discrete)):
                raise ValueError(f"RewardModel: {name}={sp!r}; allowed: gymnasium Box or Discrete")
        if isinstance(output_scale, bool) or not isinstance(output_scale, (int, float)) or not output_scale > 0:
            raise ValueError(f"RewardModel: output_scale={output_scale!r}; allowed: a float > 0")
        if input_clip is not None and (isinstance(input_clip, bool) or not isinstance(input_clip, (int, float))
                                       or not input_clip > 0):
            raise ValueError(f"RewardModel: input_clip={input_clip!r}; allowed: None or a float > 0")
        if input_transform not in INPUT_TRANSFORMS:
            raise ValueError(f"RewardModel: input_transform={input_transform!r}; allowed: {', '.join(INPUT_TRANSFORMS)}")
        self.input_transform = input_transform
        if "obs_change" in inputs and not isinstance(observation_space, spaces.Box):
            raise ValueError(f"RewardModel: inputs={inputs!r} with observation_space={observation_space}; "
                             "allowed: 'obs_change' only for a Box observation space")
        ignore_obs = tuple(ignore_obs)
        n_obs = int(np.prod(observation_space.shape)) if isinstance(observation_space, spaces.Box) else 0
        if ignore_obs and not isinstance(observation_space, spaces.Box):
            raise ValueError(f"RewardModel: ignore_obs={ignore_obs!r} with observation_space={observation_space}; "
                             "allowed: only for a Box observation space")
        if ignore_obs and (len(set(ignore_obs)) != len(ignore_obs)
                           or any(isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n_obs
                                  for i in ignore_obs)):
            raise ValueError(f"RewardModel: ignore_obs={ignore_obs!r}; allowed: distinct flat indices "
                             f"0..{n_obs - 1} of the observation")
        self.ignore_obs = tuple(int(i) for i in ignore_obs)
        self._keep_obs = np.ones(n_obs, np.float32)
        self._keep_obs[list(self.ignore_obs)] = 0.0
        self.features = None
        if features is not None:
            feats = np.asarray(features, dtype=np.float32)
            if not isinstance(observation_space, spaces.Discrete) or feats.ndim != 2 or feats.shape[0] != observation_space.n:
                raise ValueError(
                    f"RewardModel: features of shape {feats.shape} with observation_space={observation_space}; "
                    "allowed: a (n_states, K) matrix for a Discrete observation space"
                )
            self.features = torch.from_numpy(feats)
        self.observation_space, self.action_space = observation_space, action_space
        self.kind, self.inputs, self.hidden_sizes = kind, inputs, hidden_sizes
        self.ensemble_size, self.seed = int(ensemble_size), int(seed)
        self.normalize_inputs = (kind == "mlp") if normalize_inputs is None else bool(normalize_inputs)
        self.output_scale = float(output_scale)
        self.in_dim = sum(self._part_size(i) for i in inputs)
        self.input_clip = None if input_clip is None else float(input_clip)
        self.net = RewardNet(self.in_dim, kind, hidden_sizes, self.ensemble_size, seed, self.input_clip)

    # ---- construction helpers -------------------------------------------------
    @classmethod
    def for_env(cls, env, **kwargs) -> "RewardModel":
        """Build for a gym env or SB3 VecEnv (reads its observation/action spaces)."""
        return cls(env.observation_space, env.action_space, **kwargs)

    def config(self) -> dict:
        """Everything but the weights, as JSON-able data (see rewards.io)."""
        from rlhf_gym.data.spaces import space_to_config

        return {
            "kind": self.kind,
            "inputs": list(self.inputs),
            "hidden_sizes": list(self.hidden_sizes),
            "ensemble_size": self.ensemble_size,
            "normalize_inputs": self.normalize_inputs,
            "output_scale": self.output_scale,
            "input_clip": self.input_clip,
            "ignore_obs": list(self.ignore_obs),
            "input_transform": self.input_transform,
            "has_features": self.features is not None,
            "seed": self.seed,
            "observation_space": space_to_config(self.observation_space, "observation_space"),
            "action_space": space_to_config(self.action_space, "action_space"),
        }

    def _part_size(self, part: str) -> int:
        if part == "action":
            return encoded_size(self.action_space)
        return encoded_size(self.observation_space, self.features)

    # ---- evaluation -------------------------------------------------------------
    def encode_np(self, obs, actions, next_obs) -> np.ndarray:
        """Encode a flat batch of N transitions as (N, in_dim) float32."""
        feats = None if self.features is None else self.features.numpy()  # a view, no copy
        encoded = {}  # each observation batch is encoded once, though two inputs may read it
        parts = []
        for part in self.inputs:
            if part == "action":
                parts.append(encode_np(self.action_space, actions))
                continue
            for name in ("obs", "next_obs") if part == "obs_change" else (part,):
                if name not in encoded:
                    encoded[name] = self._obs_np(obs if name == "obs" else next_obs, feats)
            parts.append(encoded["next_obs"] - encoded["obs"] if part == "obs_change" else encoded[part])
        if len(parts) == 1:
            x = parts[0]
        else:
            if len({p.shape[0] for p in parts}) != 1:
                raise ValueError(f"reward model: inputs have different batch sizes {sorted({p.shape[0] for p in parts})}")
            x = np.concatenate(parts, axis=1)
        if self.input_transform == "symlog":
            return np.copysign(np.log1p(np.abs(x)), x)  # a new array: x may be a view of the caller's batch
        return x

    def _obs_np(self, obs, feats=None) -> np.ndarray:
        """Encoded observations with the ``ignore_obs`` entries zeroed."""
        x = encode_np(self.observation_space, obs, feats)
        if self.ignore_obs:
            x = x * self._keep_obs  # a copy: a Box batch may be a view of the caller's observations
        return x

    def encode(self, obs, actions, next_obs) -> torch.Tensor:
        """As :meth:`encode_np`, as a torch tensor (for training)."""
        return torch.from_numpy(np.ascontiguousarray(self.encode_np(obs, actions, next_obs)))

    def _numpy_net(self) -> NumpyNet:
        """The weights as a fused numpy copy (rewards/numpy_net.py), rebuilt whenever a tensor changed."""
        if getattr(self, "_tensors_of", None) is not self.net:
            self._tensors = [*self.net.parameters(), *self.net.buffers()]
            self._tensors_of = self.net
        key = tuple([t._version for t in self._tensors])
        if getattr(self, "_np_key", None) != key:
            self._np_cache = NumpyNet(self.net.state_dict(), self.kind, len(self.hidden_sizes),
                                      self.ensemble_size, self.input_clip)
            self._np_key = key
        return self._np_cache

    def member_rewards(self, obs, actions, next_obs, normalized: bool = True) -> np.ndarray:
        """Per-member rewards, shape (K, N)."""
        return self._numpy_net().members(self.encode_np(obs, actions, next_obs), normalized)

    def __call__(self, obs, actions, next_obs, dones=None) -> np.ndarray:
        """The reward_fn interface: per-step learned rewards (N,) as float32 (the normalised members' mean)."""
        return self._numpy_net().mean(self.encode_np(obs, actions, next_obs))

    def segment_returns(self, batch: dict[str, np.ndarray], normalized: bool = False) -> np.ndarray:
        """Learned returns of stacked clips (N, H, ...) per member, (K, N); padded steps count 0 and are
        not evaluated (clips of episodes that ended early are mostly padding)."""
        n, h = batch["valid"].shape
        valid = batch["valid"].reshape(-1)
        keep = valid > 0
        flat = {k: batch[k].reshape((n * h,) + batch[k].shape[2:]) for k in ("obs", "actions", "next_obs")}
        if keep.all():
            r = self.member_rewards(flat["obs"], flat["actions"], flat["next_obs"], normalized=normalized)
            return (r.reshape(self.ensemble_size, n, h) * batch["valid"][None]).sum(axis=2)
        r = self.member_rewards(*(flat[k][keep] for k in ("obs", "actions", "next_obs")), normalized=normalized)
        clip = np.repeat(np.arange(n), h)[keep]
        return np.stack([np.bincount(clip, weights=rk * valid[keep], minlength=n) for rk in r])

    def fit_output_normalization(self, batch: dict[str, np.ndarray]) -> None:
        """Set each member's output to zero mean, std ``output_scale`` over the valid steps of ``batch``.

        When ``batch`` holds padded (absorbing) steps, episodes can end early and the
        learned reward's zero is the absorbing state's: shifting it would make dying
        look better or worse than it is, so then only the scale (RMS) is normalised."""
        n, h = batch["valid"].shape
        mask = batch["valid"].reshape(-1)
        flat = {k: batch[k].reshape((n * h,) + batch[k].shape[2:])[mask] for k in ("obs", "actions", "next_obs")}
        raw = self.member_rewards(flat["obs"], flat["actions"], flat["next_obs"], normalized=False)
        mean = raw.mean(axis=1) if mask.all() else np.zeros(len(raw))
        std = np.sqrt(((raw - mean[:, None]) ** 2).mean(axis=1))  # RMS about the kept zero
        self.net.out_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        std = np.where(std > 1e-8, std, 1.0) / self.output_scale
        self.net.out_std.copy_(torch.as_tensor(std, dtype=torch.float32))

    def fit_input_normalization(self, encoded: torch.Tensor) -> None:
        """Standardise inputs on (N, in_dim) encoded data; constant columns keep std 1."""
        if not self.normalize_inputs:
            return
        std = encoded.std(dim=0)
        self.net.in_mean.copy_(encoded.mean(dim=0))
        self.net.in_std.copy_(torch.where(std > 1e-6, std, torch.ones_like(std)))

    def check_env(self, env) -> None:
        """Raise ValueError if this model was built for other spaces than ``env``'s."""
        from rlhf_gym.data.spaces import spaces_match

        for name in ("observation_space", "action_space"):
            mine, theirs = getattr(self, name), getattr(env, name)
            if not spaces_match(mine, theirs):
                raise ValueError(
                    f"reward model: built for {name}={mine}, but the env has {name}={theirs}; "
                    "allowed: a reward model made for this env's spaces"
                )
