"""Backflip-v0: physics against closed-form truth, flags and reward terms, expert vs random, rendering."""

import math
import pickle

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import rlhf_gym  # noqa: F401
from rlhf_gym.envs import backflip as bf
from rlhf_gym.envs.backflip import physics as phys
from rlhf_gym.experts import expert_for
from rlhf_gym.experts.backflip_controller import BackflipExpert

ENV_ID = "rlhf_gym/Backflip-v0"


def episode(env, policy, seed):
    obs, info = env.reset(seed=seed)
    trace, done = [obs], False
    while not done:
        obs, reward, terminated, truncated, info = env.step(policy(obs))
        assert terminated is False and isinstance(reward, float) and isinstance(truncated, bool)
        assert reward == info["true_reward"]
        trace.append(obs)
        done = truncated
    return np.array(trace), info


@pytest.fixture(scope="module")
def expert_runs():
    env = gym.make(ENV_ID)
    expert = expert_for(env)
    return [episode(env, lambda o: expert.predict(o)[0], seed) for seed in range(50)]


def side_by_side(env, other, seed):
    """The expert's episode in ``env``, its actions replayed in ``other`` (same physics, other pay):
    per step (obs, reward, info, reward in other); the observations must agree."""
    expert = expert_for(env)
    obs, _ = env.reset(seed=seed)
    other.reset(seed=seed)
    steps = []
    for _ in range(env.unwrapped.horizon):
        action = expert.predict(obs)[0]
        obs, reward, _, _, info = env.step(action)
        obs2, reward2, _, _, info2 = other.step(action)
        assert np.array_equal(obs, obs2) and info["is_success"] == info2["is_success"]
        assert info2["true_reward"] == reward2
        steps.append((obs, reward, info, reward2))
    return steps


@pytest.mark.filterwarnings("ignore:.*infinity")  # unbounded physical quantities use inf bounds
def test_checkers_pass():
    gym_check_env(gym.make(ENV_ID, render_mode="rgb_array").unwrapped)
    sb3_check_env(gym.make(ENV_ID).unwrapped, warn=True)


def test_same_seed_same_trajectory_other_seed_differs():
    def run(seed):
        env = gym.make(ENV_ID)
        env.action_space.seed(seed)
        return episode(env, lambda o: env.action_space.sample(), seed)[0]

    a, b, c = run(5), run(5), run(6)
    assert np.array_equal(a, b)
    assert not np.array_equal(a[:3], c[:3])


def test_fixed_horizon_and_observation_in_space(expert_runs):
    env = gym.make(ENV_ID, horizon=37)
    rng = np.random.default_rng(0)
    trace, _ = episode(env, lambda o: rng.uniform(-1, 1, 2).astype(np.float32), 0)
    assert len(trace) == 38  # reset + 37 steps, the last one truncated
    space = env.observation_space
    for trace, _ in expert_runs[:10] + [(trace, None)]:
        assert trace.dtype == np.float32 and np.isfinite(trace).all()
        assert all(space.contains(o) for o in trace)


def test_expert_succeeds_and_random_does_not(expert_runs):
    expert_success = np.mean([info["is_success"] for _, info in expert_runs])
    assert expert_success >= 0.9
    assert all(info["flips"] == 1 for _, info in expert_runs if info["is_success"])
    env = gym.make(ENV_ID)
    rng = np.random.default_rng(1)
    random_runs = [episode(env, lambda o: rng.uniform(-1, 1, 2).astype(np.float32), s)
                   for s in range(50)]
    assert np.mean([info["is_success"] for _, info in random_runs]) <= 0.1
    assert np.mean([info["flips"] >= 1 for _, info in random_runs]) <= 0.1


def test_expert_predict_is_batched():
    env = gym.make(ENV_ID)
    obs, _ = env.reset(seed=0)
    expert = BackflipExpert(env)
    single, state = expert.predict(obs)
    batch, _ = expert.predict(np.stack([obs, obs, obs]))
    assert single.shape == (2,) and batch.shape == (3, 2) and state is None
    assert np.array_equal(batch[1], single) and env.action_space.contains(single)
    with pytest.raises(ValueError, match="observation"):
        expert.predict(np.zeros(5))


@pytest.mark.parametrize("bad", [np.zeros(3), [0.0, float("nan")], np.array([1.5, 0.0]),
                                 [[0.0, 0.0]], "up", np.array([0.0, -1.01], np.float32)])
