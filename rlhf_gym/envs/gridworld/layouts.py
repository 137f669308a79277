"""GridWorld layouts: the legend, the built-in maps, and the seeded ObjectWorld generator.

A layout is a list of equal-length row strings. Legend (one character per cell):

====  =======================================================================
char  meaning
====  =======================================================================
``#`` wall: not a state; moving into it (or off the map edge) leaves the agent in place
``.`` floor: an ordinary cell (feature ``floor``, which carries the step cost)
``S`` start: floor where episodes may begin; several ``S`` give a uniform initial distribution
``G`` goal: terminal, positive reward on entering (feature ``goal``)
``L`` lava: terminal, negative reward on entering (feature ``lava``)
``a``-``z`` object cell of that colour (ObjectWorld, Levine et al. 2011): walkable, not
      terminal; its colour is its feature (``obj_a`` ... ``obj_z``)
====  =======================================================================

Parsing lives here, apart from the env, so that other code (IRL demos, the CLI) can validate and
draw layouts without building an env.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

WALL, FLOOR, START, GOAL, LAVA = "#", ".", "S", "G", "L"
OBJECT_CHARS = "abcdefghijklmnopqrstuvwxyz"
LEGEND: dict[str, str] = {
    WALL: "wall (not a state; bumping into it leaves the agent in place)",
    FLOOR: "floor",
    START: "start (floor; several give a uniform initial distribution)",
    GOAL: "goal (terminal, positive reward on entering)",
    LAVA: "lava (terminal, negative reward on entering)",
    "a-z": "object cell of that colour (walkable; colour is the feature)",
}
ALLOWED_CHARS = frozenset(WALL + FLOOR + START + GOAL + LAVA + OBJECT_CHARS)

OPEN_ROOM = (
    "#######",
    "#S....#",
    "#.....#",
    "#.....#",
    "#.....#",
    "#....G#",
    "#######",
)

# Sutton & Barto's cliff (example 6.6) with the cliff as lava: the short path runs along it.
CLIFF_WALK = (
    "............",
    "............",
    "............",
    "SLLLLLLLLLLG",
)

LAVA_MAZE = (
    "#########",
    "#S..L...#",
    "#.#.L.#.#",
    "#.#...#.#",
    "#.LLL##.#",
    "#...#...#",
    "##.L#.L.#",
    "#.......G",
    "#########",
)

# A long corridor along a wall with a one-cell ledge above it and lava beyond: DAgger's setting.
# The expert walks the corridor and, when a slip puts it on the ledge, steps straight back down
# (one more slip there is lava), so its demonstrations label one ledge cell per slip. A cloned
# learner that meets an unlabelled ledge cell tends to keep walking right along it to the dead
# end (lava risk every step); DAgger's expert labels that whole walk in one excursion.
LAVA_LEDGE = (
    "#####################################",
    "#LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL#",
    "#...................................#",
    "#S..................................G",
    "#####################################",
)

NAMED_LAYOUTS: dict[str, tuple[str, ...] | None] = {
    "open_room": OPEN_ROOM,
    "cliff_walk": CLIFF_WALK,
    "lava_maze": LAVA_MAZE,
    "lava_ledge": LAVA_LEDGE,
    "objectworld": None,  # generated from size and layout_seed
}

MIN_SIZE, MAX_SIZE = 2, 256
MAX_COLOURS = len(OBJECT_CHARS)


@dataclass(frozen=True)
class GridLayout:
    """A validated layout: the character grid plus the facts the env needs about it."""

    chars: np.ndarray  # (rows, cols) array of single characters
    name: str

    @property
    def rows(self) -> int:
        return int(self.chars.shape[0])

    @property
    def cols(self) -> int:
        return int(self.chars.shape[1])

    @property
    def has_goal(self) -> bool:
        return bool((self.chars == GOAL).any())

    def colours(self) -> list[str]:
        """Object colours present in the layout, in alphabetical order."""
        present = set(np.unique(self.chars).tolist())
        return [c for c in OBJECT_CHARS if c in present]

    def as_rows(self) -> list[str]:
        return ["".join(row) for row in self.chars]


def parse_layout(rows, name: str = "custom") -> GridLayout:
    """Validate a list of row strings and return a ``GridLayout``.

    Raises ``ValueError`` for ragged rows, unknown characters, no start cell, or a layout
    with goals none of which can be reached from some start (lava blocks paths).
    """
    if isinstance(rows, str) or not hasattr(rows, "__iter__"):
        raise ValueError(
            f"layout={rows!r} is not allowed; allowed: a built-in name "
            f"{sorted(NAMED_LAYOUTS)} or a list of equal-length row strings"
        )
    rows = list(rows)
    if not rows or not all(isinstance(r, str) for r in rows):
        raise ValueError(f"layout={rows!r} is not allowed; allowed: a non-empty list of row strings")
    widths = {len(r) for r in rows}
    if len(widths) != 1 or 0 in widths:
        raise ValueError(
            f"layout rows have lengths {[len(r) for r in rows]}; allowed: all rows the same non-zero length"
        )
    for i, row in enumerate(rows):
        for j, ch in enumerate(row):
            if ch not in ALLOWED_CHARS:
                raise ValueError(
                    f"layout has unknown character {ch!r} at row {i}, column {j}; allowed: "
                    f"'#' wall, '.' floor, 'S' start, 'G' goal, 'L' lava, 'a'-'z' object colours"
                )
    chars = np.array([list(r) for r in rows], dtype="<U1")
    layout = GridLayout(chars=chars, name=name)
    if not (chars == START).any():
        raise ValueError(f"layout {name!r} has no start cell 'S'; allowed: at least one 'S'")
    if layout.has_goal:
        _check_goal_reachable(layout)
    elif not layout.colours():
        raise ValueError(
            f"layout {name!r} has no goal 'G' and no object cells 'a'-'z', so nothing is rewarded; "
            "allowed: at least one 'G' or one object cell"
        )
    return layout


def goal_distances(layout: GridLayout) -> np.ndarray:
    """Moves from each cell to the nearest goal without touching lava (-1 where unreachable)."""
    chars = layout.chars
    dist = np.full(chars.shape, -1, dtype=np.int64)
    queue = deque()
    for r, c in zip(*np.nonzero(chars == GOAL)):
        dist[r, c] = 0
        queue.append((int(r), int(c)))
    while queue:
        r, c = queue.popleft()
        for dr, dc in ((-1, 0), (0, 1), (1, 0), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < layout.rows and 0 <= nc < layout.cols and dist[nr, nc] < 0:
                if chars[nr, nc] not in (WALL, LAVA, GOAL):
                    dist[nr, nc] = dist[r, c] + 1
                    queue.append((nr, nc))
    return dist


def _check_goal_reachable(layout: GridLayout) -> None:
    dist = goal_distances(layout)
    for r, c in zip(*np.nonzero(layout.chars == START)):
        if dist[r, c] < 0:
            raise ValueError(
                f"layout {layout.name!r}: no goal is reachable from the start at row {r}, column {c} "
                "(walls and lava block every path); allowed: layouts where every 'S' can reach a 'G'"
            )


def make_objectworld(size: int, rng: np.random.Generator, n_colours: int = 2,
                     object_fraction: float = 0.06) -> GridLayout:
    """A random ``size`` x ``size`` ObjectWorld: no walls, objects on about ``object_fraction`` of
    the cells in random colours, and every other cell a start (uniform initial distribution).

    Every colour appears at least once so the feature count is always ``n_colours`` (+ floor).
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"size={size!r} is not allowed; allowed: an int in [{MIN_SIZE}, {MAX_SIZE}]")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size={size} is not allowed; allowed: an int in [{MIN_SIZE}, {MAX_SIZE}]")
    if isinstance(n_colours, bool) or not isinstance(n_colours, (int, np.integer)) or not (
        1 <= n_colours <= MAX_COLOURS
    ):
        raise ValueError(f"n_colours={n_colours!r} is not allowed; allowed: an int in [1, {MAX_COLOURS}]")
    size, n_colours = int(size), int(n_colours)
    n_cells = size * size
    n_objects = min(n_cells - 1, max(n_colours, int(round(object_fraction * n_cells))))
    if n_objects < n_colours:
        raise ValueError(
            f"n_colours={n_colours} does not fit in a {size}x{size} ObjectWorld (needs one free cell); "
            f"allowed: n_colours <= {n_cells - 1}"
        )
    cells = rng.choice(n_cells, size=n_objects, replace=False)
    colours = np.concatenate([np.arange(n_colours), rng.integers(0, n_colours, n_objects - n_colours)])
    flat = np.full(n_cells, START, dtype="<U1")
    flat[cells] = np.array(list(OBJECT_CHARS[:n_colours]))[colours]
    return GridLayout(chars=flat.reshape(size, size), name=f"objectworld{size}")


