"""One run into a folder: config.json, the labels, the reward model, the agent, results.json.

Why here and not in the CLI: ``rlhf-gym train``, the baselines and the tests run the same
experiment, so the files a run leaves and the numbers it reports are the same wherever it ran.
"""

from __future__ import annotations

import time
from pathlib import Path

from rlhf_gym.rlhf.config import RLHFConfig

FEEDBACK = ("synthetic", "file", "true", "human")
HUMAN_KEYS = ("labels_per_minute", "median_seconds_per_label", "agreement_with_exact_teacher", "person_waited_share",
              "agent_stalled_share")


def evaluate(agent, cfg: RLHFConfig, episodes: int) -> dict:
    """Deterministic episodes of the task (``env_kwargs``, not the training variant), then the same
    episodes with sampled actions: an agent that learned late may succeed with its noise only."""
    import torch

    from rlhf_gym.evaluation import evaluate_true_return

    seed = 10_000 + cfg.seed
    ev = evaluate_true_return(agent, cfg.env_id, cfg.env_kwargs, episodes, seed)
    torch.manual_seed(20_000 + cfg.seed)  # the sampled actions
    sampled = evaluate_true_return(agent, cfg.env_id, cfg.env_kwargs, episodes, seed, deterministic=False)
    ev["true_return_sampled"] = sampled["true_return_mean"]
    if "success_rate" in sampled:
        ev["success_rate_sampled"] = sampled["success_rate"]
    return ev


def expert_evaluation(cfg: RLHFConfig, episodes: int) -> dict | None:
    """The built-in expert on the same episodes, or None for envs without one."""
    import gymnasium as gym

    from rlhf_gym.evaluation import evaluate_true_return
    from rlhf_gym.experts import expert_for

    task = gym.make(cfg.env_id, **cfg.env_kwargs)
    try:
        expert = expert_for(task)
    except ValueError:
        return None
    finally:
        task.close()
    return evaluate_true_return(expert, cfg.env_id, cfg.env_kwargs, episodes, 10_000 + cfg.seed)


def run_experiment(cfg: RLHFConfig, directory: str | Path, feedback: str = "synthetic", labels_file=None,
                   eval_episodes: int = 20, progress_bar: bool = False, teacher=None, window=None,
                   first_labels: int = 3) -> dict:
    """Train as ``feedback`` says, save everything into ``directory``, return results.json's dict.

    ``feedback="human"``: a person answers in ``window`` while the agent trains (``run_rlhf_online``;
    ``window`` may be a ``SimulatedPerson``); results.json then also holds ``HUMAN_KEYS`` (those that
    can be computed), ``stopped_early`` and ``agent_steps_done``."""
    from rlhf_gym.feedback import LabelStore
    from rlhf_gym.rewards import save_reward_model
    from rlhf_gym.rlhf.pipeline import finite_metrics, fit_from_store, run_rlhf, run_rlhf_online, train_on_reward

    if feedback not in FEEDBACK:
        raise ValueError(f"feedback: {feedback!r}; allowed: {', '.join(FEEDBACK)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    cfg.save(directory / "config.json")
    tb = directory / "tb"
    rm, metrics, reward_seconds, labels_used, human = None, {}, 0.0, 0, {}
    if feedback == "synthetic":
        agent, rm, cb, _ = run_rlhf(cfg, directory / "labels.jsonl", teacher=teacher, progress_bar=progress_bar,
                                    tensorboard_dir=tb)
        labels_used, metrics, reward_seconds = cb.queries_asked, cb.metrics, cb.reward_seconds
    elif feedback == "human":
        agent, rm, cb, _, times = run_rlhf_online(cfg, directory / "labels.jsonl", window, progress_bar=progress_bar,
                                                  tensorboard_dir=tb, first_labels=first_labels)
        labels_used, metrics, reward_seconds = cb.queries_asked, cb.metrics, cb.reward_seconds
        human = _human_results(directory / "labels.jsonl", times, agent)
    elif feedback == "file":
        store = LabelStore(labels_file, read_only=True)
        labels_used = len(store)
        t0 = time.perf_counter()
        rm, metrics = fit_from_store(cfg, store)
        reward_seconds = time.perf_counter() - t0
        agent, _ = train_on_reward(cfg, rm, progress_bar=progress_bar, tensorboard_dir=tb)
    else:
        agent, _ = train_on_reward(cfg, None, progress_bar=progress_bar, tensorboard_dir=tb)
    if rm is not None:
        save_reward_model(rm, directory / "reward_model")
    agent.save(directory / "agent.zip")
    ev = evaluate(agent, cfg, eval_episodes)
    results = {"true_return_mean": ev["true_return_mean"], "true_return_std": ev["true_return_std"],
               "true_return_sampled": ev["true_return_sampled"], "labels_used": int(labels_used),
               "agent_steps": int(cfg.agent.steps), "algo": cfg.agent.algo, "env": cfg.env_id, "preset": cfg.preset,
               "feedback": feedback, "seed": cfg.seed, "reward_seconds": reward_seconds,
               "reward_model": finite_metrics(metrics), "eval_episodes": eval_episodes,
               # Demonstrations enter the synthetic-teacher loop only: the true-reward reference trains from scratch.
               "demo_episodes": cfg.demos.episodes if feedback == "synthetic" else 0}
    results.update(human)
    for key in ("success_rate", "success_rate_sampled"):
        if key in ev:
            results[key] = ev[key]
    expert = expert_evaluation(cfg, eval_episodes)
    if expert is not None:
        results["expert_return_mean"] = expert["true_return_mean"]
        results["expert_return_std"] = expert["true_return_std"]
        if "success_rate" in expert:
            results["expert_success_rate"] = expert["success_rate"]
    results["wall_seconds"] = time.perf_counter() - started
    from rlhf_gym.commands.common import write_results

    write_results(directory, results)
    return results


def _human_results(labels_path: Path, times: dict, agent) -> dict:
    """The person's pace and agreement (``answer_summary``, as ``rlhf-gym label`` reports them) and
    the session's time shares."""
    from rlhf_gym.feedback import LabelStore
    from rlhf_gym.feedback.human import answer_summary

    out = {"person_waited_share": times["person_waited_share"], "agent_stalled_share": times["agent_stalled_share"],
           "stopped_early": times["quit_message"] is not None, "agent_steps_done": int(agent.num_timesteps)}
    if labels_path.is_file():
        summary = answer_summary(LabelStore(labels_path, read_only=True))
        out.update({k: summary[k] for k in HUMAN_KEYS if k in summary})
    return out