def test_bad_actions_raise(bad):
    env = gym.make(ENV_ID).unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(bad)


def test_bad_constructor_arguments_raise():
    with pytest.raises(ValueError, match="horizon"):
        bf.BackflipEnv(horizon=0)
    with pytest.raises(ValueError, match="render_mode"):
        bf.BackflipEnv(render_mode="video")
    for bad in (-0.5, float("nan"), float("inf"), True, "2"):
        for name in ("crash_penalty", "stand_reward"):
            with pytest.raises(ValueError, match=name):
                bf.BackflipEnv(**{name: bad})


def test_flight_follows_ballistics_and_conserves_angular_momentum():
    s = phys.PogoState(x=0.0, y=5.0, vx=0.7, vy=2.0, theta=0.0, omega=3.0, r=phys.R_MAX)
    ang_mom = s.ang_mom
    phys.advance(s, -1.0, 0.0)  # tuck: the leg shortens, the spin speeds up
    dt = phys.SUBSTEP_DT * phys.SUBSTEPS
    assert not s.contact and s.vx == pytest.approx(0.7)
    assert s.vy == pytest.approx(2.0 - phys.G * dt)
    assert s.ang_mom == pytest.approx(ang_mom)
    for _ in range(10):
        phys.advance(s, -1.0, 0.0)
    assert s.r == pytest.approx(phys.R_MIN, abs=1e-3)
    assert s.omega == pytest.approx(3.0 * phys.inertia(phys.R_MAX) / phys.inertia(s.r))
    assert s.omega > 1.9 * 3.0  # the tuck roughly doubles the spin


def test_standing_settles_at_the_spring_equilibrium():
    s = phys.PogoState(x=0.0, y=0.9, vx=0.0, vy=0.0, theta=0.0, omega=0.0, r=0.75)
    for _ in range(150):
        phys.advance(s, 0.0, 0.0)
    assert s.contact and not s.crashed
    assert s.leg_length() == pytest.approx(0.75 - phys.MASS * phys.G / phys.K_LEG, abs=2e-3)


def test_flip_counting_crash_and_reward_terms():
    env = gym.make(ENV_ID).unwrapped
    env.reset(seed=0)
    # High in the air, spinning backward: one turn completes at 2 pi - TOL.
    env.state = phys.PogoState(x=0.0, y=30.0, vx=0.0, vy=0.0, theta=0.0, omega=8.0, r=phys.R_MIN)
    env.best_angle = 0.0
    total, flips_seen = 0.0, []
    while env.state.theta < 2 * math.pi - bf.TOL:
        obs, reward, _, _, info = env.step(np.array([-1.0, 0.0], np.float32))
        total += reward
        flips_seen.append(info["flips"])
    assert flips_seen[-1] == 1 and flips_seen[:-1] == [0] * (len(flips_seen) - 1)
    assert obs[bf.OBS_INDEX["flipped"]] == 1.0 and obs[bf.OBS_INDEX["flip_progress"]] > 0.9
    assert not info["landed_upright"] and not info["is_success"]
    # Paid about SPIN_WEIGHT per turn at full height weight (less the post-flip spin cost).
    assert 0.8 * bf.SPIN_WEIGHT < total <= bf.SPIN_WEIGHT
    # Upside down just above the ground: the body hits it -> crash penalty, once.
    env.state = phys.PogoState(x=0.0, y=0.32, vx=0.0, vy=-1.0, theta=math.pi, omega=0.0, r=0.75)
    _, reward, _, _, info = env.step(np.zeros(2, np.float32))
    assert info["crashed"] and reward == pytest.approx(-bf.CRASH_PENALTY)
    env.state.ang_mom = 5.0  # a crashed body counts no more flips
    best = env.best_angle
    for _ in range(10):
        _, reward, _, _, info = env.step(np.zeros(2, np.float32))
        assert info["crashed"] and reward == 0.0
    assert env.best_angle == best


@pytest.mark.parametrize("penalty", [0.0, 0.5, np.float32(1.0)])
def test_crash_penalty_argument_sets_the_price_of_a_crash(penalty):
    env = gym.make(ENV_ID, crash_penalty=penalty).unwrapped
    env.reset(seed=0)
    env.state = phys.PogoState(x=0.0, y=0.32, vx=0.0, vy=-1.0, theta=math.pi, omega=0.0, r=0.75)
    _, reward, _, _, info = env.step(np.zeros(2, np.float32))
    assert info["crashed"] and reward == pytest.approx(-penalty) and penalty != bf.CRASH_PENALTY


