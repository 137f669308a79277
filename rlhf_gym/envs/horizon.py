"""An env's fixed episode length, wherever it is kept.

Why one lookup: the length sits on the base env for GridWorld and Backflip (``horizon``), on a
wrapper for FixedHorizonCartPole, and in the spec for a TimeLimit; code that sizes clips or
plot windows by it read only ``env.unwrapped`` and missed the wrapper's (a demonstration of 2
episodes instead of 1, a 200-step plot window for a 500-step episode)."""

from __future__ import annotations


def episode_horizon(env) -> int | None:
    """The TimeLimit's ``max_episode_steps``, else a ``horizon`` anywhere in the wrapper chain, else None."""
    steps = getattr(getattr(env, "spec", None), "max_episode_steps", None)
    if steps:
        return int(steps)
    try:
        horizon = env.get_wrapper_attr("horizon")
    except AttributeError:
        return None
    return int(horizon) if horizon else None
