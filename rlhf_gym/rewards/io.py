"""Saving and loading reward models: safetensors weights + a JSON config.

Why not torch.save: a pickle runs code when loaded, and reward models are files
people pass around. The JSON says what the tensors are; loading checks that the
file really holds that model (every tensor name, shape and dtype) and that every
weight is finite before using it: torch would silently cast float64 or int weights
into the model, and a NaN weight makes every reward NaN.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from rlhf_gym.data.json_file import read_json_object
from rlhf_gym.data.spaces import space_from_config
from rlhf_gym.rewards.model import RewardModel

FORMAT = "rlhf_gym.reward_model"
VERSION = 1


def _paths(path) -> tuple[Path, Path]:
    p = Path(path)
    stem = p.with_suffix("") if p.suffix in (".safetensors", ".json") else p
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def save_reward_model(model: RewardModel, path) -> tuple[Path, Path]:
    """Write PATH.safetensors and PATH.json; returns both paths."""
    if not isinstance(model, RewardModel):
        raise TypeError(f"save_reward_model: model={type(model).__name__}; allowed: a RewardModel")
    weights, cfg_path = _paths(path)
    weights.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().clone() for k, v in model.net.state_dict().items()}
    if model.features is not None:
        tensors["features"] = model.features.contiguous().clone()
    save_file(tensors, str(weights), metadata={"format": FORMAT})
    cfg = {"format": FORMAT, "version": VERSION, **model.config()}
    cfg_path.write_text(json.dumps(cfg, indent=2))
    return weights, cfg_path


def load_reward_model(path) -> RewardModel:
    """Rebuild a model saved by :func:`save_reward_model`, bit-identical."""
    weights, cfg_path = _paths(path)
    if not weights.exists():
        raise ValueError(f"load_reward_model: path={str(weights)!r} does not exist; allowed: a file written by "
                         "save_reward_model")
    cfg = read_json_object(cfg_path, "load_reward_model", FORMAT, "a file written by save_reward_model")
    if cfg.get("version") != VERSION:
        raise ValueError(f"load_reward_model: version={cfg.get('version')!r}; allowed: {VERSION}")
    if float(cfg.get("member_obs_dropout", 0.0)) != 0.0:  # files of rlhf_gym before 2026-12-06
        raise ValueError(f"load_reward_model: {str(cfg_path)!r} has member_obs_dropout="
                         f"{cfg['member_obs_dropout']!r}, which this rlhf_gym no longer reads; allowed: 0")
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, RuntimeError) as exc:
        raise ValueError(f"load_reward_model: {str(weights)!r} is not a safetensors file ({exc})") from exc
    features = tensors.pop("features", None)
    if bool(cfg.get("has_features")) != (features is not None):
        raise ValueError(f"load_reward_model: {str(weights)!r} and its config disagree about 'features'")
    if features is not None:
        _check_values(weights, {"features": features}, {"features": torch.float32})
    model = RewardModel(
        space_from_config(cfg["observation_space"], "observation_space"),
        space_from_config(cfg["action_space"], "action_space"),
        kind=cfg["kind"],
        inputs=tuple(cfg["inputs"]),
        hidden_sizes=tuple(cfg["hidden_sizes"]),
        ensemble_size=int(cfg["ensemble_size"]),
        features=None if features is None else features.numpy(),
        normalize_inputs=bool(cfg["normalize_inputs"]),
        output_scale=float(cfg.get("output_scale", 1.0)),
        input_clip=None if cfg.get("input_clip") is None else float(cfg["input_clip"]),
        ignore_obs=tuple(int(i) for i in cfg.get("ignore_obs", [])),
        seed=int(cfg["seed"]),
        input_transform=str(cfg.get("input_transform", "none")),
    )
    expected = {k: tuple(v.shape) for k, v in model.net.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in tensors.items()}
    if expected != got:
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        wrong = sorted(k for k in set(expected) & set(got) if expected[k] != got[k])
        raise ValueError(
            f"load_reward_model: {str(weights)!r} does not hold the model its config describes "
            f"(missing {missing}, unexpected {extra}, wrong shape {wrong})"
        )
    _check_values(weights, tensors, {k: v.dtype for k, v in model.net.state_dict().items()})
    model.net.load_state_dict(tensors)
    if features is not None:
        model.features = features
    return model


def _check_values(weights: Path, tensors: dict, dtypes: dict) -> None:
    """Every tensor of the file in the dtype the model holds (float32), and finite."""
    for name in sorted(tensors):
        tensor, dtype = tensors[name], dtypes[name]
        if tensor.dtype != dtype:
            raise ValueError(f"load_reward_model: {str(weights)!r} holds tensor {name!r} as {tensor.dtype}; "
                             f"allowed: {dtype} (the file was not written by save_reward_model, or was edited)")
        if tensor.is_floating_point():
            bad = ~torch.isfinite(tensor)
            if bool(bad.any()):
                first = tensor.reshape(-1)[bad.reshape(-1)][0].item()
                raise ValueError(f"load_reward_model: {str(weights)!r} tensor {name!r} holds {int(bad.sum())} "
                                 f"non-finite values (e.g. {first}); allowed: finite weights (the model it was "
                                 "saved from had diverged)")


def state_equal(a: RewardModel, b: RewardModel) -> bool:
    """True when every tensor of the two models is bit-identical."""
    sa, sb = a.net.state_dict(), b.net.state_dict()
    if sa.keys() != sb.keys():
        return False
    return all(torch.equal(sa[k], sb[k]) for k in sa) and (
        (a.features is None and b.features is None)
        or (a.features is not None and b.features is not None and torch.equal(a.features, b.features))
    )


__all__ = ["load_reward_model", "save_reward_model", "state_equal"]