def test_terminate_on_crash_ends_the_episode_on_the_crash_step_and_changes_nothing_else():
    """Opt-in: the same seeded actions give the same steps; the episode ends where the crash happens."""
    rng = np.random.default_rng(3)
    ended_early = 0
    for ep in range(6):
        actions = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
        plain, ending = gym.make(ENV_ID).unwrapped, gym.make(ENV_ID, terminate_on_crash=True).unwrapped
        plain.reset(seed=ep), ending.reset(seed=ep)
        for t, a in enumerate(actions):
            obs, reward, term, trunc, info = plain.step(a)
            obs2, reward2, term2, trunc2, info2 = ending.step(a)
            assert np.array_equal(obs, obs2) and reward == reward2 and info == info2
            assert not term and trunc == (t == 199)
            assert term2 == info["crashed"] and (trunc2 == (t == 199 and not term2))
            if term2:
                ended_early += 1
                break
    assert ended_early >= 3  # random play crashes in most episodes
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match="terminate_on_crash must be a bool"):
            bf.BackflipEnv(terminate_on_crash=bad)


def test_hip_stop_prevents_spinning_the_body_on_a_planted_leg():
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    still = np.zeros(2, np.float32)
    for _ in range(40):
        env.step(still)
    state = env.unwrapped.state
    assert state.contact and not state.crashed  # standing
    state.ang_mom = 5.0 * phys.inertia(state.r)  # a free hip would let this spin on and on
    for _ in range(50):
        _, _, _, _, info = env.step(still)
    assert state.contact and info["flips"] == 0
    assert env.unwrapped.best_angle < phys.HIP_LIMIT + 0.3


def test_landing_bonus_is_paid_once(expert_runs):
    env = gym.make(ENV_ID)
    expert = expert_for(env)
    obs, _ = env.reset(seed=0)
    bonuses = 0
    for _ in range(env.unwrapped.horizon):
        obs, reward, _, _, info = env.step(expert.predict(obs)[0])
        bonuses += reward > bf.LAND_BONUS * 0.9
        assert info["landed_upright"] == (obs[bf.OBS_INDEX["contact"]] == 1.0
                                          and obs[bf.OBS_INDEX["cos_angle"]] >= math.cos(bf.TOL)
                                          and info["flips"] >= 1)
    assert bonuses == 1 and info["is_success"]


def test_stand_reward_argument_sets_the_pay_per_step_standing():
    steps = side_by_side(gym.make(ENV_ID), gym.make(ENV_ID, stand_reward=np.float32(0.3)), seed=1)
    standing = sum(info["landed_upright"] for _, _, info, _ in steps)
    gap = sum(richer - reward for _, reward, _, richer in steps)
    assert standing > 100 and gap == pytest.approx((0.3 - bf.STAND_REWARD) * standing, rel=1e-5)


def test_rgb_frames_have_shape_and_change():
    env = gym.make(ENV_ID, render_mode="rgb_array", width=160, height=120)
    expert = expert_for(env)
    obs, _ = env.reset(seed=2)
    frames = [env.render()]
    for _ in range(30):
        obs, *_ = env.step(expert.predict(obs)[0])
        frames.append(env.render())
    assert frames[0].shape == (120, 160, 3) and frames[0].dtype == np.uint8
    assert len({f.tobytes() for f in frames}) > 20
    body = np.all(frames[-1] == bf_body_color(), axis=-1)
    assert body.sum() > 20  # the body is drawn


def bf_body_color():
    from rlhf_gym.envs.backflip import render as backflip_render

    return np.array(backflip_render.BODY, dtype=np.uint8)


def test_human_render_under_dummy_driver():
    env = gym.make(ENV_ID, render_mode="human", width=96, height=64)
    env.reset(seed=0)
    env.unwrapped.metadata = dict(env.unwrapped.metadata, render_fps=1000)  # no waiting
    for _ in range(3):
        env.step(np.zeros(2, np.float32))
    assert env.render() is None
    env.close()


