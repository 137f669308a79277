"""The chat RLHF pipeline's parts: the KL callback, batched replies, the reward model, and a tiny run."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rlhf_gym.chat.kl_callback import KLPenaltyCallback
from rlhf_gym.chat.pipeline import ChatConfig, collect_preferences, frozen, make_agent, train_sft
from rlhf_gym.chat.replies import reply_kl, reply_log_probs, reply_steps, sample_replies
from rlhf_gym.chat.reward_model import fit_reward_model
from rlhf_gym.envs.chat import ChatResponseEnv, Demonstrator, Labeller, true_score
from rlhf_gym.envs.chat.vocabulary import CONTENT_IDS, EMPTY, END, FILLER_IDS, MAX_LENGTH, PROMPTS, prompt_ids

ROOT = Path(__file__).resolve().parents[2]
TINY = ChatConfig(n_demos=400, sft_epochs=15, n_pairs=100, rm_epochs=50, ppo_steps=1024, dpo_epochs=2, n_eval=400)


@pytest.fixture(scope="module")
def sft_model():
    torch.set_num_threads(1)
    return train_sft(TINY)


def uniform_policy():
    """An SB3 policy whose every next-token distribution is uniform (zero logits)."""
    policy = make_agent(TINY).policy
    with torch.no_grad():
        policy.action_net.weight.zero_()
        policy.action_net.bias.zero_()
    return policy


class RecordingKL(KLPenaltyCallback):
    """Keeps the buffer's rewards and log-probs before and after the penalty."""

    def _on_rollout_end(self) -> None:
        buffer = self.model.rollout_buffer
        self.before = buffer.rewards.copy()
        self.advantages_before = buffer.advantages.copy()
        super()._on_rollout_end()
        self.after, self.log_probs = buffer.rewards.copy(), buffer.log_probs.copy()
        self.obs, self.actions = buffer.observations.copy(), buffer.actions.copy()
        self.advantages_after = buffer.advantages.copy()


def one_rollout(model, sft_policy, beta):
    callback = RecordingKL(sft_policy, beta)
    model.learn(model.n_steps * model.n_envs, callback=callback)
    return callback


def test_the_kl_reward_term_is_zero_when_the_policy_is_the_sft_policy(sft_model):
    model = make_agent(TINY)
    model.policy.load_state_dict(sft_model.policy.state_dict())
    cb = one_rollout(model, frozen(sft_model.policy), beta=1.0)
    assert np.allclose(cb.after, cb.before, atol=1e-5) and abs(cb.kl_history[0]) < 1e-5


def test_the_kl_reward_term_is_minus_beta_times_the_log_ratio(sft_model):
    model = make_agent(TINY)  # an untrained policy: far from the SFT policy
    sft = frozen(sft_model.policy)
    cb = one_rollout(model, sft, beta=0.5)
    with torch.no_grad():
        obs_t, _ = sft.obs_to_tensor(cb.obs.reshape(-1, cb.obs.shape[-1]))
        sft_logp = sft.get_distribution(obs_t).log_prob(torch.as_tensor(cb.actions.reshape(-1)).long()).numpy()
    expected = cb.before - 0.5 * (cb.log_probs - sft_logp.reshape(cb.before.shape))
    assert np.allclose(cb.after, expected, atol=1e-4)
    assert cb.kl_history[0] > 0.1  # the sampled log-ratio estimates a KL: positive between different policies
    assert not np.allclose(cb.advantages_after, cb.advantages_before)  # advantages were recomputed


def test_batched_replies_see_what_the_env_shows(sft_model):
    rng = np.random.default_rng(0)
    prompts = rng.choice(prompt_ids("train"), 50)
    tokens = sample_replies(sft_model.policy, prompts, rng)
    steps = reply_steps(prompts, tokens)
    env = ChatResponseEnv()
    for i in (0, 7, 31):
        obs, _ = env.reset(seed=0, options={"prompt": int(prompts[i])})
        mine = steps.obs[steps.index == i]
        for t, token in enumerate(steps.actions[steps.index == i]):
            assert np.array_equal(mine[t], obs)
            obs, reward, done, _, _ = env.step(int(token))
        assert done and reward == true_score([prompts[i]], tokens[i][None])[0]
    assert np.allclose(reply_kl(sft_model.policy, sft_model.policy, prompts, tokens), 0.0, atol=1e-6)
    assert np.all(reply_log_probs(sft_model.policy, prompts, tokens) < 0)


def padded(prompts, n_filler):
    tokens = np.full((len(prompts), MAX_LENGTH), EMPTY, dtype=np.int64)
    for i, p in enumerate(prompts):
        words = [int(CONTENT_IDS[k]) for k in PROMPTS[p]] + [int(FILLER_IDS[j % 5]) for j in range(n_filler)]
        tokens[i, :len(words)] = words[:MAX_LENGTH]
        if len(words) < MAX_LENGTH:
            tokens[i, len(words)] = END
    return tokens


