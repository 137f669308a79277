"""Reward models, the Bradley-Terry loss and the trainer, checked against known truth."""

import math

import gymnasium as gym
from gymnasium import spaces
import numpy as np
import pytest
import torch

import rlhf_gym  # noqa: F401
from rlhf_gym.feedback import Segment, SyntheticTeacher, collect_segments, random_pairs
from rlhf_gym.rewards import RewardModel, RewardTrainer, bradley_terry_loss, load_reward_model, save_reward_model
from rlhf_gym.rewards.io import state_equal
from rlhf_gym.rewards.trainer import EncodedClips, flushed_denormals


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _labelled_pairs(env, n_segments, n_pairs, length, seed, **teacher_kwargs):
    rng = np.random.default_rng(seed)
    segs = collect_segments(env, n_segments, length, rng)
    teacher = SyntheticTeacher(rng, **teacher_kwargs)
    pairs = [(segs[i], segs[j]) for i, j in random_pairs(len(segs), n_pairs, rng)]
    labels = teacher.label_pairs(pairs)
    return segs, pairs, labels


def test_loss_matches_the_formula_with_ties_and_error_rate():
    r1, r2 = torch.tensor([2.0, 0.0, -1.0]), torch.tensor([0.5, 0.0, 3.0])
    mu = torch.tensor([1.0, 0.5, 0.0])
    p = torch.exp(r1) / (torch.exp(r1) + torch.exp(r2))
    expected = -(mu * torch.log(p) + (1 - mu) * torch.log(1 - p))
    assert torch.allclose(bradley_terry_loss(r1, r2, mu, reduce=False), expected, atol=1e-6)
    pe = 0.9 * p + 0.05
    expected_e = -(mu * torch.log(pe) + (1 - mu) * torch.log(1 - pe))
    assert torch.allclose(bradley_terry_loss(r1, r2, mu, error_rate=0.1, reduce=False), expected_e, atol=1e-6)
    # A tie is minimised by equal returns.
    assert float(bradley_terry_loss(torch.tensor([0.0]), torch.tensor([0.0]), [0.5])) == pytest.approx(math.log(2))


def test_fits_flush_denormals_and_give_torchs_default_back():
    """A confidently ordered pair's gradient underflows to denormals (slow on CPUs); fits flush them."""
    tiny = torch.tensor([1e-39])  # a float32 denormal
    with flushed_denormals():
        if float(tiny * 1.0) != 0.0:
            pytest.skip("this CPU cannot flush denormals")
        r = torch.tensor([95.0, 0.0], requires_grad=True)  # ordered by 95 nats: a denormal gradient
        bradley_terry_loss(r[:1], r[1:], [1.0], error_rate=0.1).backward()
        assert float(r.grad.abs().max()) == 0.0
    assert float(tiny * 1.0) != 0.0  # torch's default again
    env = gym.make("rlhf_gym/ObjectWorld-v0", size=8)
    _, pairs, labels = _labelled_pairs(env, 20, 20, 8, seed=1)
    model = RewardModel(env.observation_space, env.action_space, kind="linear", inputs=("next_obs",))
    RewardTrainer(model, np.random.default_rng(0), max_epochs=2).train(pairs, labels)
    assert float(tiny * 1.0) != 0.0


@pytest.mark.parametrize("kind,error_rate", [("table", 0.0), ("features", 0.1)])
def test_bradley_terry_recovers_gridworld_state_rewards(kind, error_rate):
    """Known per-state rewards of an 8x8 ObjectWorld come back from synthetic labels."""
    env = gym.make("rlhf_gym/ObjectWorld-v0", size=8)
    base = env.unwrapped
    _, pairs, labels = _labelled_pairs(env, 300, 600, 8, seed=1, error_rate=error_rate)
    feats = base.state_features if kind == "features" else None
    model = RewardModel(env.observation_space, env.action_space, kind="linear", inputs=("next_obs",), features=feats)
    trainer = RewardTrainer(model, np.random.default_rng(0), max_epochs=300, patience=20, assumed_error_rate=error_rate)
    metrics = trainer.train(pairs, labels)
    learned = model(None, None, np.arange(base.n_states))
    r = np.corrcoef(learned, base.state_rewards)[0, 1]
    assert r >= 0.9, (r, metrics)
    assert metrics["val_accuracy"] >= 0.95 - error_rate, metrics


