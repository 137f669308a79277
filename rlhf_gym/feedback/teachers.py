"""Teachers answer "which of these two clips is better?".

Interface (a human window plugs into the same one): ``teacher.label(left, right)``
returns 1.0 (left better), 0.0 (right better), 0.5 (equally good) or None (skipped,
cannot tell); ``teacher.label_pairs(pairs)`` answers a batch.

``SyntheticTeacher`` judges from the clips' true rewards (``info["true_reward"]``,
else the env's own reward) with the simulated irrationalities of B-Pref (Lee et al.
2021), applied in this order: skip (both clips' returns below ``skip_threshold``),
myopia (step t of H weighted gamma**(H-1-t)), equal (|R1 - R2| < ``equal_threshold``
gives 0.5), rationality beta (left chosen with probability sigmoid(beta (R1 - R2));
beta=inf is exact), then a mistake (the decided label flipped with probability
``error_rate``). ``ReplayTeacher`` answers with labels recorded in a label store.
"""

from __future__ import annotations

import math

import numpy as np

from rlhf_gym.data.segments import Segment, check_pair


class Teacher:
    """Base class: subclasses implement ``label``; ``labels_given`` counts answers."""

    name = "teacher"

    def __init__(self):
        self.labels_given = 0

    def label(self, left: Segment, right: Segment) -> float | None:
        raise NotImplementedError

    def label_pairs(self, pairs: list[tuple[Segment, Segment]]) -> list[float | None]:
        return [self.label(a, b) for a, b in pairs]


class SyntheticTeacher(Teacher):
    """A simulated person with tunable irrationality (see module docstring)."""

    name = "synthetic"

    def __init__(
        self,
        rng: np.random.Generator | int,
        beta: float = math.inf,
        gamma: float = 1.0,
        skip_threshold: float | None = None,
        equal_threshold: float = 0.0,
        error_rate: float = 0.0,
    ):
        super().__init__()
        if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
            rng = np.random.default_rng(int(rng))
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"SyntheticTeacher: rng={rng!r}; allowed: a numpy Generator or an int seed")
        if not (isinstance(beta, (int, float)) and beta > 0):
            raise ValueError(f"SyntheticTeacher: beta={beta!r}; allowed: a float > 0 (math.inf: exact)")
        if not (isinstance(gamma, (int, float)) and 0.0 < gamma <= 1.0):
            raise ValueError(f"SyntheticTeacher: gamma={gamma!r}; allowed: a float in (0, 1]")
        if not (isinstance(equal_threshold, (int, float)) and equal_threshold >= 0.0):
            raise ValueError(f"SyntheticTeacher: equal_threshold={equal_threshold!r}; allowed: a float >= 0")
        if not (isinstance(error_rate, (int, float)) and 0.0 <= error_rate <= 1.0):
            raise ValueError(f"SyntheticTeacher: error_rate={error_rate!r}; allowed: a float in [0, 1]")
        if skip_threshold is not None and not isinstance(skip_threshold, (int, float)):
            raise ValueError(f"SyntheticTeacher: skip_threshold={skip_threshold!r}; allowed: a float or None")
        self.rng, self.beta, self.gamma = rng, float(beta), float(gamma)
        self.skip_threshold, self.equal_threshold, self.error_rate = skip_threshold, float(equal_threshold), float(error_rate)
        self.skipped = 0

    def config(self) -> dict:
        return {
            "teacher": self.name, "beta": self.beta, "gamma": self.gamma, "skip_threshold": self.skip_threshold,
            "equal_threshold": self.equal_threshold, "error_rate": self.error_rate,
        }

    def label(self, left: Segment, right: Segment) -> float | None:
        check_pair(left, right)
        if self.skip_threshold is not None and max(left.true_return(), right.true_return()) < self.skip_threshold:
            self.skipped += 1
            return None
        r1, r2 = left.true_return(self.gamma), right.true_return(self.gamma)
        self.labels_given += 1
        if abs(r1 - r2) < self.equal_threshold:
            return 0.5
        if math.isinf(self.beta):
            if r1 == r2:
                return 0.5
            choice = 1.0 if r1 > r2 else 0.0
        else:
            z = self.beta * (r1 - r2)
            p_left = 0.5 * (1.0 + math.tanh(0.5 * z))
            choice = 1.0 if self.rng.random() < p_left else 0.0
        if self.error_rate > 0.0 and self.rng.random() < self.error_rate:
            choice = 1.0 - choice
        return choice


class ReplayTeacher(Teacher):
    """Answers with labels recorded earlier, found by the clips' content fingerprints.

    ``pairs()`` returns every recorded (left, right, label), for training offline
    from a file; ``label`` on a pair that was never recorded raises KeyError.
    """

    name = "replay"

    def __init__(self, store):
        super().__init__()
        self.store = store
        self._by_key: dict[tuple[str, str], float] = {}
        for left, right, lab in store.labelled_pairs():
            self._by_key[(left.fingerprint(), right.fingerprint())] = lab

    def pairs(self) -> list[tuple[Segment, Segment, float]]:
        return self.store.labelled_pairs()

    def label(self, left: Segment, right: Segment) -> float | None:
        check_pair(left, right)
        key = (left.fingerprint(), right.fingerprint())
        if key in self._by_key:
            self.labels_given += 1
            return self._by_key[key]
        swapped = (key[1], key[0])
        if swapped in self._by_key:
            self.labels_given += 1
            return 1.0 - self._by_key[swapped]
        raise KeyError(f"ReplayTeacher: no recorded label for this pair in {self.store.path!s}")