def test_pickle_and_subprocess_vec_env():
    env = gym.make(ENV_ID)
    env.reset(seed=3)
    clone = pickle.loads(pickle.dumps(env))
    a = np.array([0.3, -0.2], np.float32)
    assert np.array_equal(env.step(a)[0], clone.step(a)[0])

    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import SubprocVecEnv

    # Workers are fresh interpreters (forkserver): "module:id" imports rlhf_gym there.
    venv = make_vec_env(f"rlhf_gym:{ENV_ID}", n_envs=2, seed=0, vec_env_cls=SubprocVecEnv)
    try:
        obs = venv.reset()
        obs, rewards, dones, infos = venv.step(np.zeros((2, 2), np.float32))
        assert obs.shape == (2, len(bf.OBS_FIELDS)) and "true_reward" in infos[0]
    finally:
        venv.close()


def test_touchdown_quality_is_one_upright_and_still_and_zero_far_off():
    assert bf.touchdown_quality(2 * math.pi, 0.0) == pytest.approx(1.0)
    assert bf.touchdown_quality(2 * math.pi + 0.25 * math.pi, 0.0) == pytest.approx(0.5)
    assert bf.touchdown_quality(2 * math.pi, -0.5 * bf.TOUCHDOWN_SPIN) == pytest.approx(0.5)
    assert bf.touchdown_quality(3 * math.pi, 0.0) == 0.0 and bf.touchdown_quality(0.0, 12.0) == 0.0


@pytest.mark.filterwarnings("ignore:.*infinity")
def test_touchdown_reward_grades_the_first_touchdown_after_a_flip_once():
    """A crash after a flip earns touchdown_reward x quality; before the flip, or a second time, nothing."""
    env = bf.BackflipEnv(crash_penalty=0.0, touchdown_reward=2.0)

    def crash(theta, omega, best_angle):
        env.reset(seed=0)
        y = 0.9 * phys.body_extent(theta)  # the body already touches the ground
        env.state = phys.PogoState(x=0.0, y=y, vx=0.0, vy=-1.0, theta=theta, omega=omega, r=0.75)
        env.best_angle = best_angle
        _, reward, _, _, info = env.step(np.zeros(2, np.float32))
        assert info["crashed"]
        return reward

    tilted, upside_down = 2 * math.pi + 1.2, 3 * math.pi  # past TOL: a crash, not a landing
    # In one step the body turns by omega * 0.04 s; the quality is of the angle at the end of the step.
    assert crash(tilted, 1.0, 2 * math.pi) == pytest.approx(
        2.0 * bf.touchdown_quality(tilted + 0.04, 1.0), abs=0.02)
    assert crash(tilted, 1.0, 2 * math.pi) > crash(tilted, 6.0, 2 * math.pi) > 0.0
    assert crash(upside_down, 0.0, 2 * math.pi) == 0.0
    assert crash(tilted, 1.0, 0.0) == 0.0  # no flip yet: no touchdown reward
    for _ in range(5):  # lying there earns nothing more
        assert env.step(np.zeros(2, np.float32))[1] == 0.0


def test_backflip_v1_is_v0_with_the_landing_paid_on_the_way():
    """Same physics and success; the reward differs from v0 with v1's other sizes on one step only: the touchdown."""
    v1 = gym.make("rlhf_gym/Backflip-v1")
    base = gym.make(ENV_ID, crash_penalty=0.0, stand_reward=0.3, terminate_on_crash=True, upright_reward=0.3)
    spec = v1.unwrapped
    assert (spec.crash_penalty, spec.stand_reward, spec.touchdown_reward, spec.terminate_on_crash,
            spec.upright_reward) == (0.0, 0.3, 2.0, True, 0.3)
    steps = side_by_side(v1, base, seed=4)
    differ = [(reward - other, info["landed_upright"]) for _, reward, info, other in steps if reward != other]
    assert len(differ) == 1 and differ[0][1]  # the landing step
    assert 0.0 < differ[0][0] <= 2.0 and steps[-1][2]["is_success"]


def test_upright_reward_pays_standing_straighter_more():
    steps = side_by_side(gym.make(ENV_ID), gym.make(ENV_ID, upright_reward=0.2), seed=2)
    gap = np.array([graded - reward for _, reward, _, graded in steps])
    angle = np.array([abs(math.atan2(o[bf.OBS_INDEX["sin_angle"]], o[bf.OBS_INDEX["cos_angle"]])) for o, *_ in steps])
    standing = np.array([info["landed_upright"] for _, _, info, _ in steps])
    expected = np.where(standing, 0.2 * (1.0 - angle / bf.TOL), 0.0)
    np.testing.assert_allclose(gap, expected, atol=1e-5)
    assert (expected > 0.1).sum() > 100  # the expert stands, mostly straighter than 15 degrees
