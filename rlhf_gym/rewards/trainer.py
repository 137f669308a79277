"""Fitting a RewardModel to labelled clip pairs with the Bradley-Terry loss.

Why a trainer of its own: the online loop, the CLI's offline mode and the tests all
need the same careful fit - a held-out split to measure agreement with the teacher,
early stopping on held-out loss (restoring the best weights), one bootstrap resample
of the labels per ensemble member, and output normalisation afterwards.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import torch

from rlhf_gym.data.segments import Segment, check_pair, stack_segments
from rlhf_gym.rewards.bradley_terry import bradley_terry_loss, check_error_rate, check_labels
from rlhf_gym.rewards.model import RewardModel


@dataclass
class TrainerConfig:
    lr: float | None = None          # None: 3e-2 for linear, 3e-3 for mlp
    weight_decay: float = 0.0        # L2 on weights (Adam's decoupled-free form)
    batch_size: int = 64             # pairs per gradient step
    max_epochs: int = 200            # upper bound on passes over the training split
    patience: int = 10               # epochs without held-out improvement before stopping
    val_fraction: float = 0.2        # share of pairs held out (none below 10 pairs)
    assumed_error_rate: float = 0.0  # the teacher's error rate the likelihood assumes (Christiano: 0.1)
    bootstrap: bool = True           # resample labels per member when ensemble_size > 1
    drop_suspect: float = 0.0        # share of training labels the first fit contradicts most, dropped before a refit


@contextmanager
def flushed_denormals():
    """Run the block with denormal floats flushed to zero, then restore torch's default (off).

    Why: once the model orders a pair by ~90 nats or more, its Bradley-Terry gradient underflows
    into denormal floats, and every row of that clip's backward pass then runs on the CPU's slow
    path. On 900 whole-episode Backflip pairs a fit took 3.5x longer with them than flushed, for the
    same fitted model (baselines/bench_reward_trainer.py)."""
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


class RewardTrainer:
    """Trains ``model`` in place; ``train(pairs, labels)`` returns metrics."""

    def __init__(self, model: RewardModel, rng: np.random.Generator, config: TrainerConfig | None = None, **overrides):
        if not isinstance(model, RewardModel):
            raise TypeError(f"RewardTrainer: model={type(model).__name__}; allowed: a RewardModel")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"RewardTrainer: rng={rng!r}; allowed: a numpy Generator")
        cfg = replace(config or TrainerConfig(), **overrides)
        check_error_rate(cfg.assumed_error_rate)
        if not cfg.weight_decay >= 0.0:
            raise ValueError(f"RewardTrainer: weight_decay={cfg.weight_decay!r}; allowed: a float >= 0")
        if not 0.0 <= cfg.drop_suspect < 0.5:
            raise ValueError(f"RewardTrainer: drop_suspect={cfg.drop_suspect!r}; allowed: a float in [0, 0.5)")
        if not 0.0 <= cfg.val_fraction < 1.0:
            raise ValueError(f"RewardTrainer: val_fraction={cfg.val_fraction!r}; allowed: a float in [0, 1)")
        for name in ("batch_size", "max_epochs", "patience"):
            if int(getattr(cfg, name)) < 1:
                raise ValueError(f"RewardTrainer: {name}={getattr(cfg, name)!r}; allowed: an integer >= 1")
        self.model, self.rng, self.cfg = model, rng, cfg
        self.lr = cfg.lr if cfg.lr is not None else (3e-2 if model.kind == "linear" else 3e-3)
        self.history: list[dict] = []

    def _encode(self, segments: list[Segment]) -> tuple[torch.Tensor, torch.Tensor]:
        b = stack_segments(segments)
        n, h = b["valid"].shape
        flat = {k: b[k].reshape((n * h,) + b[k].shape[2:]) for k in ("obs", "actions", "next_obs")}
        x = self.model.encode(flat["obs"], flat["actions"], flat["next_obs"]).reshape(n, h, -1)
        return x, torch.as_tensor(b["valid"], dtype=torch.float32)

    def train(self, pairs: list[tuple[Segment, Segment]], labels) -> dict:
        """Fit on (left, right) clip pairs with labels in {0, 0.5, 1}; return metrics."""
        with flushed_denormals():
            return self._train(pairs, labels)

    def _train(self, pairs: list[tuple[Segment, Segment]], labels) -> dict:
        labels = check_labels(labels)
        if len(pairs) != len(labels) or not pairs:
            raise ValueError(f"RewardTrainer.train: {len(pairs)} pairs and {len(labels)} labels; need equal, >= 1")
        for a, b in pairs:
            check_pair(a, b)
        xl, vl = self._encode([p[0] for p in pairs])
        xr, vr = self._encode([p[1] for p in pairs])
        net = self.model.net
        both = torch.cat([xl[vl > 0], xr[vr > 0]])
        self.model.fit_input_normalization(both)
        left, right = EncodedClips(net.standardize(xl), vl), EncodedClips(net.standardize(xr), vr)
        y = torch.as_tensor(labels, dtype=torch.float32)

        n = len(pairs)
        perm = self.rng.permutation(n)
        n_val = int(round(self.cfg.val_fraction * n)) if n >= 10 else 0
        val_idx, train_idx = perm[:n_val], perm[n_val:]
        epochs = self._fit_members(left, right, y, train_idx, val_idx)
        dropped = np.zeros(0, dtype=np.int64)
        if self.cfg.drop_suspect > 0.0 and len(train_idx) >= 10:
            dropped = self._suspects(left, right, y, train_idx)
            train_idx = np.setdiff1d(train_idx, dropped)
            epochs += self._fit_members(left, right, y, train_idx, val_idx)
        self.dropped = dropped  # indices into ``pairs`` left out of the final fit

        # Output normalisation on the clips just trained on (the recent data).
        self.model.fit_output_normalization(stack_segments([s for p in pairs for s in p]))
        metrics = self._metrics(left, right, y, train_idx, val_idx)
        metrics.update(n_labels=n, n_train=len(train_idx), n_val=n_val, epochs=float(np.mean(epochs)),
                       n_dropped=len(dropped))
        self.history.append(metrics)
        return metrics

    def _fit_members(self, left, right, y, train_idx, val_idx) -> list[int]:
        epochs = []
        for member in self.model.net.members:
            idx = train_idx
            if self.model.ensemble_size > 1 and self.cfg.bootstrap:
                idx = train_idx[self.rng.integers(0, len(train_idx), len(train_idx))]
            epochs.append(self._fit_member(member, left, right, y, idx, val_idx))
        return epochs

    def _suspects(self, left, right, y, train_idx) -> np.ndarray:
        """The decided training labels the fitted ensemble finds least likely (likely teacher mistakes).

        Why: a fit to noisy labels still ranks most pairs right, so the labels it contradicts
        most confidently are mostly the flipped ones (the small-loss trick of noisy-label learning)."""
        with torch.no_grad():
            t = torch.as_tensor(train_idx)
            rl, rr = self._ensemble_returns(left, t), self._ensemble_returns(right, t)
            loss = bradley_terry_loss(rl, rr, y[t], reduce=False).numpy()
        decided = (y[t] != 0.5).numpy()
        k = int(round(self.cfg.drop_suspect * len(train_idx)))
        order = np.argsort(-np.where(decided, loss, -np.inf), kind="stable")[:k]
        return np.sort(train_idx[order[decided[order]]])

    def _ensemble_returns(self, clips: "EncodedClips", idx) -> torch.Tensor:
        return torch.stack([clips.returns(m, idx) for m in self.model.net.members]).mean(0)

    def _fit_member(self, member, left, right, y, idx, val_idx) -> int:
        opt = torch.optim.Adam(member.parameters(), lr=self.lr, weight_decay=self.cfg.weight_decay)
        er = self.cfg.assumed_error_rate
        bs = int(self.cfg.batch_size)
        best, best_state, bad, epoch = np.inf, None, 0, 0
        for epoch in range(1, int(self.cfg.max_epochs) + 1):
            order = idx[self.rng.permutation(len(idx))]
            for start in range(0, len(order), bs):
                b = torch.as_tensor(order[start:start + bs])
                loss = bradley_terry_loss(left.returns(member, b), right.returns(member, b), y[b], er)
                opt.zero_grad()
                loss.backward()
                opt.step()
            check = val_idx if len(val_idx) else idx
            with torch.no_grad():
                t = torch.as_tensor(check)
                cur = float(bradley_terry_loss(left.returns(member, t), right.returns(member, t), y[t], er))
            if cur < best - 1e-5:
                best, best_state, bad = cur, copy.deepcopy(member.state_dict()), 0
            else:
                bad += 1
                if bad >= self.cfg.patience:
                    break
        if best_state is not None:
            member.load_state_dict(best_state)
        return epoch

    def _metrics(self, left, right, y, train_idx, val_idx) -> dict:
        out = {}
        with torch.no_grad():
            for name, idx in (("train", train_idx), ("val", val_idx)):
                if len(idx) == 0:
                    out[f"{name}_loss"], out[f"{name}_accuracy"] = float("nan"), float("nan")
                    continue
                t = torch.as_tensor(idx)
                rl, rr = self._ensemble_returns(left, t), self._ensemble_returns(right, t)
                out[f"{name}_loss"] = float(bradley_terry_loss(rl, rr, y[t], self.cfg.assumed_error_rate))
                decided = y[t] != 0.5
                agree = ((rl > rr) == (y[t] > 0.5))[decided]
                out[f"{name}_accuracy"] = float(agree.float().mean()) if decided.any() else float("nan")
        # Agreement with the teacher on labels the model did not train on.
        out["teacher_agreement"] = out["val_accuracy"]
        return out


class EncodedClips:
    """Standardised clips (N, H, D) and their valid-step mask (N, H), with each clip's learned return.

    Padded (absorbing) steps are left out of the net's input, not just zeroed: clips of episodes that
    ended early are mostly padding. The valid steps are packed once per fit, clip by clip, so that a
    minibatch gathers its rows by index instead of masking (N, H, D) again; the rows and their order
    are those a mask would give, so the result is the same to the last bit."""

    def __init__(self, z: torch.Tensor, valid: torch.Tensor):
        self.z, self.valid = z, valid
        keep = valid > 0
        self.count = keep.sum(1).numpy()
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]])  # each clip's first packed row
        padded = not bool(keep.all())  # clips without padding never read the packed rows
        self.rows, self.weights = (z[keep], valid[keep]) if padded else (None, None)

    def returns(self, member, idx) -> torch.Tensor:
        idx = np.asarray(idx)
        count = self.count[idx]
        if (count == self.valid.shape[1]).all():  # no padding in this batch
            return (member(self.z[idx]).squeeze(-1) * self.valid[idx]).sum(-1)
        # Row j of the batch's packed steps is step (j - steps of earlier clips) of its clip.
        first = np.repeat(self.start[idx] - (np.cumsum(count) - count), count)
        rows = torch.as_tensor(first + np.arange(count.sum()))
        r = member(self.rows[rows]).squeeze(-1) * self.weights[rows]
        clip = torch.as_tensor(np.repeat(np.arange(len(idx)), count))
        return torch.zeros(len(idx), dtype=r.dtype).index_add(0, clip, r)