def test_mlp_ensemble_learns_pendulum_reward_and_round_trips(tmp_path):
    env = gym.make("Pendulum-v1")
    segs, pairs, labels = _labelled_pairs(env, 200, 400, 10, seed=2)
    model = RewardModel.for_env(env, kind="mlp", hidden_sizes=(32, 32), ensemble_size=3, seed=3)
    metrics = RewardTrainer(model, np.random.default_rng(1), max_epochs=60).train(pairs, labels)
    assert metrics["val_accuracy"] >= 0.85, metrics
    obs = np.stack([s.obs for s in segs]).reshape(-1, 3)
    act = np.stack([s.actions for s in segs]).reshape(-1, 1)
    out = model(obs, act, obs, None)
    assert abs(out.mean()) < 0.2 and 0.5 < out.std() < 1.5  # output normalisation
    truth = np.concatenate([s.true_rewards for s in segs])
    assert np.corrcoef(out, truth)[0, 1] >= 0.8
    save_reward_model(model, tmp_path / "rm")
    loaded = load_reward_model(tmp_path / "rm.safetensors")
    assert state_equal(model, loaded)
    assert np.array_equal(loaded(obs, act, obs, None), out)
    assert loaded.config() == model.config()


def test_dropping_suspect_labels_finds_teacher_mistakes():
    """With 20% flipped answers, the labels the first fit contradicts most are mostly the flipped ones."""
    env = gym.make("Pendulum-v1")
    segs, pairs, labels = _labelled_pairs(env, 200, 400, 10, seed=2, error_rate=0.2)
    wrong = np.array([lab != float(a.true_return() > b.true_return()) for (a, b), lab in zip(pairs, labels)])
    assert 0.15 < wrong.mean() < 0.25
    test = collect_segments(env, 100, 10, np.random.default_rng(9))
    obs, act = np.stack([s.obs for s in test]).reshape(-1, 3), np.stack([s.actions for s in test]).reshape(-1, 1)
    truth = np.concatenate([s.true_rewards for s in test])
    corr = {}
    for share in (0.0, 0.2):
        model = RewardModel.for_env(env, kind="mlp", hidden_sizes=(32, 32), ensemble_size=3, seed=3)
        trainer = RewardTrainer(model, np.random.default_rng(1), max_epochs=60, assumed_error_rate=0.2, drop_suspect=share)
        metrics = trainer.train(pairs, labels)
        corr[share] = np.corrcoef(model(obs, act, obs), truth)[0, 1]
    assert metrics["n_dropped"] == len(trainer.dropped) > 0.15 * len(pairs)
    assert wrong[trainer.dropped].mean() >= 0.7, wrong[trainer.dropped].mean()  # base rate 0.2
    assert corr[0.2] > corr[0.0], corr
    with pytest.raises(ValueError, match="drop_suspect"):
        RewardTrainer(model, np.random.default_rng(1), drop_suspect=0.6)
    with pytest.raises(ValueError, match="weight_decay=-1"):
        RewardTrainer(model, np.random.default_rng(1), weight_decay=-1.0)


def _spurious_clips(rng, n, spurious):
    """Clips whose true reward is obs[0] per step; obs[1] copies obs[0] with noise when ``spurious``
    (it went with the reward in training), obs[2:] is noise."""
    out = []
    for _ in range(n):
        x = rng.normal(size=(10, 6)).astype(np.float32)
        if spurious:
            x[:, 1] = x[:, 0] + 0.3 * rng.normal(size=10)
        out.append(Segment(x, np.zeros((10, 1), np.float32), x, x[:, 0].astype(np.float64)))
    return out


