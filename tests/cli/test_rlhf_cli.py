"""``rlhf-gym train`` runs end to end and writes the documented results."""

import json

import pytest
import torch

from rlhf_gym.cli import main


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.mark.slow
def test_train_synthetic_then_from_the_label_file(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--env", "rlhf_gym/GridWorld-v0", "--labels", "60", "--steps", "6000", "--segment-length", "10",
            "--eval-episodes", "5", "--out", str(out)]
    assert main(argv) == 0
    res = json.loads((out / "results.json").read_text())
    for key in ("true_return_mean", "true_return_std", "labels_used", "wall_seconds", "expert_return_mean",
                "true_reward_return_mean"):
        assert key in res
    assert res["labels_used"] == 60
    assert res["true_return_mean"] >= 0.8 * res["expert_return_mean"]
    assert (out / "reward_model.safetensors").exists() and (out / "agent.zip").exists()
    assert "| learned reward (RLHF) | 60 |" in capsys.readouterr().out
    again = tmp_path / "again"
    assert main(["train", "--env", "rlhf_gym/GridWorld-v0", "--feedback", "file", "--labels-file",
                 str(out / "labels.jsonl"), "--steps", "6000", "--no-baseline", "--eval-episodes", "5",
                 "--out", str(again)]) == 0
    res2 = json.loads((again / "results.json").read_text())
    assert res2["labels_used"] == 60 and res2["true_return_mean"] >= 0.8 * res2["expert_return_mean"]


@pytest.mark.slow
def test_train_on_a_gymnasium_env_with_early_termination(tmp_path):
    out = tmp_path / "cart"
    assert main(["train", "--env", "CartPole-v1", "--algo", "a2c", "--labels", "10", "--steps", "600",
                 "--no-baseline", "--eval-episodes", "2", "--out", str(out)]) == 0
    res = json.loads((out / "results.json").read_text())
    assert res["labels_used"] == 10 and "expert_return_mean" not in res


def test_final_log_std_caps_the_saved_agents_noise_in_both_feedback_modes(tmp_path):
    from stable_baselines3 import PPO

    first, second = tmp_path / "synthetic", tmp_path / "file"
    common = ["--env", "rlhf_gym/Backflip-v0", "--steps", "2048", "--n-envs", "1", "--no-baseline",
              "--eval-episodes", "1", "--final-log-std", "-3", "--label-until", "0.5"]  # 8 rollouts of 256 steps
    assert main(["train", "--labels", "6", *common, "--out", str(first)]) == 0
    assert main(["train", "--feedback", "file", "--labels-file", str(first / "labels.jsonl"), *common,
                 "--anneal-start", "0.75", "--out", str(second)]) == 0
    # PPO starts at log std 0 and barely moves it in 2048 steps. The last cap (at 7/8 of training) is
    # 0.75 x -3 from --label-until 0.5 and 0.5 x -3 from --anneal-start 0.75.
    synthetic, from_file = (PPO.load(out / "agent.zip", device="cpu").policy.log_std.detach() for out in (first, second))
    assert float(synthetic.max()) < -2.0
    assert -2.0 < float(from_file.min()) and float(from_file.max()) < -1.0


@pytest.mark.parametrize("argv, fragment", [
    (["--feedback", "file"], "--labels-file"),
    (["--labels", "1"], "--labels: 1"),
    (["--error-rate", "0.7"], "--error-rate: 0.7"),
    (["--algo", "sac"], "sac needs Box actions"),
    (["--reward-scale", "0"], "--reward-scale: 0.0"),
    (["--initial-fraction", "1.5"], "--initial-fraction: 1.5"),
    (["--drop-suspect", "0.5"], "--drop-suspect: 0.5"),
    (["--label-until", "0"], "--label-until: 0.0"),
    (["--reward-weight-decay", "-1"], "--reward-weight-decay: -1.0"),
    (["--reward-input-lasso", "-0.1"], "--reward-input-lasso: -0.1; allowed: a finite number >= 0"),
    (["--explore-bonus", "-1"], "--explore-bonus: -1.0"),
    (["--explore-bonus", "1", "--ensemble", "1"], "needs an ensemble"),
    (["--final-bonus", "nan"], "--final-bonus: nan; allowed: a finite number"),
    (["--final-bonus", "-1", "--ensemble", "1"], "--final-bonus: -1.0 needs an ensemble"),
    (["--final-log-std", "5"], "--final-log-std: 5.0; allowed: a number in [-20, 2]"),
    (["--final-log-std", "-3", "--algo", "sac"], "allowed with --algo ppo or a2c"),
    (["--final-log-std", "-3", "--anneal-start", "1"], "--anneal-start: 1.0; allowed: a number in [0, 1)"),
    (["--anneal-start", "0.9"], "--anneal-start: set without --final-log-std"),
    (["--final-log-std", "-3"], "--final-log-std: needs Box actions; 'rlhf_gym/GridWorld-v0' has Discrete(4)"),
    (["--reward-input-clip", "0"], "--reward-input-clip: 0.0"),
    (["--reward-ignore-obs", "clock"], "--reward-ignore-obs: 'clock'; allowed: comma-separated integers"),
    (["--env", "rlhf_gym/Backflip-v0", "--reward-ignore-obs", "99"], "ignore_obs=(99,); allowed: distinct flat indices 0..15"),
    (["--reward-ignore-obs", "0"], "ignore_obs=(0,) with observation_space=Discrete(25); allowed: only for a Box"),
    (["--reward-member-obs-dropout", "1"], "--reward-member-obs-dropout: 1.0; allowed: a number in [0, 1)"),
    (["--reward-member-obs-dropout", "0.2"], "member_obs_dropout=0.2 with observation_space=Discrete(25); allowed: only"),
    (["--pool-steps", "30", "--segment-length", "25"], "--pool-steps: 30; allowed: an integer >= 2 x --segment-length (50)"),
    (["--label-batches", "0"], "--label-batches: 0; allowed: an integer >= 1"),
])
def test_bad_input_is_named(argv, fragment, capsys, tmp_path):
    assert main(["train", "--out", str(tmp_path), *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_exploration_and_scaling_flags_reach_the_config():
    from rlhf_gym.cli import build_parser
    from rlhf_gym.commands.train import _config

    args = build_parser().parse_args(["train", "--env", "rlhf_gym/Backflip-v0", "--explore-bonus", "2",
                                      "--normalize-on", "labelled", "--reward-input-clip", "5",
                                      "--pool-steps", "40000", "--reward-ignore-obs", "11",
                                      "--reward-member-obs-dropout", "0.25", "--reward-input-lasso", "0.1",
                                      "--final-bonus", "-0.5", "--final-log-std", "-3", "--anneal-start", "0.9"])
    cfg = _config(args, {})
    assert (cfg.final_bonus, cfg.final_log_std, cfg.anneal_start) == (-0.5, -3.0, 0.9)
    assert _config(build_parser().parse_args(["train"]), {}).final_log_std is None
    assert cfg.reward_member_obs_dropout == 0.25 and cfg.reward_input_lasso == 0.1
    assert (cfg.explore_bonus, cfg.normalize_on, cfg.reward_input_clip) == (2.0, "labelled", 5.0)
    assert cfg.pool_steps == 40000 and cfg.reward_ignore_obs == (11,)
