"""A few demonstrations first: expert clips recorded from the run's seed, cloned into the policy, and
free "demonstration beats agent clip" pairs in every reward fit."""

import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.presets import load
from rlhf_gym.rlhf.demonstrations import clone_into, demo_pairs, record_demonstrations
from rlhf_gym.rlhf.pipeline import make_agent, make_venv, run_rlhf


def _cfg(*overrides):
    return load("backflip-v1").with_overrides(["seed=2", *overrides])


def test_recorded_demonstrations_are_the_experts_successful_episodes_and_repeat_with_the_seed():
    cfg = _cfg("demos.episodes=3")
    clips = record_demonstrations(cfg)
    assert len(clips) == 3 and all(len(c) == cfg.schedule.segment_length == 200 for c in clips)
    assert all(c.true_return() > 40.0 for c in clips)  # a landed, standing backflip pays about 50 on v1
    again = record_demonstrations(cfg)
    assert all(np.array_equal(a.obs, b.obs) for a, b in zip(clips, again))
    other = record_demonstrations(_cfg("demos.episodes=3", "seed=3"))
    assert not np.array_equal(clips[0].obs, other[0].obs)


def test_cloning_makes_the_policy_act_as_the_expert_on_its_states():
    cfg = _cfg("demos.episodes=4", "demos.bc_epochs=60")
    clips = record_demonstrations(cfg)
    agent = make_agent(cfg, make_venv(cfg))
    obs = np.concatenate([c.obs for c in clips])
    expert_actions = np.concatenate([c.actions for c in clips])
    before = np.mean((agent.predict(obs, deterministic=True)[0] - expert_actions) ** 2)
    stats = clone_into(agent, clips, cfg.demos.bc_epochs, cfg.seed)
    after = np.mean((agent.predict(obs, deterministic=True)[0] - expert_actions) ** 2)
    assert stats["bc_samples"] == len(obs) and after == pytest.approx(stats["bc_mse"], rel=1e-3)
    assert after < 0.1 * before


def test_demo_pairs_put_a_demonstration_first_and_labels_it_better():
    rng = np.random.default_rng(0)
    demos, pool = ["d0", "d1"], ["a0", "a1", "a2"]
    pairs, labels = demo_pairs(demos, pool, 7, rng)
    assert len(pairs) == 7 and labels == [1.0] * 7
    assert all(left in demos and right in pool for left, right in pairs)
    assert demo_pairs([], pool, 7, rng) == ([], []) and demo_pairs(demos, pool, 0, rng) == ([], [])


@pytest.mark.slow
def test_free_pairs_join_every_reward_fit_and_are_neither_asked_nor_stored(tmp_path):
    cfg = _cfg("agent.steps=4096", "schedule.labels=12", "schedule.segment_length=25", "schedule.label_batches=2",
               "demos.episodes=2", "demos.pairs=40")
    _, _, cb, _ = run_rlhf(cfg, tmp_path / "labels.jsonl")
    assert cb.queries_asked == 12 and len(cb.labels) == 12
    assert cb.metrics["n_labels"] == 12 + 40
    assert sum(1 for line in (tmp_path / "labels.jsonl").read_text().splitlines() if '"label"' in line) == 12


@pytest.mark.parametrize("overrides, message", [
    (["demos.episodes=0", "demos.bc_epochs=0", "demos.pairs=5"], "demos.pairs: 5; allowed: 0 with demos.episodes 0"),
    (["demos.episodes=0", "demos.pairs=0", "demos.bc_epochs=3"], "demos.bc_epochs: 3; allowed: 0 with demos.episodes 0"),
    (["demos.episodes=-1"], "demos.episodes: -1; allowed: an integer >= 0"),
])
def test_bad_demo_settings_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        load("backflip-v1").with_overrides(overrides)


def test_an_env_without_an_expert_is_named():
    cfg = load("default", "MountainCar-v0").with_overrides(["demos.episodes=2"])
    with pytest.raises(ValueError, match="demos.episodes: 2, but MountainCar-v0 has no scripted expert"):
        record_demonstrations(cfg)