def test_input_clip_caps_how_far_an_unseen_state_reaches(tmp_path):
    """A feature almost constant in training reaches the net clipped at c standard deviations."""
    env = gym.make("Pendulum-v1")
    segs, pairs, labels = _labelled_pairs(env, 60, 120, 10, seed=4)
    for seg in segs:  # a rare flag: the first step of the first clip only
        seg.obs[:, 2] = 0.0
    segs[0].obs[0, 2] = 1.0
    model = RewardModel.for_env(env, kind="mlp", inputs=("obs",), hidden_sizes=(16,), ensemble_size=2, input_clip=3.0)
    RewardTrainer(model, np.random.default_rng(0), max_epochs=5).train(pairs, labels)
    mean, std = model.net.in_mean[2].item(), model.net.in_std[2].item()
    assert (1.0 - mean) / std > 3.0  # without the clip the flag would reach the net beyond 3 sigma
    base = np.zeros((1, 3), dtype=np.float32)
    at_clip, far = base.copy(), base.copy()
    at_clip[0, 2], far[0, 2] = mean + 3.0 * std, 1e6
    act = np.zeros((1, 1), dtype=np.float32)
    assert np.allclose(model(far, act, far), model(at_clip, act, at_clip), atol=1e-5)
    torch_out = model.net(model.encode(far, act, far)).detach().numpy()
    assert np.allclose(torch_out, model.member_rewards(far, act, far, normalized=False), atol=1e-4)
    save_reward_model(model, tmp_path / "rm")
    loaded = load_reward_model(tmp_path / "rm")
    assert loaded.input_clip == 3.0 and np.array_equal(loaded(far, act, far), model(far, act, far))
    with pytest.raises(ValueError, match="input_clip"):
        RewardModel.for_env(env, input_clip=0.0)


def test_symlog_inputs_resolve_small_values_beside_huge_ones_and_survive_save_load(tmp_path):
    """An input whose range explodes (a spinning pole: hundreds of radians) beside a region that matters
    (within 0.2 of zero): symlog keeps the small values as they are, so after standardising the region
    is wide enough to tell apart; the transform is saved with the model."""
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    x = np.zeros((1000, 4), np.float32)
    x[:, 2] = np.where(rng.random(1000) < 0.05, rng.uniform(-0.2, 0.2, 1000), rng.uniform(-300, 300, 1000))
    act = np.zeros(1000, np.int64)
    widths = {}
    for transform in ("none", "symlog"):
        model = RewardModel.for_env(env, kind="mlp", inputs=("next_obs",), ensemble_size=1, input_transform=transform)
        z = model.encode_np(x, act, x)[:, 2]
        band = 0.4 if transform == "none" else 2 * np.log1p(0.2)  # |x| <= 0.2 after the transform
        widths[transform] = band / z.std()
        if transform == "symlog":
            np.testing.assert_allclose(z, np.sign(x[:, 2]) * np.log1p(np.abs(x[:, 2])), rtol=1e-6)
            save_reward_model(model, tmp_path / "rm")
            loaded = load_reward_model(tmp_path / "rm")
            assert loaded.input_transform == "symlog" and np.array_equal(loaded.encode_np(x, act, x), model.encode_np(x, act, x))
    assert widths["symlog"] > 20 * widths["none"]  # the upright band, in standard deviations of the input
    with pytest.raises(ValueError, match="input_transform='log'; allowed: none, symlog"):
        RewardModel.for_env(env, input_transform="log")


def test_ignored_obs_entries_do_not_change_the_reward_and_survive_save_load(tmp_path):
    """A clock the reward must not read: any value of the ignored entry gives the same reward."""
    env = gym.make("Pendulum-v1")
    _, pairs, labels = _labelled_pairs(env, 40, 60, 5, seed=6)
    model = RewardModel.for_env(env, kind="mlp", inputs=("obs", "obs_change"), hidden_sizes=(16,), ensemble_size=2,
                                ignore_obs=(2,))
    RewardTrainer(model, np.random.default_rng(0), max_epochs=5).train(pairs, labels)
    rng = np.random.default_rng(1)
    obs, nxt = rng.normal(size=(50, 3)).astype(np.float32), rng.normal(size=(50, 3)).astype(np.float32)
    act = rng.uniform(-2, 2, size=(50, 1)).astype(np.float32)
    moved, moved_next = obs.copy(), nxt.copy()
    moved[:, 2] += 7.0
    moved_next[:, 2] -= 3.0
    assert np.ptp(model(obs, act, nxt)) > 0
    assert np.array_equal(model(obs, act, nxt), model(moved, act, moved_next))
    other = obs.copy()
    other[:, 1] += 1.0
    assert not np.allclose(model(obs, act, nxt), model(other, act, nxt))  # the rest is still read
    save_reward_model(model, tmp_path / "rm")
    loaded = load_reward_model(tmp_path / "rm")
    assert loaded.ignore_obs == (2,) and np.array_equal(loaded(moved, act, moved_next), model(obs, act, nxt))
    for bad in ((3,), (-1,), (1, 1), (True,), (0.5,)):
        with pytest.raises(ValueError, match=r"ignore_obs=.*allowed: distinct flat indices 0..2"):
            RewardModel.for_env(env, ignore_obs=bad)
    with pytest.raises(ValueError, match="ignore_obs"):
        RewardModel.for_env(gym.make("rlhf_gym/GridWorld-v0"), kind="linear", inputs=("next_obs",), ignore_obs=(0,))


