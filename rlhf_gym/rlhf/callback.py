"""The online RLHF loop (Christiano et al. 2017) as an SB3 callback.

Why a callback: the agent stays an unchanged PPO / A2C / SAC / DQN. The env is
wrapped in ``VecLearnedReward(venv, reward_model)``; during ``model.learn()`` this
callback watches the agent's own transitions through the wrapper, cuts clips,
asks the teacher about pairs on a decaying schedule, retrains the reward model on
every label so far, and - because a reward changed mid-training would leave stale
rewards behind - rewrites the rewards already collected: the current rollout
(recomputing advantages) for on-policy agents, the replay buffer for off-policy ones.

With a person (a teacher that is ``asynchronous``: ``rlhf_gym.feedback.online_exchange.PairExchange``)
nobody waits: pairs of env 0's filmed clips are put up whenever the person's queue has room (checked
at every step), answers are taken at each rollout end and refitted on, and the agent blocks only once,
at its first rollout end, until ``first_labels`` answers exist (or nothing can be asked yet): its
first update is then made on a fitted reward instead of a random one, for seconds of a long run.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from stable_baselines3.common.buffers import ReplayBuffer, RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecNormalize, unwrap_vec_wrapper

from rlhf_gym.feedback.online_frames import FramedClips
from rlhf_gym.feedback.schedule import LabelSchedule
from rlhf_gym.feedback.queries import METHODS, NEEDS_ENSEMBLE, select_pairs
from rlhf_gym.data.rollouts import EpisodeRecorder
from rlhf_gym.data.segments import stack_segments
from rlhf_gym.feedback.teachers import ReplayTeacher
from rlhf_gym.rewards.model import RewardModel
from rlhf_gym.rewards.optimistic import OptimisticReward, check_spread_weight
from rlhf_gym.rewards.trainer import RewardTrainer, TrainerConfig
from rlhf_gym.rlhf.demonstrations import demo_pairs
from rlhf_gym.wrappers.rollout_end_rewards import add_rollout_rewards, deferred_wrapper
from rlhf_gym.wrappers.vec_learned_reward import VecLearnedReward

NORMALIZE_ON = ("recent", "labelled")


def find_learned_reward(venv) -> tuple[VecLearnedReward, bool]:
    """The VecLearnedReward in a VecEnv chain, and whether a VecNormalize of rewards sits above it."""
    wrapper = unwrap_vec_wrapper(venv, VecLearnedReward)
    if wrapper is None:
        raise ValueError("PreferenceLearningCallback: the agent's env has no VecLearnedReward; allowed: "
                         "model = PPO(..., env=VecLearnedReward(venv, reward_model))")
    above = venv
    normalized_above = False
    while above is not wrapper:
        normalized_above |= isinstance(above, VecNormalize) and bool(getattr(above, "norm_reward", False))
        above = above.venv
    return wrapper, normalized_above


class PreferenceLearningCallback(BaseCallback):
    """Christiano-style preference learning during ``model.learn()``.

    Args:
        reward_model: the RewardModel inside the env's VecLearnedReward.
        teacher: anything with ``label_pairs(pairs) -> [1.0 | 0.0 | 0.5 | None]``.
        total_labels: the label budget (queries asked, skips included).
        schedule, initial_fraction, label_until: see ``LabelSchedule``.
        segment_length: steps per clip.
        query: "random", "disagreement" or "mixed" (both need an ensemble), or "novelty".
        label_store: optional LabelStore; every answer is appended as it arrives (a teacher with
            ``writes_labels``, a person, appends its own answers the moment they are given).
        trainer_config: settings of the reward trainer.
        relabel: rewrite already-collected rewards after each reward update.
        pool_size: how many of the newest clips queries are drawn from.
        pool_steps: if given, the pool holds the clips of the newest ``pool_steps`` transitions
            instead (``pool_steps // segment_length`` clips). Why: a count of clips spans 13x more
            of training for whole-episode clips than for 15-step ones, so most queries would be
            about behaviour the agent left long ago (on Backflip it did not raise success; docs/log/backflip.md).
        label_batches: the budget is asked in about this many batches (at least ``total_labels //
            label_batches`` labels each), and the reward is refitted after each. Why: a refit on all labels
            so far is most of a long run's cost, and 25 batches of whole-episode clips cost half of 50.
        normalize_on: the clips the learned reward is scaled on (zero mean, std ``output_scale``):
            "recent" (the latest 500 clips of the agent) or "labelled" (every clip the teacher judged).
        explore_bonus: the agent's reward adds this times the ensemble's spread (``OptimisticReward``),
            lowered linearly to 0 by ``label_until``; 0 (default) gives the plain mean.
        seed: seeds clip cutting, pair choice and the trainer.
        total_timesteps: the agent steps the label schedule spans (None: those of the first ``learn()``
            call). Set it when the agent trains in several ``learn()`` calls; the clips and the schedule
            then carry over between calls.
        frames: with an asynchronous teacher (a person), the ``FrameTap`` of env 0: pairs are drawn from
            env 0's newest ``framed_clips`` clips, which carry frames. The schedule's pace is not used
            then: a person is asked as fast as they answer, up to ``total_labels``.
        first_labels: with an asynchronous teacher, the answers the agent waits for at its first rollout end.
        demo_clips, demo_pairs: expert clips, and how many free pairs "a demonstration beats a clip of the
            agent's" join each reward fit (``rlhf.demonstrations``); they are not asked and not stored.
    """

    def __init__(self, reward_model: RewardModel, teacher, total_labels: int, schedule: str = "hyperbolic",
                 initial_fraction: float = 0.25, label_until: float = 0.75, segment_length: int = 25,
                 query: str = "random", oversample: int = 10, label_store=None,
                 trainer_config: TrainerConfig | None = None, relabel: bool = True, pool_size: int = 3000,
                 pool_steps: int | None = None, label_batches: int = 50,
                 normalize_on: str = "recent", explore_bonus: float = 0.0, seed: int = 0,
                 total_timesteps: int | None = None, frames=None, first_labels: int = 3, framed_clips: int = 16,
                 demo_clips=(), demo_pairs: int = 0, verbose: int = 0):
        super().__init__(verbose)
        if not isinstance(reward_model, RewardModel):
            raise TypeError(f"reward_model={type(reward_model).__name__}; allowed: a RewardModel")
        self.online = bool(getattr(teacher, "asynchronous", False))
        if isinstance(teacher, ReplayTeacher) or not (hasattr(teacher, "label_pairs") or self.online):
            raise ValueError(f"teacher={type(teacher).__name__}; allowed: a teacher that answers new clips "
                             "(SyntheticTeacher, a human window). Train on recorded labels with rlhf.pipeline.fit_from_store.")
        if query not in METHODS:
            raise ValueError(f"query={query!r}; allowed: {METHODS}")
        if query in NEEDS_ENSEMBLE and reward_model.ensemble_size < 2:
            raise ValueError(f"query={query!r} needs ensemble_size >= 2; reward_model has {reward_model.ensemble_size}")
        if normalize_on not in NORMALIZE_ON:
            raise ValueError(f"normalize_on={normalize_on!r}; allowed: {NORMALIZE_ON}")
        self.reward_model, self.teacher, self.normalize_on = reward_model, teacher, normalize_on
        self.explore_bonus = check_spread_weight("explore_bonus", explore_bonus, reward_model.ensemble_size)
        self.agent_reward = OptimisticReward(reward_model, self.explore_bonus)
        self.schedule = LabelSchedule(int(total_labels), schedule, initial_fraction, label_until)
        self.segment_length, self.query, self.oversample = int(segment_length), query, int(oversample)
        if pool_steps is not None and (isinstance(pool_steps, bool) or not isinstance(pool_steps, (int, np.integer))
                                       or pool_steps < 2 * int(segment_length)):
            raise ValueError(f"pool_steps={pool_steps!r}; allowed: None or an integer >= 2 x segment_length "
                             f"({2 * int(segment_length)})")
        if pool_steps is not None:
            pool_size = int(pool_steps) // int(segment_length)
        if isinstance(label_batches, bool) or not isinstance(label_batches, (int, np.integer)) or label_batches < 1:
            raise ValueError(f"label_batches={label_batches!r}; allowed: an integer >= 1")
        self.label_batches = int(label_batches)
        if total_timesteps is not None and (isinstance(total_timesteps, bool)
                                            or not isinstance(total_timesteps, (int, np.integer)) or total_timesteps < 1):
            raise ValueError(f"total_timesteps={total_timesteps!r}; allowed: None or an integer >= 1")
        self.total_timesteps = None if total_timesteps is None else int(total_timesteps)
        if self.online and frames is None:
            raise ValueError("frames=None with an asynchronous teacher (a person); allowed: the FrameTap of env 0 "
                             "(rlhf_gym.rlhf.pipeline.make_filmed_venv(cfg, rm) returns it)")
        if isinstance(first_labels, bool) or not isinstance(first_labels, (int, np.integer)) or first_labels < 0:
            raise ValueError(f"first_labels={first_labels!r}; allowed: an integer >= 0")
        self.frames, self.first_labels, self.framed_clips = frames, int(first_labels), int(framed_clips)
        self.framed: FramedClips | None = None
        self._first_done = False
        self.label_store, self.relabel, self.pool_size = label_store, bool(relabel), int(pool_size)
        self.demo_clips, self.demo_pairs = list(demo_clips), int(demo_pairs)
        self.rng = np.random.default_rng(seed)
        self.trainer = RewardTrainer(reward_model, self.rng, trainer_config)
        self.pairs: list = []
        self.labels: list[float] = []
        self.queries_asked = 0
        self.metrics: dict = {}
        self.reward_seconds = 0.0
        self._rollout: list = []
        self.rollout_learned, self.deferred = None, False  # (T, n): the last rollout's learned rewards, as the agent got them
        self._ep_true = self._ep_learned = None
        self._started = False
        self._stalled_seen = 0.0
        self._preloaded = False
        self.episode_true_returns: list[float] = []
        self.episode_learned_returns: list[float] = []

    @property
    def uses_spread(self) -> bool:
        """Whether the agent's reward reads the members' spread (an exploration bonus)."""
        return self.explore_bonus != 0.0

    # ---- wiring -----------------------------------------------------------------
    def _on_training_start(self) -> None:
        self.wrapper, normalized = find_learned_reward(self.model.get_env())
        # Keep the wrapper on the model being trained (with the bonus while there is one).
        self.wrapper.reward_fn = self.agent_reward if self.uses_spread else self.reward_model
        if normalized and self.relabel:
            warnings.warn("PreferenceLearningCallback: VecNormalize(norm_reward=True) above the reward wrapper; "
                          "collected rewards are not rewritten after reward updates", stacklevel=2)
            self.relabel = False
        self.wrapper.add_listener(self._on_transition)
        self.deferred = deferred_wrapper(self.model) is not None  # rewards computed per rollout, not per step
        if self._started and self.total_timesteps is not None:
            return  # a later learn() call of the same run: clips, open episodes and schedule carry over
        self._started = True
        n = self.wrapper.num_envs
        self.recorder = EpisodeRecorder(n, self.segment_length, self.rng, capacity=self.pool_size)
        if self.online:
            self.framed = FramedClips(self.segment_length, self.rng, self.framed_clips)
        self._ep_true, self._ep_learned = np.zeros(n), np.zeros(n)
        steps = int(getattr(self.model, "_total_timesteps", 0)) - int(self.model.num_timesteps)
        self._total = max(self.total_timesteps or steps, 1)
        self._start = int(self.model.num_timesteps)

    def _on_training_end(self) -> None:
        self.wrapper.remove_listener(self._on_transition)
        self.wrapper.reward_fn = self.reward_model

    def _on_transition(self, obs, actions, next_obs, true_rewards, learned, dones, terminated) -> None:
        self.recorder.add(obs, actions, next_obs, true_rewards, dones, terminated)
        if self.framed is not None:
            self.framed.add(self.frames.step_frame, obs[0], actions[0], next_obs[0], true_rewards[0], dones[0],
                            terminated[0])
        self._rollout.append((np.array(obs), np.array(actions), np.array(next_obs), learned, true_rewards,
                              np.array(dones)))

    def _on_rollout_start(self) -> None:
        self._rollout = []
        if self.deferred:
            self.wrapper.forget_kept()

    def _rollout_rewards(self) -> np.ndarray:
        """The rollout's learned rewards, (T, n): put into the agent's buffer now when the wrapper
        keeps them for the rollout end, else as the steps returned them."""
        if self.deferred:
            return add_rollout_rewards(self.model, self.wrapper, self.locals)
        steps = [step[3] for step in self._rollout]
        return np.stack(steps) if steps else np.zeros((0, self.wrapper.num_envs), dtype=np.float32)

    def _count_episodes(self, learned: np.ndarray) -> None:
        """Add the rollout's steps to each env's running true and learned returns; an ended episode's go to the lists."""
        for (*_, true_rewards, dones), step_learned in zip(self._rollout, learned):
            self._ep_true += true_rewards
            self._ep_learned += step_learned
            for i in np.flatnonzero(dones):
                self.episode_true_returns.append(float(self._ep_true[i]))
                self.episode_learned_returns.append(float(self._ep_learned[i]))
                self._ep_true[i] = self._ep_learned[i] = 0.0

    def _on_step(self) -> bool:
        if not self.online:
            return True
        exchange = self.teacher
        exchange.agent_step = int(self.num_timesteps)
        if exchange.room():
            self._offer()
        return not exchange.stopped  # the person quit: learn() ends cleanly

    # ---- the loop -----------------------------------------------------------------
    def _on_rollout_end(self) -> None:
        self.rollout_learned = self._rollout_rewards()  # before any refit: the rewards the rollout was collected under
        self._count_episodes(self.rollout_learned)
        progress = (self.model.num_timesteps - self._start) / self._total
        done = min(1.0, progress / self.schedule.until)
        self.agent_reward.beta = self.explore_bonus - self.explore_bonus * done  # down to 0 by label_until
        if self.online:
            self._online_round()
            return
        target = self.schedule.target(progress)
        want = target - self.queries_asked
        pool = self.recorder.take()
        small = want < max(1, self.schedule.total // self.label_batches) and target < self.schedule.total
        if len(pool) < 2 or want <= 0 or small:  # ask in batches, but spend the whole budget
            self._log_returns()
            return
        t0 = time.perf_counter()
        pairs = select_pairs(self.query, pool, want, self.rng, self.reward_model, self.oversample)
        answers = self.teacher.label_pairs(pairs)
        self.queries_asked += len(pairs)
        for (left, right), lab in zip(pairs, answers):
            if self.label_store is not None and not getattr(self.teacher, "writes_labels", False):
                self.label_store.append(left, right, lab, teacher=getattr(self.teacher, "name", "teacher"),
                                        timestep=int(self.model.num_timesteps))
            if lab is not None:
                self.pairs.append((left, right))
                self.labels.append(float(lab))
        self._refit(pool, self.relabel)
        self.reward_seconds += time.perf_counter() - t0
        self._log_metrics()
        if self.verbose:
            print(f"[rlhf] t={self.model.num_timesteps} labels={len(self.labels)} metrics={self.metrics}")

    def _refit(self, pool, relabel: bool) -> None:
        """Fit the reward model to every label so far, rescale it, rewrite the collected rewards."""
        if self.labels:
            free, sure = demo_pairs(self.demo_clips, list(pool), self.demo_pairs, self.rng)
            self.metrics = self.trainer.train(self.pairs + free, self.labels + sure)
            self.reward_model.fit_output_normalization(stack_segments(self._normalization_clips(pool)))
            if relabel:
                self._relabel()

    def _log_metrics(self) -> None:
        for key in ("train_loss", "val_loss", "val_accuracy", "teacher_agreement"):
            if key in self.metrics:
                self.logger.record(f"rlhf/reward_{key}", self.metrics[key])
        self.logger.record("rlhf/labels", len(self.labels))
        self.logger.record("rlhf/queries", self.queries_asked)
        self._log_returns()

    # ---- with a person: pairs offered, answers collected ---------------------------------
    def _offer(self) -> None:
        """Put pairs of env 0's filmed clips up, as many as the person's queue has room for."""
        want, pool = self.teacher.room(), self.framed.take()
        if want > 0 and len(pool) >= 2:
            pairs = select_pairs(self.query, pool, want, self.rng, self.reward_model, self.oversample)
            self.teacher.offer(pairs, timestep=int(self.num_timesteps))

    def _online_round(self) -> None:
        exchange, t0 = self.teacher, time.perf_counter()
        self._offer()
        changed = self._take_answers(exchange.collect()) or self._preloaded
        self._preloaded = False
        if not self._first_done:  # the one wait: until the first answers exist, or none can come yet
            need = min(self.first_labels, exchange.budget)
            while exchange.labelled < need and exchange.labels_wanted():
                self._offer()
                if not exchange.person_busy() and not exchange.pending_replies():
                    break  # no pair to answer (too few clips yet): the next rollout end waits instead
                exchange.wait_for_reply(0.1)
                changed |= self._take_answers(exchange.collect())
            else:
                self._first_done = True
        if changed:
            self._refit(self._online_pool(), self.relabel)
        self.reward_seconds += time.perf_counter() - t0 - (exchange.agent_stalled_seconds - self._stalled_seen)
        self._stalled_seen = exchange.agent_stalled_seconds
        self._log_metrics()

    def _online_pool(self) -> list:
        """The clips the reward is rescaled on: all envs' clips, or env 0's filmed ones while the others
        have none yet (they are cut at episode ends; env 0's every 2 clip lengths)."""
        return self.recorder.take() or self.framed.take()

    def _take_answers(self, replies) -> bool:
        """Add the person's answers (and remove those taken back); whether the labels changed."""
        changed = False
        for reply in replies:
            if reply.retract:
                self.queries_asked -= 1
                for k in range(len(self.pairs) - 1, -1, -1):
                    if self.pairs[k][0] is reply.left and self.pairs[k][1] is reply.right:
                        del self.pairs[k], self.labels[k]
                        changed = True
                        break
                continue
            self.queries_asked += 1
            if reply.label is not None:
                self.pairs.append((reply.left, reply.right))
                self.labels.append(float(reply.label))
                changed = True
        return changed

    def preload(self, records, labelled_pairs) -> None:
        """Answers a person gave in an earlier session of this run (``--resume``): they count against
        the budget and enter the first refit."""
        self.queries_asked = len(records)
        for left, right, label in labelled_pairs:
            self.pairs.append((left, right))
            self.labels.append(float(label))
        self._preloaded = bool(self.labels)

    def absorb_answers(self) -> bool:
        """After training: take the answers that arrived since the last rollout end and refit on them
        (nothing to relabel any more), so the saved reward model has every answer. Whether it refitted."""
        if not self.online or not self._take_answers(self.teacher.collect()):
            return False
        self._refit(self._online_pool(), relabel=False)
        return True

    def judged_clips(self) -> list:
        """Every distinct clip in a labelled pair (one clip can sit in several pairs)."""
        return list({id(seg): seg for pair in self.pairs for seg in pair}.values())

    def _normalization_clips(self, pool) -> list:
        return list(pool)[-min(len(pool), 500):] if self.normalize_on == "recent" else self.judged_clips()

    def _log_returns(self) -> None:
        if self.episode_true_returns:
            self.logger.record("rlhf/true_return", float(np.mean(self.episode_true_returns[-20:])))
            self.logger.record("rlhf/learned_return", float(np.mean(self.episode_learned_returns[-20:])))

    # ---- rewriting collected rewards -------------------------------------------------
    def _relabel(self) -> None:
        buffer = getattr(self.model, "rollout_buffer", None)
        if isinstance(buffer, RolloutBuffer) and not isinstance(getattr(self.model, "replay_buffer", None), ReplayBuffer):
            self._relabel_rollout(buffer)
        elif isinstance(getattr(self.model, "replay_buffer", None), ReplayBuffer):
            self._relabel_replay(self.model.replay_buffer)

    def _relabel_rollout(self, buffer: RolloutBuffer) -> None:
        if len(self._rollout) != buffer.buffer_size or not buffer.full:
            return
        obs, act, nxt = (np.stack(x) for x in list(zip(*self._rollout))[:3])
        old = self.rollout_learned
        t, n = old.shape
        new = self.wrapper.reward_fn(obs.reshape((t * n,) + obs.shape[2:]), act.reshape((t * n,) + act.shape[2:]),
                                nxt.reshape((t * n,) + nxt.shape[2:])).reshape(t, n)
        buffer.rewards += new - old  # keeps SB3's timeout bootstrap term already added
        buffer.compute_returns_and_advantage(last_values=self.locals["values"], dones=self.locals["dones"])

    def _relabel_replay(self, rb: ReplayBuffer) -> None:
        if rb.optimize_memory_usage:
            return
        size = rb.buffer_size if rb.full else rb.pos
        if size == 0:
            return
        obs, nxt, act = rb.observations[:size], rb.next_observations[:size], rb.actions[:size]
        n = obs.shape[1]
        flat = lambda a: a.reshape((size * n,) + a.shape[2:])  # noqa: E731
        act = flat(act)
        if self.reward_model.action_space.__class__.__name__ == "Box" and getattr(self.model.policy, "squash_output", False):
            act = self.model.policy.unscale_action(act)
        elif self.reward_model.action_space.__class__.__name__ == "Discrete":
            act = act.reshape(-1)
        rb.rewards[:size] = self.wrapper.reward_fn(flat(obs), act, flat(nxt)).reshape(size, n)
