"""ChatResponse-v0: the env obeys both checkers, and its hidden preference prefers what its manual claims."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import rlhf_gym  # noqa: F401  (registers the id)
from rlhf_gym.envs.chat import ChatExpert, ChatResponseEnv, Demonstrator, Labeller, true_score
from rlhf_gym.envs.chat.preference import word_mask
from rlhf_gym.envs.chat.vocabulary import (
    CONTENT_IDS, EMPTY, END, FILLER_IDS, MAX_LENGTH, N_TOPICS, PROMPTS, TOKENS, prompt_ids,
)


def reply(*words, end=True):
    tokens = np.full(MAX_LENGTH, EMPTY, dtype=np.int64)
    written = list(words) + ([END] if end and len(words) < MAX_LENGTH else [])
    tokens[:len(written)] = written
    return tokens


@pytest.mark.parametrize("split", ["all", "train", "held_out"])
def test_checkers_pass(split):
    env = ChatResponseEnv(prompts=split)
    gym_check_env(env, skip_render_check=True)
    sb3_check_env(env, warn=True)


def test_held_out_prompts_are_new_pairs_of_known_topics():
    train, held = prompt_ids("train"), prompt_ids("held_out")
    assert len(train) == 21 and len(held) == 7 and not set(train) & set(held)
    assert set(PROMPTS[train].ravel()) == set(range(N_TOPICS))  # every topic is seen in training
    env = ChatResponseEnv(prompts="held_out")
    seen = {env.reset(seed=s)[1]["prompt"] for s in range(60)}
    assert seen == set(held.tolist())


def test_the_true_preference_prefers_what_it_claims():
    p = 0  # weather + food: "rain", "pasta"
    a, b = (int(CONTENT_IDS[k]) for k in PROMPTS[p])
    other, filler = int(CONTENT_IDS[5]), int(FILLER_IDS[0])
    replies = {
        "ideal": reply(a, b), "with fillers": reply(filler, a, filler, b), "one right word": reply(a),
        "off topic": reply(a, b, other), "repeat": reply(a, b, a), "empty": reply(),
        "rambling": reply(a, b, *[filler] * 6), "no end": reply(a, b, *[filler] * 8, end=False),
    }
    s = {k: v for k, v in zip(replies, true_score([p] * len(replies), np.stack(list(replies.values()))))}
    assert s["ideal"] == s["with fillers"] == 2.0  # fillers within 5 words are neutral
    assert s["one right word"] == 1.0 and s["empty"] == 0.0
    assert s["off topic"] == 1.0 and s["repeat"] == 1.5
    assert s["rambling"] == 2.0 - 0.5 * 3 and s["no end"] == 2.0 - 0.5 * 5  # 8 and 10 words


def test_the_labeller_follows_bradley_terry_and_its_own_seed():
    prompts = np.zeros(20_000, dtype=np.int64)
    a, b = (int(CONTENT_IDS[k]) for k in PROMPTS[0])
    good, half = np.tile(reply(a, b), (len(prompts), 1)), np.tile(reply(a), (len(prompts), 1))
    labeller = Labeller(seed=1, temperature=0.5)
    wins = labeller.compare(prompts, good, half).mean()
    assert abs(wins - 1 / (1 + np.exp(-2.0))) < 0.01  # sigmoid(1 / 0.5)
    assert abs(labeller.compare(prompts, good, good).mean() - 0.5) < 0.02
    assert not np.array_equal(Labeller(seed=1).compare(prompts[:200], good[:200], half[:200]),
                              Labeller(seed=2).compare(prompts[:200], good[:200], half[:200]))


def test_the_expert_writes_the_ideal_reply_to_every_prompt():
    env = gym.make("rlhf_gym/ChatResponse-v0")
    expert = ChatExpert(env)
    for seed in range(40):
        obs, info = env.reset(seed=seed)
        done, steps = False, 0
        while not done:
            obs, reward, done, truncated, step_info = env.step(expert.predict(obs)[0])
            steps += 1
            assert step_info["true_reward"] == reward and not truncated
        assert reward == 2.0 and steps == 3, step_info["reply"]


def test_the_demonstrator_is_imperfect_and_its_longer_replies_score_higher():
    rng = np.random.default_rng(0)
    prompts = rng.choice(prompt_ids("train"), 4000)
    tokens = Demonstrator().write(prompts, rng)
    score, words = true_score(prompts, tokens), word_mask(tokens).sum(axis=1)
    assert words.max() <= 5  # never rambles: the penalty is never seen in its data
    assert 0.1 < np.mean(score == 2.0) < 0.3 and 0.5 < score.mean() < 0.9
    assert np.corrcoef(words, score)[0, 1] > 0.4  # the surface feature a reward model can be fooled by


def test_a_reply_ends_at_end_or_at_max_length():
    env = ChatResponseEnv()
    env.reset(seed=0)
    for i in range(MAX_LENGTH):
        obs, reward, terminated, truncated, info = env.step(int(FILLER_IDS[0]))
        assert terminated == (i == MAX_LENGTH - 1) and truncated is False
    assert reward == -2.5 and info["reply"].count(TOKENS[FILLER_IDS[0]]) == MAX_LENGTH
    with pytest.raises(RuntimeError, match="reset"):
        env.step(END)


def test_render_modes():
    env = ChatResponseEnv(render_mode="ansi")
    env.reset(seed=0)
    env.step(int(FILLER_IDS[1]))
    assert env.render().strip().endswith(": so")
    env = ChatResponseEnv(render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (48, 24 * MAX_LENGTH, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize("kwargs, match", [
    ({"prompts": "test"}, r"prompts='test'; allowed: \['all', 'held_out', 'train'\]"),
    ({"render_mode": "video"}, r"render_mode='video'; allowed: None or \['ansi', 'rgb_array'\]"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ChatResponseEnv(**kwargs)


@pytest.mark.parametrize("action", [14, -1, 1.5, np.array([1, 2])])
def test_bad_actions_name_the_allowed_tokens(action):
    env = ChatResponseEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action=.*allowed: one integer token id in \[0, 13\]"):
        env.step(action)


def test_a_prompt_can_be_chosen_at_reset():
    env = ChatResponseEnv(prompts="train")
    assert env.reset(seed=0, options={"prompt": 27})[1]["prompt"] == 27
    with pytest.raises(ValueError, match=r"options\['prompt'\]=28; allowed: an integer in \[0, 27\]"):
        env.reset(options={"prompt": 28})


def test_bad_labeller_and_demonstrator_settings():
    with pytest.raises(ValueError, match="temperature=0; allowed: a number > 0"):
        Labeller(seed=0, temperature=0)
    with pytest.raises(ValueError, match=r"p_content=1.5; allowed: a probability in \[0, 1\]"):
        Demonstrator(p_content=1.5)
    with pytest.raises(ValueError, match="prompts: 2 prompts for 1 replies"):
        true_score([0, 1], reply(1)[None])