def test_same_seed_same_model():
    env = gym.make("Pendulum-v1")
    _, pairs, labels = _labelled_pairs(env, 40, 60, 5, seed=4)
    models = []
    for _ in range(2):
        m = RewardModel.for_env(env, hidden_sizes=(16,), ensemble_size=2, seed=5)
        RewardTrainer(m, np.random.default_rng(6), max_epochs=5).train(pairs, labels)
        models.append(m)
    assert state_equal(*models)


def test_bad_input_is_refused(tmp_path):
    env = gym.make("Pendulum-v1")
    m = RewardModel.for_env(env)
    seg = Segment(np.zeros((4, 3)), np.zeros((4, 1)), np.zeros((4, 3)), np.zeros(4))
    short = Segment(np.zeros((3, 3)), np.zeros((3, 1)), np.zeros((3, 3)), np.zeros(3))
    trainer = RewardTrainer(m, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"labels\[0\]=0.3"):
        trainer.train([(seg, seg)], [0.3])
    with pytest.raises(ValueError, match="same length"):
        trainer.train([(seg, short)], [1.0])
    with pytest.raises(ValueError, match="kind='tree'"):
        RewardModel.for_env(env, kind="tree")
    with pytest.raises(ValueError, match="observation_space"):
        m.check_env(gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="error_rate"):
        RewardTrainer(m, np.random.default_rng(0), assumed_error_rate=1.5)
    save_reward_model(m, tmp_path / "rm")
    (tmp_path / "rm.safetensors").write_bytes(b"\x80\x04not a safetensors file")
    with pytest.raises(ValueError, match="not a safetensors file"):
        load_reward_model(tmp_path / "rm")
    save_reward_model(RewardModel.for_env(env, hidden_sizes=(8,)), tmp_path / "other")
    (tmp_path / "other.json").write_text((tmp_path / "rm.json").read_text())
    with pytest.raises(ValueError, match="does not hold the model"):
        load_reward_model(tmp_path / "other")


def test_output_scale_sets_the_learned_reward_std_and_survives_save_load(tmp_path):
    env = gym.make("Pendulum-v1")
    segs = collect_segments(env, 20, 10, np.random.default_rng(3))
    from rlhf_gym.feedback import stack_segments

    batch = stack_segments(segs)
    flat = {k: batch[k].reshape((-1,) + batch[k].shape[2:]) for k in ("obs", "actions", "next_obs")}
    for scale in (1.0, 0.1):
        rm = RewardModel.for_env(env, inputs=("obs", "action"), ensemble_size=2, output_scale=scale, seed=0)
        rm.fit_output_normalization(batch)
        members = rm.member_rewards(flat["obs"], flat["actions"], flat["next_obs"])
        assert np.allclose(members.mean(axis=1), 0.0, atol=1e-4 * scale + 1e-5)
        assert np.allclose(members.std(axis=1), scale, rtol=1e-3)
    save_reward_model(rm, tmp_path / "rm")
    back = load_reward_model(tmp_path / "rm")
    assert back.output_scale == 0.1 and state_equal(rm, back)
    with pytest.raises(ValueError, match="output_scale"):
        RewardModel.for_env(env, output_scale=0.0)


