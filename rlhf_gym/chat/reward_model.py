"""The reward model of step 2: a small torch model over reply features, fitted to pairwise preferences.

Features of a (prompt, reply): per content word, whether it appears *and* is on one of the prompt's
topics, and how often it appears off topic (so the model can learn relevance — "jazz" is right for
music — in a way that carries over to held-out prompts); the count of each token; the reply's length
in words. Why a length feature: real reward models see length too, and the toy is built so that length
goes with preferred replies in the labelled data while the labeller does not value it
(``rlhf_gym.envs.chat.preference``). The fit is the Bradley–Terry cross-entropy of
``rlhf_gym.rewards.bradley_terry`` on the score difference of the two replies, with an L2 penalty on
the weights; like ridge regression, the penalty shares credit among correlated features, so the
fillers and the length that travel with right words get part of it.

Why linear by default (``hidden=0``): beyond 5 words there is no data, and what a model says there
is its extrapolation. A linear model extrapolates the length credit it learned — the reward hacking
the toy is meant to show, on every seed; a ReLU MLP's extrapolation flipped sign from seed to seed.
``hidden > 0`` gives the MLP.

``offset``: the model's mean score on SFT replies is subtracted, so "learned reward" reads as
"better than the SFT policy by"; a constant per reply changes nothing PPO does (each episode gets
one terminal reward).
"""

from __future__ import annotations

import numpy as np
import torch

from rlhf_gym.envs.chat.preference import word_mask
from rlhf_gym.envs.chat.vocabulary import CONTENT_IDS, MAX_LENGTH, N_TOPICS, PROMPTS, VOCAB, decode, prompt_of_topics
from rlhf_gym.rewards.bradley_terry import bradley_terry_loss, check_labels

N_FEATURES = 2 * N_TOPICS + VOCAB + 1


def reply_features(prompts, tokens) -> np.ndarray:
    """(N, N_FEATURES) float32: per content word, present and on the prompt's topic / count off topic;
    the count of each token; the length in words."""
    prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
    tokens = np.asarray(tokens, dtype=np.int64).reshape(-1, MAX_LENGTH)
    mask = word_mask(tokens)
    words = np.where(mask, tokens, -1)
    counts = (words[:, :, None] == np.arange(VOCAB)[None, None, :]).sum(axis=1)
    content = counts[:, CONTENT_IDS]
    topics = np.zeros((len(prompts), N_TOPICS), dtype=bool)
    topics[np.arange(len(prompts))[:, None], PROMPTS[prompts]] = True
    on_topic = (content > 0) & topics
    off_topic = np.where(topics, 0, content)
    length = mask.sum(axis=1, keepdims=True)
    return np.concatenate([on_topic, off_topic, counts, length], axis=1).astype(np.float32)


class ReplyRewardModel(torch.nn.Module):
    """r(prompt, reply) = w . reply_features + b - offset (an MLP with ``hidden`` > 0 units)."""

    def __init__(self, hidden: int = 0) -> None:
        super().__init__()
        if hidden:
            self.net = torch.nn.Sequential(torch.nn.Linear(N_FEATURES, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
        else:
            self.net = torch.nn.Linear(N_FEATURES, 1)
        self.offset = 0.0

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features).squeeze(-1)

    def score(self, prompts, tokens) -> np.ndarray:
        """Learned reward of each reply (N,), minus ``offset``."""
        with torch.no_grad():
            out = self(torch.as_tensor(reply_features(prompts, tokens))).numpy().astype(np.float64)
        return out - self.offset


def fit_reward_model(prompts, first, second, labels, rng: np.random.Generator, *, hidden: int = 0,
                     n_epochs: int = 200, learning_rate: float = 1e-2, l2: float = 1e-2,
                     batch_size: int = 128) -> ReplyRewardModel:
    """Bradley–Terry fit on pairs: ``labels[i]`` is 1.0 if ``first[i]`` was preferred, 0.0 if ``second[i]``."""
    if hidden < 0 or n_epochs < 1 or batch_size < 1 or not learning_rate > 0 or not l2 >= 0:
        raise ValueError(f"hidden={hidden}, n_epochs={n_epochs}, batch_size={batch_size}, learning_rate={learning_rate}, "
                         f"l2={l2}; allowed: hidden >= 0, n_epochs >= 1, batch_size >= 1, learning_rate > 0, l2 >= 0")
    labels = check_labels(labels)
    prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
    if not (len(prompts) == len(first) == len(second) == len(labels)) or len(prompts) == 0:
        raise ValueError(f"prompts/first/second/labels: lengths {len(prompts)}, {len(first)}, {len(second)}, "
                         f"{len(labels)}; allowed: equal and >= 1")
    torch_gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    model = ReplyRewardModel(hidden)
    with torch.no_grad():  # initialise from the caller's seed, not torch's global generator
        for p in model.parameters():
            p.copy_((torch.rand(p.shape, generator=torch_gen) * 2 - 1) / np.sqrt(max(p.shape[-1], 1)))
    xa = torch.as_tensor(reply_features(prompts, first))
    xb = torch.as_tensor(reply_features(prompts, second))
    y = torch.as_tensor(labels, dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    for _ in range(n_epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = torch.as_tensor(order[start:start + batch_size])
            loss = bradley_terry_loss(model(xa[idx]), model(xb[idx]), y[idx])
            loss = loss + l2 * sum((w ** 2).sum() for w in weights)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


class ReplyReward:
    """The ``reward_fn(obs, actions, next_obs, dones)`` of ``VecLearnedReward``: the learned reward of
    the finished reply at its last step, 0 before."""

    def __init__(self, model: ReplyRewardModel) -> None:
        self.model = model

    def __call__(self, obs, actions, next_obs, dones) -> np.ndarray:
        dones = np.asarray(dones, dtype=bool).reshape(-1)
        out = np.zeros(len(dones), dtype=np.float32)
        if dones.any():
            topics, slots = decode(np.asarray(next_obs)[dones])
            out[dones] = self.model.score(prompt_of_topics(topics), slots)
        return out
