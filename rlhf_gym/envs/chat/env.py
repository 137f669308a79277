"""ChatResponse-v0: reply to a prompt one token at a time (manual: ``ChatResponseEnv``)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rlhf_gym.envs.chat.preference import true_score
from rlhf_gym.envs.chat.vocabulary import (
    EMPTY, END, MAX_LENGTH, N_TOPICS, PROMPTS, TOKENS, TOPICS, VOCAB, encode, prompt_ids, text,
)

_COLOURS = np.array([[40, 40, 40]] + [[60, 170, 60]] * N_TOPICS + [[150, 150, 220]] * (VOCAB - 1 - N_TOPICS)
                    + [[245, 245, 245]], dtype=np.uint8)  # <end>, content words, fillers, empty slot


class ChatResponseEnv(gym.Env):
    """A toy chat model's world: a prompt names two topics; the policy writes a reply token by token.

    ## Description
    8 topics (``TOPICS``: weather, food, music, ...), a 14-token vocabulary (``TOKENS``: ``<end>``,
    one content word per topic — "rain" for weather, "jazz" for music, ... — and 5 filler words) and
    28 prompts, one per pair of topics (21 for training, 7 held out: ``prompts="train"|"held_out"``).
    A reply is written one token per step, so an SB3 policy over this env is an autoregressive
    language model in miniature. A hidden labeller's preference (``rlhf_gym.envs.chat.preference``)
    scores finished replies: +1 for each of the prompt's two right words, -1 per other topic's word,
    -0.5 per repeated content word, -0.5 per word beyond 5. The three-step RLHF pipeline on this env
    lives in ``rlhf_gym.chat`` and ``baselines/chat_rlhf.py`` (see docs/chat.md).

    ## Action Space
    ``Discrete(14)``: the next token (0 is ``<end>``). Anything else raises ValueError naming it.

    ## Observation Space
    ``MultiDiscrete([2] * 8 + [15] * 10)``: the prompt's topics as 0/1, then the reply's 10 slots, each
    a token id or 14 (not written yet). SB3 one-hot encodes MultiDiscrete, so ``MlpPolicy`` sees the
    prompt and every token so far: the next-token distribution is conditioned on the whole prefix.

    ## Rewards
    0 while writing; at the end, the hidden score of the finished reply (also ``info["true_reward"]``
    on every step). Why expose it: it is the honest reference for evaluation; the RLHF pipeline never
    trains on it (it learns from the labeller's comparisons instead). ``info`` holds ``prompt`` (its
    index) and, at the end, ``reply`` (the readable text).

    ## Starting State
    A prompt drawn uniformly from the split by ``self.np_random`` (or ``reset(options={"prompt": i})``,
    any of the 28 prompt indices); an empty reply.

    ## Episode End
    Terminated when the policy writes ``<end>`` or the 10th token (a reply is never longer); never
    truncated. Why not a fixed horizon: the reward is the labeller's judgement of the whole reply,
    given once at its end, so the length of an episode says nothing the final reward does not.

    ## Arguments
    ``gym.make("rlhf_gym/ChatResponse-v0", prompts="all", render_mode=None)``: ``prompts`` ``"all"``,
    ``"train"`` or ``"held_out"``; ``render_mode`` None, ``"ansi"`` (the prompt and reply as text) or
    ``"rgb_array"`` (topic cells above the reply's slots: content words green, fillers blue, ``<end>``
    dark).

    ## Version History
    - v0: first version (issue 25).
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, prompts: str = "all", render_mode: str | None = None) -> None:
        self.prompt_ids = prompt_ids(prompts)
        self.split = prompts
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"ChatResponseEnv: render_mode={render_mode!r}; allowed: None or "
                             f"{self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.action_space = spaces.Discrete(VOCAB)
        self.observation_space = spaces.MultiDiscrete([2] * N_TOPICS + [EMPTY + 1] * MAX_LENGTH)
        self.prompt = 0
        self.tokens = np.full(MAX_LENGTH, EMPTY, dtype=np.int64)
        self.n_written = 0

    def _obs(self) -> np.ndarray:
        return encode([self.prompt], self.tokens[None], [self.n_written])[0]

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.prompt = int(self.prompt_ids[self.np_random.integers(len(self.prompt_ids))])
        chosen = (options or {}).get("prompt")
        if chosen is not None:
            if isinstance(chosen, bool) or not isinstance(chosen, (int, np.integer)) or not 0 <= chosen < len(PROMPTS):
                raise ValueError(f"ChatResponseEnv: options['prompt']={chosen!r}; allowed: an integer in "
                                 f"[0, {len(PROMPTS) - 1}]")
            self.prompt = int(chosen)
        self.tokens[:] = EMPTY
        self.n_written = 0
        return self._obs(), {"prompt": self.prompt}

    def step(self, action):
        a = np.asarray(action)
        if a.shape not in ((), (1,)) or not np.issubdtype(a.dtype, np.integer) or not 0 <= int(a.reshape(-1)[0]) < VOCAB:
            raise ValueError(f"ChatResponseEnv: action={action!r}; allowed: one integer token id in [0, {VOCAB - 1}]")
        if self.n_written >= MAX_LENGTH:
            raise RuntimeError("ChatResponseEnv: step() after the reply ended; call reset()")
        token = int(a.reshape(-1)[0])
        self.tokens[self.n_written] = token
        self.n_written += 1
        terminated = token == END or self.n_written >= MAX_LENGTH
        reward = float(true_score([self.prompt], self.tokens[None])[0]) if terminated else 0.0
        info = {"true_reward": reward, "prompt": self.prompt}
        if terminated:
            info["reply"] = text(self.prompt, self.tokens)
        return self._obs(), reward, bool(terminated), False, info

    def render(self):
        if self.render_mode == "ansi":
            return text(self.prompt, self.tokens) + "\n"
        if self.render_mode != "rgb_array":
            return None
        cell = 24
        top = np.full(MAX_LENGTH, EMPTY, dtype=np.int64)
        top[:2] = 1 + PROMPTS[self.prompt]  # the prompt's topics, shown as their content words' colour
        grid = _COLOURS[np.stack([top, self.tokens])]
        return np.kron(grid, np.ones((cell, cell, 1), dtype=np.uint8))


__all__ = ["ChatResponseEnv", "TOKENS", "TOPICS"]