def test_the_reward_model_learns_relevance_and_is_fooled_by_length():
    """Fitted to 600 comparisons of demonstrator replies on training prompts, it ranks held-out pairs
    like the hidden preference, and it rewards padding the ideal reply, which the labeller punishes."""
    rng = np.random.default_rng(0)
    demo = Demonstrator()
    prompts = rng.choice(prompt_ids("train"), 600)
    a, b = demo.write(prompts, rng), demo.write(prompts, rng)
    rm = fit_reward_model(prompts, a, b, Labeller(seed=1).compare(prompts, a, b), rng)
    held = rng.choice(prompt_ids("held_out"), 3000)
    x, y = demo.write(held, rng), demo.write(held, rng)
    truth = true_score(held, x) - true_score(held, y)
    learned = rm.score(held, x) - rm.score(held, y)
    assert np.mean(np.sign(learned[truth != 0]) == np.sign(truth[truth != 0])) > 0.85
    ideal, rambling = padded(prompt_ids("held_out"), 0), padded(prompt_ids("held_out"), 8)
    ps = prompt_ids("held_out")
    assert np.all(true_score(ps, rambling) < true_score(ps, ideal) - 1)
    assert rm.score(ps, rambling).mean() > rm.score(ps, ideal).mean() + 0.5  # the trap


def test_sft_beats_a_uniformly_random_policy_for_the_held_out_labeller(sft_model):
    rng = np.random.default_rng(3)
    prompts = rng.choice(prompt_ids("held_out"), 1000)
    sft, rand = sample_replies(sft_model.policy, prompts, rng), sample_replies(uniform_policy(), prompts, rng)
    assert Labeller(seed=7).compare(prompts, sft, rand).mean() > 0.7
    prefs = collect_preferences(TINY, sft_model.policy)
    assert np.array_equal(prefs["chosen"][prefs["labels"] == 1.0], prefs["first"][prefs["labels"] == 1.0])


def load_script():
    spec = importlib.util.spec_from_file_location("chat_rlhf", ROOT / "baselines" / "chat_rlhf.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["chat_rlhf"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_the_script_writes_every_arm_and_shows_the_claims_at_a_third_of_the_budget(tmp_path, capsys):
    """A third of the default PPO tokens and a quarter of the evaluation: the four arms, and the
    claims of docs/chat.md with margins (at full budget: 0.74-0.76 for rlhf_kl and dpo, ~0.2 without KL)."""
    script = load_script()
    code = script.main(["--seed", "1", "--out", str(tmp_path), "--ppo-steps", "20000", "--n-eval", "1000"])
    assert code == 0 and "| rlhf_kl |" in capsys.readouterr().out
    res = json.loads((tmp_path / "results.json").read_text())
    arms = res["arms"]
    assert set(arms) == {"sft", "rlhf_kl", "rlhf_no_kl", "dpo"}
    for row in arms.values():
        assert {"win_rate_vs_sft", "learned_reward_mean", "kl_to_sft_mean"} <= set(row)
        assert 0.0 <= row["win_rate_vs_sft"] <= 1.0 and row["kl_to_sft_mean"] >= -1e-6
    assert abs(arms["sft"]["win_rate_vs_sft"] - 0.5) < 0.06 and arms["sft"]["kl_to_sft_mean"] < 1e-6
    assert arms["rlhf_kl"]["win_rate_vs_sft"] > 0.65 and arms["dpo"]["win_rate_vs_sft"] > 0.65
    # reward hacking without the KL term: more learned reward, less held-out preference
    assert arms["rlhf_no_kl"]["learned_reward_mean"] > arms["rlhf_kl"]["learned_reward_mean"] + 1.0
    assert arms["rlhf_no_kl"]["win_rate_vs_sft"] < arms["rlhf_kl"]["win_rate_vs_sft"] - 0.2
    assert res["labels_used"] == 1000 and res["wall_seconds"] > 0


@pytest.mark.parametrize("argv, message", [
    (["--beta", "-1"], "--beta: -1.0; allowed: a finite number >= 0"),
    (["--n-pairs", "0"], "--n-pairs: 0; allowed: an integer >= 1"),
    (["--beta-sweep", "--betas", "0,x"], "--betas: '0,x'; allowed: comma-separated"),
])
def test_the_script_names_a_bad_argument_in_one_line(tmp_path, capsys, argv, message):
    assert load_script().main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("chat_rlhf.py: error: ")


def test_bad_reward_model_inputs_name_themselves():
    tokens = np.full((2, MAX_LENGTH), EMPTY)
    with pytest.raises(ValueError, match=r"labels\[1\]=2.0; allowed: 0 \(right better\)"):
        fit_reward_model([0, 1], tokens, tokens, [1.0, 2.0], np.random.default_rng(0))
    with pytest.raises(ValueError, match="lengths 2, 2, 2, 1; allowed: equal"):
        fit_reward_model([0, 1], tokens, tokens, [1.0], np.random.default_rng(0))
    with pytest.raises(ValueError, match="l2=-1.*allowed: .*l2 >= 0"):
        fit_reward_model([0, 1], tokens, tokens, [1.0, 0.0], np.random.default_rng(0), l2=-1)


def test_bad_config_values_name_themselves():
    with pytest.raises(ValueError, match="dpo_beta=0; allowed: a finite number > 0"):
        ChatConfig(dpo_beta=0)
    with pytest.raises(ValueError, match="seed=-1; allowed: an integer >= 0"):
        ChatConfig(seed=-1)
