"""The baseline scripts the README quotes still run end to end (tiny settings)."""

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
    out = run_script("rlhf_backflip_diagnose.py", "--steps", "8192", "--budget", "20", "--eval-episodes", "1",
                     "--every", "4096", "--out", str(tmp_path))
    assert "learned ÷ true reward per event" in out
    res = json.loads(next(tmp_path.glob("results_noisy_20_seed0.json")).read_text())
    assert set(res["event_ratios"]) == {"crash", "spin", "landing"}
    assert len(res["during_training"]) >= 2 and res["during_training"][-1]["labels"] == 20
    assert len(res["expert_phases"]["true"]) == 3 and res["expert_phases"]["true"][2] > 10  # the expert stands
    versus = res["agent_against_expert"]
    expert = versus["scripted expert"]
    assert set(versus) == {"agent", "scripted expert"} and expert["true_return"] > 10
    assert math.isfinite(expert["learned_per_step_standing"])  # the expert stands after landing


@pytest.mark.slow
def test_rlhf_backflip_writes_runs_and_saves_each_agent_that_the_ranking_probe_reads(tmp_path):
    run_script("rlhf_backflip.py", "--steps", "4096", "--labels", "20", "--teachers", "noisy", "--seeds", "1",
               "--reference", "0", "--eval-episodes", "1", "--segment-length", "200", "--pool-steps", "4000",
               "--out", str(tmp_path))
    res = json.loads((tmp_path / "results.json").read_text())
    (run,) = res["runs"]
    assert res["args"]["pool_steps"] == 4000 and run["labels_used"] <= 20 and run["reward_seconds"] > 0
    assert (tmp_path / "agent_noisy_20_seed0.zip").is_file() and (tmp_path / "plot.png").is_file()
    assert load_reward_model(tmp_path / "reward_noisy_20_seed0").ensemble_size == 3
    assert len(run["train_true_return_per_500_episodes"]) >= 1
    assert 0.0 <= run["success_rate_sampled"] <= 1.0 and math.isfinite(run["true_return_sampled"])
    agent = str(tmp_path / "agent_noisy_20_seed0.zip")
    out = run_script("reward_ranking_probe.py", "--train-agents", agent, "--good-agents", agent, "--lasso", "0,0.1",
                     "--seeds", "1", "--pairs", "30", "--train-episodes", "2", "--test-episodes", "2")
    assert "input_lasso 0.1: mean accuracy" in out and "successful > failing" in out


@pytest.mark.slow
def test_bc_vs_dagger_quick_reports_both_dagger_variants(tmp_path):
    out = run_script("bc_vs_dagger.py", "--quick", "--only", "gridworld", "--out", str(tmp_path))
    assert "DAgger, asking once per state" in out
    res = json.loads((tmp_path / "results.json").read_text())["results"]["gridworld"]
    assert set(res["returns"]) == {"bc", "dagger", "dagger_ask_once"}


@pytest.mark.slow
def test_bench_backflip_ppo_over_seeds_trains_on_the_asked_crash_penalty(tmp_path):
    out_file = tmp_path / "ppo.json"
    out = run_script("bench_backflip.py", "ppo", "--steps", "2048", "--seeds", "2", "--seed", "3", "--evals", "1",
                     "--episodes", "1", "--crash-penalty", "0.5", "--stand-reward", "0.3", "--ent-coef", "0.01",
                     "--out", str(out_file))
    assert "seeds 3-4: success" in out and "of 2 runs >= 0.8" in out
    res = json.loads(out_file.read_text())
    assert res["args"]["crash_penalty"] == 0.5 and sorted(res["result"]["final_success"]) == ["3", "4"]
    assert res["args"]["stand_reward"] == 0.3 and res["result"]["runs"]["3"]["hyper"]["ent_coef"] == 0.01


def test_rlhf_backflip_config_takes_the_entropy_and_reward_variant_flags():
    sys.path.insert(0, str(ROOT / "baselines"))
    try:
        from rlhf_backflip import Args, backflip_config
    finally:
        sys.path.remove(str(ROOT / "baselines"))
    from rlhf_gym.presets import ppo_preset

    default = backflip_config(Args(), seed=0, teacher="noisy", labels=900)
    assert default.agent_kwargs["ent_coef"] == ppo_preset("rlhf_gym/Backflip-v0")[2]["ent_coef"] == 0.0
    assert default.env_kwargs == {} and default.teacher == {"error_rate": 0.1} and default.pool_steps is None
    cfg = backflip_config(Args(ent_coef=0.01, crash_penalty=0.0, stand_reward=0.3, pool_steps=40_000,
                               reward_ignore="time_fraction", reward_inputs="next_obs",
                               member_obs_dropout=0.25), seed=0, teacher="noisy", labels=900)
    assert cfg.pool_steps == 40_000 and cfg.reward_ignore_obs == (11,) and default.reward_ignore_obs == ()
    assert cfg.reward_inputs == ("next_obs",) and default.reward_inputs == ("obs", "obs_change")
    assert cfg.reward_member_obs_dropout == 0.25 and default.reward_member_obs_dropout == 0.0
    with pytest.raises(ValueError, match="--reward-ignore: 'clock'; allowed: comma-separated names of"):
        backflip_config(Args(reward_ignore="clock"), seed=0)
    assert cfg.agent_kwargs["ent_coef"] == 0.01 and cfg.env_kwargs == {"crash_penalty": 0.0, "stand_reward": 0.3}
    ending = backflip_config(Args(crash_penalty=0.0, terminate_on_crash=1), seed=0)
    assert ending.env_kwargs == {"crash_penalty": 0.0, "terminate_on_crash": True}
    with pytest.raises(ValueError, match="--terminate-on-crash: 2; allowed: 0 or 1"):
        backflip_config(Args(terminate_on_crash=2), seed=0)
    assert ppo_preset("rlhf_gym/Backflip-v0")[2]["ent_coef"] == 0.0  # the preset itself is untouched


def test_bench_reward_trainer_times_both_fits_and_compares_them():
    out = run_script("bench_reward_trainer.py", "--pairs", "30", "--length", "20", "--ensemble", "2")
    assert "denormals kept:" in out and "denormals flushed:" in out and "same metrics: True" in out