def resolve_layout(layout, size=None, layout_seed=None, n_colours=None) -> GridLayout:
    """Turn the env's ``layout``/``size``/``layout_seed``/``n_colours`` kwargs into a ``GridLayout``."""
    if isinstance(layout, str):
        if layout not in NAMED_LAYOUTS:
            raise ValueError(
                f"layout={layout!r} is not a built-in layout; allowed: {sorted(NAMED_LAYOUTS)} "
                "or a list of row strings"
            )
        if layout == "objectworld":
            seed = 0 if layout_seed is None else layout_seed
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"layout_seed={layout_seed!r} is not allowed; allowed: an int >= 0")
            return make_objectworld(16 if size is None else size, np.random.default_rng(int(seed)),
                                    2 if n_colours is None else n_colours)
        rows, name = NAMED_LAYOUTS[layout], layout
    else:
        rows, name = layout, "custom"
    for arg, value in (("size", size), ("layout_seed", layout_seed), ("n_colours", n_colours)):
        if value is not None:
            raise ValueError(
                f"{arg}={value!r} is not allowed with layout={name!r}; allowed: {arg}=None "
                "(it only applies to layout='objectworld')"
            )
    return parse_layout(rows, name=name)


def check_number(name, value, lo, hi) -> float:
    """``value`` as a float if it is a real number in [lo, hi]; else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
        lo <= float(value) <= hi
    ):
        raise ValueError(f"{name}={value!r} is not allowed; allowed: a number in [{lo}, {hi}]")
    return float(value)


def state_features(layout: GridLayout, kinds: np.ndarray, step_cost=None, goal_reward=None,
                   lava_reward=None, reward_weights=None):
    """Feature names, (S, K) indicator features and (K,) reward weights for states of kind ``kinds``.

    Columns, in order, for the kinds present: ``goal``, ``lava``, ``floor`` (``.`` and ``S``; it
    carries the step cost), then ``obj_<colour>`` per object colour. Default weights: goal +1,
    lava -1, floor -0.01 when the layout has a goal (else 0), ``obj_a`` +1, ``obj_b`` -1, other
    colours 0, so ObjectWorld's optimum seeks colour a and avoids b (Levine et al. 2011).
    ``reward_weights`` (a (K,) array in column order, or a dict name -> weight with missing
    names 0) replaces the defaults and excludes ``step_cost``/``goal_reward``/``lava_reward``.
    """
    if reward_weights is not None:
        for arg, value in (("step_cost", step_cost), ("goal_reward", goal_reward), ("lava_reward", lava_reward)):
            if value is not None:
                raise ValueError(f"{arg}={value!r} cannot be combined with reward_weights; allowed: one or the other")
    goal_r = 1.0 if goal_reward is None else check_number("goal_reward", goal_reward, -1e9, 1e9)
    lava_r = -1.0 if lava_reward is None else check_number("lava_reward", lava_reward, -1e9, 1e9)
    cost = (0.01 if layout.has_goal else 0.0) if step_cost is None else check_number("step_cost", step_cost, -1e9, 1e9)
    names, columns, defaults = [], [], []
    for name, column, weight in (("goal", kinds == GOAL, goal_r), ("lava", kinds == LAVA, lava_r)):
        if column.any():
            names.append(name), columns.append(column), defaults.append(weight)
    names.append("floor"), columns.append((kinds == FLOOR) | (kinds == START)), defaults.append(0.0 - cost)
    for ch in layout.colours():
        names.append(f"obj_{ch}"), columns.append(kinds == ch), defaults.append({"a": 1.0, "b": -1.0}.get(ch, 0.0))
    features = np.stack(columns, axis=1).astype(np.float64)
    weights = np.array(defaults, dtype=np.float64)
    if reward_weights is not None:
        weights = _weights_from(reward_weights, names)
    return tuple(names), features, weights


def _weights_from(reward_weights, names: list[str]) -> np.ndarray:
    if isinstance(reward_weights, dict):
        unknown = sorted(set(reward_weights) - set(names))
        if unknown:
            raise ValueError(f"reward_weights names {unknown} unknown; allowed names: {list(names)}")
        weights = np.array([float(reward_weights.get(n, 0.0)) for n in names])
    else:
        weights = np.asarray(reward_weights, dtype=np.float64)
        if weights.shape != (len(names),):
            raise ValueError(
                f"reward_weights has shape {weights.shape}; allowed: shape ({len(names)},) in the "
                f"order {list(names)}, or a dict from those names to weights (missing names get 0)"
            )
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"reward_weights={weights.tolist()} is not allowed; allowed: finite numbers")
    return weights


__all__ = [
    "GridLayout", "LEGEND", "NAMED_LAYOUTS", "OBJECT_CHARS", "check_number", "goal_distances",
    "make_objectworld", "parse_layout", "resolve_layout", "state_features",
]