def test_obs_change_input_is_next_obs_minus_obs():
    env = gym.make("Pendulum-v1")
    rm = RewardModel.for_env(env, inputs=("obs", "obs_change"), seed=0)
    obs = np.arange(6, dtype=np.float32).reshape(2, 3)
    nxt = obs * 2.0 + 1.0
    x = rm.encode_np(obs, np.zeros((2, 1), np.float32), nxt)
    assert x.shape == (2, 6)
    assert np.array_equal(x[:, :3], obs) and np.array_equal(x[:, 3:], nxt - obs)
    with pytest.raises(ValueError, match="obs_change"):
        RewardModel.for_env(gym.make("FrozenLake-v1"), inputs=("obs_change",))


def test_optimistic_reward_adds_beta_times_the_members_spread():
    from rlhf_gym.rewards import OptimisticReward

    env = gym.make("Pendulum-v1")
    segs, pairs, labels = _labelled_pairs(env, 60, 120, 10, seed=4)
    model = RewardModel.for_env(env, kind="mlp", hidden_sizes=(16,), ensemble_size=3, seed=4)
    RewardTrainer(model, np.random.default_rng(4), max_epochs=20).train(pairs, labels)
    obs = np.stack([s.obs for s in segs]).reshape(-1, 3)
    act = np.stack([s.actions for s in segs]).reshape(-1, 1)
    members = model.member_rewards(obs, act, obs)
    assert np.array_equal(OptimisticReward(model)(obs, act, obs), model(obs, act, obs))
    bonus = OptimisticReward(model, beta=2.0)(obs, act, obs)
    assert np.allclose(bonus, members.mean(0) + 2.0 * members.std(0), atol=1e-6)
    assert (bonus > model(obs, act, obs)).mean() > 0.99  # the spread is positive wherever members differ
    penalty = OptimisticReward(model, beta=-1.0)(obs, act, obs)  # pessimism once labels end
    assert np.allclose(penalty, members.mean(0) - members.std(0), atol=1e-6)
    for bad in (float("nan"), float("inf"), "1", True):
        with pytest.raises(ValueError, match="allowed: a finite float"):
            OptimisticReward(model, beta=bad)
    single = RewardModel.for_env(env, kind="mlp", ensemble_size=1)
    for beta in (0.5, -0.5):
        with pytest.raises(ValueError, match="needs an ensemble"):
            OptimisticReward(single, beta=beta)


def test_padded_steps_are_skipped_without_changing_clip_returns():
    """Clips of episodes that end at a crash are mostly padding; the reward is not evaluated there, and the
    returns must equal the plain sum over every step times its validity."""
    env = gym.make("rlhf_gym/Backflip-v0", terminate_on_crash=True)
    segs = collect_segments(env, 12, 200, np.random.default_rng(0))
    from rlhf_gym.data.segments import stack_segments

    batch = stack_segments(segs)
    assert 0.0 < batch["valid"].mean() < 0.9  # random play crashes: the clips are partly padding
    model = RewardModel.for_env(env, inputs=("obs", "obs_change"), hidden_sizes=(16,), ensemble_size=2, seed=1)
    n, h = batch["valid"].shape
    flat = [batch[k].reshape((n * h,) + batch[k].shape[2:]) for k in ("obs", "actions", "next_obs")]
    every_step = (model.member_rewards(*flat).reshape(2, n, h) * batch["valid"][None]).sum(axis=2)
    np.testing.assert_allclose(model.segment_returns(batch, normalized=True), every_step, rtol=1e-5, atol=1e-5)

    trainer = RewardTrainer(model, np.random.default_rng(2))
    z, v = trainer._encode(segs)
    z = model.net.standardize(z)
    clips = EncodedClips(z, v)
    member = model.net.members[0]
    with torch.no_grad():
        plain = (member(z).squeeze(-1) * v).sum(-1)
        np.testing.assert_allclose(clips.returns(member, torch.arange(n)).numpy(), plain.numpy(), rtol=1e-5, atol=1e-6)
        # A shuffled minibatch: its packed rows are exactly those a mask over (B, H) picks, in its order.
        idx = torch.tensor([7, 0, 11, 3, 3])
        keep = v[idx] > 0
        masked = torch.zeros(len(idx)).index_add(0, keep.nonzero()[:, 0], member(z[idx][keep]).squeeze(-1))
        assert torch.equal(clips.returns(member, idx), masked)
