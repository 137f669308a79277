"""The online RLHF loop trains unchanged SB3 agents on a learned reward."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import A2C, PPO, SAC
from stable_baselines3.common.env_util import make_vec_env

import rlhf_gym  # noqa: F401
from rlhf_gym.rlhf.callback import PreferenceLearningCallback
from rlhf_gym.feedback.schedule import LabelSchedule
from rlhf_gym.evaluation import evaluate_true_return, random_actor, run_episodes
from rlhf_gym.feedback import LabelStore, ReplayTeacher, SyntheticTeacher
from rlhf_gym.rewards import RewardModel, RewardTrainer
from rlhf_gym.wrappers import VecLearnedReward

GRID = "rlhf_gym/GridWorld-v0"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def test_schedule_front_loads_and_spends_the_budget():
    hyp, const = LabelSchedule(100, "hyperbolic", 0.25, 0.75), LabelSchedule(100, "constant", 0.25, 0.75)
    assert hyp.target(0.0) == const.target(0.0) == 25
    assert hyp.target(0.75) == hyp.target(1.0) == 100
    assert hyp.target(0.2) > const.target(0.2)
    targets = [hyp.target(p) for p in np.linspace(0, 1, 50)]
    assert targets == sorted(targets)
    with pytest.raises(ValueError, match="schedule='steep'"):
        LabelSchedule(10, "steep")


@pytest.mark.slow
def test_ppo_with_callback_beats_random_on_gridworld(tmp_path):
    venv = make_vec_env(GRID, n_envs=4, seed=0)
    rm = RewardModel.for_env(venv, kind="linear", inputs=("next_obs",))
    venv = VecLearnedReward(venv, rm)
    model = PPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=128, batch_size=128, n_epochs=8,
                ent_coef=0.01, learning_rate=1e-3)
    store = LabelStore(tmp_path / "labels.jsonl")
    cb = PreferenceLearningCallback(rm, SyntheticTeacher(0), total_labels=100, segment_length=10,
                                    label_store=store, seed=0)
    model.learn(10_000, callback=cb)
    assert cb.queries_asked == 100 and len(LabelStore(tmp_path / "labels.jsonl")) == len(cb.labels) == 100
    assert not venv.listeners  # the callback unhooks itself when learn() ends
    env = gym.make(GRID)
    random_return = run_episodes(env, random_actor(env, 0), 30, 1000)["true_return_mean"]
    trained = evaluate_true_return(model, GRID, {}, 30, 1000)["true_return_mean"]
    assert trained >= random_return + 0.5 and trained >= 0.8, (trained, random_return)
    # The recorded labels retrain a fresh model offline to the same preferences.
    fresh = RewardModel.for_env(venv, kind="linear", inputs=("next_obs",))
    metrics = RewardTrainer(fresh, np.random.default_rng(0)).train(
        *zip(*[((a, b), lab) for a, b, lab in LabelStore(tmp_path / "labels.jsonl").labelled_pairs()]))
    assert metrics["train_accuracy"] >= 0.95
    goal = int(np.argmax(env.unwrapped.state_rewards))
    assert int(np.argmax(fresh(None, None, np.arange(env.unwrapped.n_states)))) == goal


@pytest.mark.slow
def test_a2c_and_sac_train_unchanged_and_sac_buffer_is_relabelled():
    base = make_vec_env(GRID, n_envs=2, seed=1)
    rm = RewardModel.for_env(base, kind="linear", inputs=("next_obs",))
    venv = VecLearnedReward(base, rm)
    cb = PreferenceLearningCallback(rm, SyntheticTeacher(1), total_labels=20, segment_length=8, seed=1)
    A2C("MlpPolicy", venv, seed=1, device="cpu", n_steps=16).learn(1200, callback=cb)
    assert cb.queries_asked == 20

    penv = make_vec_env("Pendulum-v1", n_envs=1, seed=2)
    prm = RewardModel.for_env(penv, hidden_sizes=(16,), ensemble_size=2)
    penv = VecLearnedReward(penv, prm)
    sac = SAC("MlpPolicy", penv, seed=2, device="cpu", learning_starts=200, batch_size=64,
              policy_kwargs={"net_arch": [32, 32]})
    cb = PreferenceLearningCallback(prm, SyntheticTeacher(2), total_labels=20, segment_length=10,
                                    query="disagreement", seed=2)
    sac.learn(600, callback=cb)
    assert cb.queries_asked == 20
    rb = sac.replay_buffer
    n = rb.pos
    acts = sac.policy.unscale_action(rb.actions[:n, 0])
    expected = prm(rb.observations[:n, 0], acts, rb.next_observations[:n, 0])
    # Only transitions collected after the last reward update keep their original reward.
    assert np.allclose(rb.rewards[: n - 100, 0], expected[: n - 100], atol=1e-5)


def test_callback_refuses_what_it_cannot_use(tmp_path):
    venv = make_vec_env(GRID, n_envs=1)
    rm = RewardModel.for_env(venv)
    with pytest.raises(ValueError, match="disagreement"):
        PreferenceLearningCallback(rm, SyntheticTeacher(0), 10, query="disagreement")
    with pytest.raises(ValueError, match="ReplayTeacher"):
        PreferenceLearningCallback(rm, ReplayTeacher(LabelStore(tmp_path / "l.jsonl")), 10)
    cb = PreferenceLearningCallback(rm, SyntheticTeacher(0), 10)
    with pytest.raises(ValueError, match="no VecLearnedReward"):
        PPO("MlpPolicy", venv, n_steps=16, batch_size=16, device="cpu").learn(32, callback=cb)


def test_pool_steps_keeps_only_the_clips_of_the_newest_steps():
    """Queries come from the clips of the latest ``pool_steps`` transitions, whatever the clip length."""
    venv = make_vec_env(GRID, n_envs=2, seed=4)
    rm = RewardModel.for_env(venv, kind="linear", inputs=("next_obs",))
    venv = VecLearnedReward(venv, rm)
    cb = PreferenceLearningCallback(rm, SyntheticTeacher(4), total_labels=10, segment_length=8,
                                    pool_steps=64, seed=4)
    assert cb.pool_size == 8
    PPO("MlpPolicy", venv, seed=4, device="cpu", n_steps=64, batch_size=64, n_epochs=1).learn(512, callback=cb)
    assert cb.recorder.total_steps == 512 and len(cb.recorder.take()) == 8
    assert PreferenceLearningCallback(rm, SyntheticTeacher(4), 10, segment_length=8).pool_size == 3000
    for bad in (15, 0, 64.0, True):
        with pytest.raises(ValueError, match=r"pool_steps=.*allowed: None or an integer >= 2 x segment_length \(16\)"):
            PreferenceLearningCallback(rm, SyntheticTeacher(4), 10, segment_length=8, pool_steps=bad)


def test_label_batches_sets_how_many_refits_spend_the_budget():
    """The budget is asked in batches of at least total // label_batches labels, one refit after each."""
    fits = {}
    for batches in (40, 8):
        venv = make_vec_env(GRID, n_envs=2, seed=5)
        rm = RewardModel.for_env(venv, kind="linear", inputs=("next_obs",))
        cb = PreferenceLearningCallback(rm, SyntheticTeacher(5), total_labels=40, segment_length=4, schedule="constant",
                                        initial_fraction=0.05, label_until=1.0, label_batches=batches, seed=5)
        PPO("MlpPolicy", VecLearnedReward(venv, rm), seed=5, device="cpu", n_steps=8, batch_size=16,
            n_epochs=1).learn(640, callback=cb)
        assert cb.queries_asked == 40
        fits[batches] = len(cb.trainer.history)
    assert fits[8] <= 8 < 20 <= fits[40]
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match=r"label_batches=.*allowed: an integer >= 1"):
            PreferenceLearningCallback(rm, SyntheticTeacher(5), 10, label_batches=bad)


