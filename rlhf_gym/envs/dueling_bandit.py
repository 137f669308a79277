"""DuelingBandit-v0: each step duels two arms and shows which one won (manual: ``DuelingBanditEnv``)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rlhf_gym.bandits.instances import builtin_instance, validate_preferences
from rlhf_gym.bandits.regret import best_arm, condorcet_winner, regret_table

NO_DUEL, FIRST_WON, SECOND_WON = 0, 1, 2


class DuelingBanditEnv(gym.Env):
    """The K-armed dueling bandit (Yue, Broder, Kleinberg & Joachims 2012): feedback is only which of two arms won.

    ## Description
    K arms and a preference matrix P: ``P[i, j]`` is the probability that arm i beats arm j in a duel
    (P[i, j] + P[j, i] = 1, P[i, i] = 1/2). Each step the agent names two arms; the winner is drawn
    with ``self.np_random``, so ``reset(seed=...)`` fixes every outcome. The algorithms of
    ``rlhf_gym.bandits`` play the same problem many runs at a time, without this env.

    ## Action Space
    ``MultiDiscrete([K, K])``: ``(first, second)``. Why not ``Discrete(K * K)``: the two entries are
    the two arms, read directly, as in the literature's (i, j); PPO and A2C take MultiDiscrete (DQN
    does not: flatten with ``first * K + second`` in a wrapper). A duel of an arm with itself is
    allowed, as in the literature (RUCB, RMED and IF's exploitation play (c, c)): it is a fair coin
    flip, and (best, best) is the only duel with no regret. Anything else — an index outside
    [0, K), a non-integer, another shape — raises ValueError naming the action.

    ## Observation Space
    ``Discrete(3)``: 0 = no duel yet (after reset), 1 = the first arm won, 2 = the second arm won.

    ## Rewards
    The reward, also in ``info["true_reward"]``, is minus the duel's regret: minus the strong regret
    ``(eps(c, i) + eps(c, j)) / 2`` with ``eps(c, a) = P[c, a] - 1/2`` when a Condorcet winner c exists;
    on a matrix without one (strong regret is undefined there), minus the Copeland regret
    ``cpld(a*) - (cpld(i) + cpld(j)) / 2`` (``env.unwrapped.regret_kind`` says which). A learner of
    preferences sees only the observation; the reward is for honest evaluation. ``info`` also holds
    ``strong_regret``, ``weak_regret`` (NaN without a Condorcet winner), ``copeland_regret`` and
    ``winner`` (the winning arm's index).

    ## Starting State
    No duel yet (observation 0). The preference matrix does not change between episodes.

    ## Episode End
    Truncation after ``horizon`` duels; never terminated. The horizon is fixed so that episode length
    carries no information about the reward.

    ## Arguments
    ``gym.make("rlhf_gym/DuelingBandit-v0", instance="bradley_terry", preferences=None, horizon=1000,
    render_mode=None)``: ``instance`` one of ``rlhf_gym.bandits.INSTANCES`` — ``"bradley_terry"``
    (16 arms, scores 3 i / 15, arm 15 best), ``"condorcet_hard"`` (8 arms, the Condorcet winner arm 7
    beats each arm with probability only 0.55, the rest a cyclic tournament), ``"copeland"`` (8 arms, no
    Condorcet winner, arm 7 the unique Copeland winner); ``preferences`` any valid K x K matrix (K >= 2),
    which replaces ``instance``; ``horizon`` an int >= 1; ``render_mode`` None or ``"rgb_array"`` (the
    matrix in grey, the last duel's cell in red, the best arm's row framed in green).

    ## Version History
    - v0: first version (issue 25).
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, instance: str = "bradley_terry", preferences=None, horizon: int = 1000,
                 render_mode: str | None = None, cell_size: int = 16) -> None:
        if isinstance(horizon, (bool, np.bool_)) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValueError(f"DuelingBanditEnv: horizon={horizon!r}; allowed: an integer >= 1")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"DuelingBanditEnv: render_mode={render_mode!r}; allowed: None or "
                             f"{self.metadata['render_modes']}")
        if isinstance(cell_size, bool) or not isinstance(cell_size, int) or cell_size < 2:
            raise ValueError(f"DuelingBanditEnv: cell_size={cell_size!r}; allowed: an integer >= 2")
        self.preferences = builtin_instance(instance) if preferences is None else validate_preferences(preferences)
        self.instance = instance if preferences is None else None
        self.n_arms = self.preferences.shape[0]
        self.horizon, self.render_mode, self.cell_size = int(horizon), render_mode, cell_size
        self.condorcet_winner = condorcet_winner(self.preferences)
        self.best_arm = best_arm(self.preferences)
        self.regret_kind = "strong" if self.condorcet_winner is not None else "copeland"
        self._tables = {kind: regret_table(self.preferences, kind) for kind in ("strong", "weak", "copeland")}
        self.action_space = spaces.MultiDiscrete([self.n_arms, self.n_arms])
        self.observation_space = spaces.Discrete(3)
        self._t, self._last = 0, None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._t, self._last = 0, None
        return NO_DUEL, {}

    def _arms(self, action) -> tuple[int, int]:
        a = np.asarray(action)
        ok = a.shape == (2,) and np.issubdtype(a.dtype, np.integer) and bool(np.all((a >= 0) & (a < self.n_arms)))
        if not ok:
            raise ValueError(f"DuelingBanditEnv: action={action!r}; allowed: two integer arm indices "
                             f"(first, second), each in [0, {self.n_arms - 1}]")
        return int(a[0]), int(a[1])

    def step(self, action):
        i, j = self._arms(action)
        first_won = bool(self.np_random.random() < self.preferences[i, j])
        self._t += 1
        self._last = (i, j)
        regrets = {f"{kind}_regret": float(table[i, j]) for kind, table in self._tables.items()}
        reward = -regrets[f"{self.regret_kind}_regret"]
        info = {"true_reward": reward, **regrets, "winner": i if first_won else j}
        obs = FIRST_WON if first_won else SECOND_WON
        return obs, reward, False, self._t >= self.horizon, info

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        grey = (255 * (1.0 - self.preferences)).astype(np.uint8)
        frame = np.repeat(grey[:, :, None], 3, axis=2)
        if self._last is not None:
            frame[self._last] = (220, 30, 30)
        frame = np.kron(frame, np.ones((self.cell_size, self.cell_size, 1), dtype=np.uint8))
        top, s = self.best_arm * self.cell_size, self.cell_size
        frame[[top, top + s - 1], :] = (30, 160, 30)
        return frame
