"""The rlhf-gym console script: play records real files; bad input names what was wrong."""

import json

import imageio.v2 as imageio
import numpy as np
import pytest

from rlhf_gym.cli import main
from rlhf_gym.commands import common


@pytest.mark.parametrize("env_id", ["rlhf_gym/GridWorld-v0", "rlhf_gym/Backflip-v0"])
def test_play_records_a_gif_of_expert_rollouts(tmp_path, env_id, capsys):
    out = tmp_path / "rollout.gif"
    assert main(["play", env_id, "--policy", "expert", "--episodes", "1", "--record", str(out), "--headless"]) == 0
    frames = imageio.mimread(out)
    assert len(frames) > 5
    assert not np.array_equal(frames[0], frames[len(frames) // 2])  # the agent moved
    assert "true return" in capsys.readouterr().out


def test_play_in_a_window_under_the_dummy_driver(capsys):
    assert main(["play", "rlhf_gym/GridWorld-v0", "--policy", "random", "--fps", "1000"]) == 0
    assert "episode 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["play", "rlhf_gym/GridWorld-v0", "--policy", "genius"], "--policy"),
        (["play", "NoSuchEnv-v9"], "NoSuchEnv-v9"),
        (["play", "rlhf_gym/GridWorld-v0", "--env-kwargs", "{slip: 1"], "--env-kwargs"),
        (["play", "rlhf_gym/GridWorld-v0", "--env-kwargs", "[1]"], "JSON object"),
        (["play", "rlhf_gym/GridWorld-v0", "--record", "x.avi", "--headless"], ".avi"),
        (["play", "rlhf_gym/GridWorld-v0", "--episodes", "0"], "--episodes"),
    ],
)
def test_bad_input_is_reported_with_its_name(argv, fragment, capsys):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_results_json_requires_the_documented_keys(tmp_path):
    with pytest.raises(ValueError, match="labels_used"):
        common.write_results(tmp_path, {"true_return_mean": 1.0, "true_return_std": 0.0, "wall_seconds": 1.0})
    with pytest.raises(ValueError, match="finite"):
        common.write_results(tmp_path, {"true_return_mean": float("nan"), "true_return_std": 0.0, "labels_used": 0, "wall_seconds": 1.0})
    path = common.write_results(tmp_path, {"true_return_mean": 1.5, "true_return_std": 0.5, "labels_used": 3, "wall_seconds": 2.0})
    assert json.loads(path.read_text())["labels_used"] == 3


def test_format_table_is_markdown():
    text = common.format_table(["a", "b"], [["x", 1.23456]])
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x | 1.235 |"]


@pytest.mark.slow
def test_demo_quick_runs_both_acts_and_keeps_its_labels(tmp_path, capsys):
    assert main(["demo", "--quick", "--episodes", "3", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "demo.json").read_text())
    assert summary["labels_used"] == 90
    with open(tmp_path / "labels.jsonl") as f:
        assert sum(1 for _ in f) == 90  # every teacher answer was written as it arrived
    assert summary["backflip"]["expert (scripted)"]["success_rate"] >= 0.9
    assert summary["gridworld"]["expert (value iteration)"]["true_return_mean"] > 0.9
    assert len(imageio.mimread(tmp_path / "backflip_rlhf.gif")) > 50
    assert "backflip success" in capsys.readouterr().out


def test_play_a_saved_sb3_model(tmp_path, capsys):
    import gymnasium as gym
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", gym.make("rlhf_gym/GridWorld-v0"), n_steps=64, batch_size=64, seed=0, device="cpu")
    model.save(tmp_path / "agent.zip")
    out = tmp_path / "agent.gif"
    argv = ["play", "rlhf_gym/GridWorld-v0", "--policy", str(tmp_path / "agent.zip"), "--record", str(out), "--headless"]
    assert main(argv) == 0
    assert out.exists() and "episode 0: true return" in capsys.readouterr().out