def test_ppo_rollout_rewards_are_rewritten_after_a_reward_update():
    """The first rollout was collected with an untrained reward; after the update the
    buffer holds the new rewards and advantages recomputed from them."""
    venv = make_vec_env(GRID, n_envs=2, seed=3)
    rm = RewardModel.for_env(venv, kind="linear", inputs=("next_obs",))
    venv = VecLearnedReward(venv, rm)
    seen = {}

    class Probe(PreferenceLearningCallback):
        def _on_rollout_end(self):
            super()._on_rollout_end()
            if "rewards" not in seen:
                buf = self.model.rollout_buffer
                nxt = np.stack([step[2] for step in self._rollout])
                seen["rewards"], seen["nxt"] = buf.rewards.copy(), nxt
                seen["advantages"] = buf.advantages.copy()
                seen["ends"] = np.vstack([buf.episode_starts[1:], np.ones((1, buf.n_envs))]) > 0
                seen["expected"] = rm(None, None, nxt.reshape(-1)).reshape(nxt.shape)

    model = PPO("MlpPolicy", venv, seed=3, device="cpu", n_steps=64, batch_size=64, n_epochs=1)
    cb = Probe(rm, SyntheticTeacher(3), total_labels=30, initial_fraction=1.0, segment_length=8, seed=3)
    model.learn(128, callback=cb)
    assert cb.queries_asked == 30 and np.ptp(seen["expected"]) > 0
    # Steps that ended an episode may also hold SB3's time-limit bootstrap term.
    keep = ~seen["ends"]
    assert keep.sum() > 50 and np.allclose(seen["rewards"][keep], seen["expected"][keep], atol=1e-5)
    assert np.abs(seen["advantages"]).sum() > 0


