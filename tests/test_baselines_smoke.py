"""The baseline scripts docs/results.md quotes still run end to end (tiny settings)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from rlhf_gym.rewards import load_reward_model

ROOT = Path(__file__).resolve().parents[1]


def run_script(name, *argv):
    done = subprocess.run([sys.executable, str(ROOT / "baselines" / name), *argv], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_rlhf_backflip_diagnose_writes_its_diagnosis(tmp_path):
    out = run_script("rlhf_backflip_diagnose.py", "--set", "agent.steps=8192", "--set", "schedule.labels=20",
                     "--set", "schedule.segment_length=15", "--eval-episodes", "1", "--every", "4096",
                     "--out", str(tmp_path))
    assert "learned ÷ true reward per event" in out
    res = json.loads(next(tmp_path.glob("results_seed0.json")).read_text())
    assert res["config"]["schedule"]["labels"] == 20 and res["config"]["preset"] == "backflip"
    assert set(res["event_ratios"]) == {"crash", "spin", "landing"}
    assert len(res["during_training"]) >= 2 and res["during_training"][-1]["labels"] == 20
    assert len(res["expert_phases"]["true"]) == 3 and res["expert_phases"]["true"][2] > 10  # the expert stands
    versus = res["agent_against_expert"]
    expert = versus["scripted expert"]
    assert set(versus) == {"agent", "scripted expert"} and expert["true_return"] > 10
    assert math.isfinite(expert["learned_per_step_standing"])  # the expert stands after landing


@pytest.mark.slow
def test_rlhf_backflip_runs_the_preset_per_seed_as_rlhf_gym_train_does(tmp_path):
    run_script("rlhf_backflip.py", "--set", "agent.steps=4096", "--set", "schedule.labels=20", "--seeds", "1",
               "--set", "schedule.pool_steps=4000", "--eval-episodes", "1", "--out", str(tmp_path))
    res = json.loads((tmp_path / "results.json").read_text())
    (run,) = res["runs"]
    assert res["config"]["schedule"]["pool_steps"] == 4000 and res["config"]["schedule"]["segment_length"] == 200
    assert run["labels_used"] <= 20 and run["reward_seconds"] > 0 and run["preset"] == "backflip"
    run_dir = tmp_path / "backflip_seed0"
    assert (run_dir / "agent.zip").is_file() and (run_dir / "config.json").is_file() and (tmp_path / "plot.png").is_file()
    assert load_reward_model(run_dir / "reward_model").ensemble_size == 3
    assert 0.0 <= run["success_rate_sampled"] <= 1.0 and math.isfinite(run["true_return_sampled"])


@pytest.mark.slow
def test_bc_vs_dagger_quick_reports_both_dagger_variants(tmp_path):
    out = run_script("bc_vs_dagger.py", "--quick", "--only", "gridworld", "--out", str(tmp_path))
    assert "DAgger, asking once per state" in out
    res = json.loads((tmp_path / "results.json").read_text())["results"]["gridworld"]
    assert set(res["returns"]) == {"bc", "dagger", "dagger_ask_once"}


@pytest.mark.slow
def test_bench_backflip_ppo_over_seeds_trains_on_the_asked_crash_penalty(tmp_path):
    out_file = tmp_path / "ppo.json"
    out = run_script("bench_backflip.py", "ppo", "--set", "agent.steps=2048", "--seeds", "2", "--seed", "3",
                     "--evals", "1", "--episodes", "1", "--set", "train_env_kwargs.crash_penalty=0.5",
                     "--set", "train_env_kwargs.stand_reward=0.3", "--set", "agent.kwargs.ent_coef=0.01",
                     "--out", str(out_file))
    assert "PPO 2048 steps, seeds 3-4: success" in out and "of 2 runs >= 0.8" in out
    res = json.loads(out_file.read_text())
    run = res["result"]["runs"]["3"]
    assert sorted(res["result"]["final_success"]) == ["3", "4"] and run["config"]["seed"] == 3
    assert run["config"]["train_env_kwargs"] == {"crash_penalty": 0.5, "stand_reward": 0.3}
    assert run["hyper"]["ent_coef"] == 0.01 and run["config"]["preset"] == "backflip-true"


def test_bench_reward_trainer_times_both_fits_and_compares_them():
    out = run_script("bench_reward_trainer.py", "--pairs", "30", "--length", "20", "--ensemble", "2")
    assert "denormals kept:" in out and "denormals flushed:" in out and "same metrics: True" in out


@pytest.mark.slow
def test_bench_reward_wrapper_times_both_envs_raw_and_wrapped():
    out = run_script("bench_reward_wrapper.py", "--steps", "2048", "--repeats", "1")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| rlhf_gym/Backflip-v0")
            or line.startswith("| CartPole-v1")]
    assert sorted(row[2].strip() for row in rows) == ["per step", "per step", "rollout end", "rollout end"]
    for row in rows:
        raw, wrapped, ratio = (float(row[i].replace(",", "")) for i in (3, 4, 5))
        assert raw > 0 and wrapped > 0 and ratio == pytest.approx(wrapped / raw, rel=0.01)


def test_dueling_bandits_prints_regret_of_each_algorithm(tmp_path):
    out = run_script("dueling_bandits.py", "--runs", "3", "--horizon", "300", "--instances", "bradley_terry",
                     "--out", str(tmp_path))
    for name in ("Interleaved Filter 2", "RUCB", "RMED1", "CCB"):
        assert name in out
    assert list(tmp_path.glob("*.png"))
