"""`rlhf-gym play --reward-model`: the learned and the true reward as live curves beside the rollout."""

import imageio.v2 as imageio
import numpy as np

from rlhf_gym.cli import main
from rlhf_gym.rendering.reward_curves import LEARNED_COLOUR, TRUE_COLOUR, RewardCurves


def _pixels(image, colour):
    return int(np.all(image == np.array(colour, dtype=np.uint8), axis=-1).sum())


def test_a_learned_reward_in_proportion_to_the_truth_draws_over_it_and_one_that_disagrees_does_not():
    truth = [0.0, 0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 1.0]
    same, opposite = RewardCurves(window=8, width=64), RewardCurves(window=8, width=64)
    for r in truth:
        same.add(r, 2.0 * r + 5.0)  # the same shape, other units: each curve has its own scale
        opposite.add(r, -r)
    agreeing, disagreeing = same.panel(48), opposite.panel(48)
    assert _pixels(agreeing, LEARNED_COLOUR) > 0 and _pixels(agreeing, TRUE_COLOUR) == 0  # red lies on green
    assert _pixels(disagreeing, LEARNED_COLOUR) > 0 and _pixels(disagreeing, TRUE_COLOUR) > 0


def test_play_draws_both_curves_beside_the_rollout(tmp_path, capsys):
    import gymnasium as gym

    import rlhf_gym  # noqa: F401
    from rlhf_gym.rewards import RewardModel, save_reward_model

    env = gym.make("rlhf_gym/GridWorld-v0")
    save_reward_model(RewardModel.for_env(env, kind="linear", inputs=("next_obs",), seed=3), tmp_path / "rm")
    out = tmp_path / "play.gif"
    assert main(["play", "rlhf_gym/GridWorld-v0", "--reward-model", str(tmp_path / "rm"), "--record", str(out),
                 "--headless"]) == 0
    frames = imageio.mimread(out)
    plain = gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array")
    plain.reset(seed=0)
    assert frames[-1].shape[1] == plain.render().shape[1] + 240
    panel = np.asarray(frames[-1])[:, -240:, :3]
    assert _pixels(panel, TRUE_COLOUR) + _pixels(panel, LEARNED_COLOUR) > 0
    # A reward model of another env is one line, not a traceback.
    backflip = RewardModel.for_env(gym.make("rlhf_gym/Backflip-v0"))
    save_reward_model(backflip, tmp_path / "flip")
    assert main(["play", "rlhf_gym/GridWorld-v0", "--reward-model", str(tmp_path / "flip"), "--headless"]) == 2
    assert "--reward-model" in capsys.readouterr().err