def test_reward_diagnostics_log_the_learned_reward_against_the_truth():
    """A 'learned' reward that is the truth (GridWorld pays on entering a cell) correlates exactly;
    one that is its negative gives -1; event ratios read a reward twice the truth as 2."""
    from types import SimpleNamespace

    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.rlhf.diagnostics import RewardDiagnostics, event_ratios
    from rlhf_gym.wrappers import VecLearnedReward

    for sign in (1.0, -1.0):
        venv = make_vec_env("rlhf_gym/GridWorld-v0", n_envs=2, seed=0)
        cells = venv.get_attr("state_rewards")[0]
        wrapper = VecLearnedReward(venv, lambda obs, act, nxt, dones: sign * cells[np.asarray(nxt, dtype=int)])
        pref = SimpleNamespace(wrapper=wrapper, labels=[1.0, 0.0], metrics={"val_accuracy": 1.0}, episode_true_returns=[])
        diag = RewardDiagnostics(pref, every=500)
        PPO("MlpPolicy", wrapper, n_steps=256, batch_size=64, seed=0, device="cpu").learn(2048, callback=diag)
        rows = [r for r in diag.rows if np.isfinite(r["reward_pearson"])]
        assert len(rows) >= 2 and rows[0]["labels"] == 2 and not wrapper.listeners
        assert all(abs(r["reward_pearson"] - sign) < 1e-6 for r in rows), rows

    truth = np.array([0.0, 0.0, 1.0, -1.0, 0.0, 1.0])
    events = {"good": truth > 0, "bad": truth < 0}
    scaled = lambda obs, act, nxt: 2.0 * truth + 5.0  # noqa: E731  (a reward twice the truth, shifted)
    assert event_ratios(scaled, None, None, None, truth, events) == {"good": 2.0, "bad": 2.0}


def test_exploration_bonus_and_labelled_normalisation_are_wired_in():
    """With explore_bonus the agent's reward is the OptimisticReward, its beta falls to 0 by label_until and the wrapper gets the plain model back afterwards;
    normalize_on="labelled" scales the reward to output_scale over every judged clip."""
    from rlhf_gym.data.segments import stack_segments
    from rlhf_gym.rewards import OptimisticReward

    venv = make_vec_env("Pendulum-v1", n_envs=2, seed=5)
    rm = RewardModel.for_env(venv, kind="mlp", hidden_sizes=(16,), ensemble_size=3, output_scale=0.1, seed=5)
    venv = VecLearnedReward(venv, rm)
    betas = []

    class Probe(PreferenceLearningCallback):
        def _on_rollout_end(self):
            super()._on_rollout_end()
            assert isinstance(self.wrapper.reward_fn, OptimisticReward)
            betas.append(self.agent_reward.beta)

    cb = Probe(rm, SyntheticTeacher(5), total_labels=40, segment_length=10, query="random", label_until=0.5,
               normalize_on="labelled", explore_bonus=1.5, seed=5)
    PPO("MlpPolicy", venv, seed=5, device="cpu", n_steps=64, batch_size=64, n_epochs=1).learn(1024, callback=cb)
    assert betas[0] > 1.0 and betas[-1] == 0.0 and betas == sorted(betas, reverse=True)
    assert venv.reward_fn is rm
    judged = stack_segments(cb.judged_clips())
    valid = judged["valid"].reshape(-1)
    flat = {k: judged[k].reshape((-1,) + judged[k].shape[2:])[valid] for k in ("obs", "actions", "next_obs")}
    members = rm.member_rewards(flat["obs"], flat["actions"], flat["next_obs"])
    assert np.allclose(members.mean(axis=1), 0.0, atol=1e-4) and np.allclose(members.std(axis=1), 0.1, atol=1e-4)
    with pytest.raises(ValueError, match="normalize_on='everything'"):
        PreferenceLearningCallback(rm, SyntheticTeacher(0), 10, normalize_on="everything")
    with pytest.raises(ValueError, match="explore_bonus=1.0 .non-zero. needs an ensemble"):
        PreferenceLearningCallback(RewardModel.for_env(venv, kind="mlp", ensemble_size=1), SyntheticTeacher(0), 10,
                                   explore_bonus=1.0)
    with pytest.raises(ValueError, match="explore_bonus=nan; allowed: a finite float"):
        PreferenceLearningCallback(rm, SyntheticTeacher(0), 10, explore_bonus=float("nan"))
