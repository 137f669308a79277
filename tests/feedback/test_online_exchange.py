"""The queue between the training thread and the person: it never offers more pairs than the budget
can use, answers and their undos reach the training side in order, and the person's waiting time is
booked only while labels are wanted and nothing can be answered (a fake clock: exact seconds)."""

import numpy as np
import pytest

from rlhf_gym.data.segments import Segment
from rlhf_gym.feedback.online_exchange import PairExchange


def clip(value):
    return Segment(obs=np.full((3, 1), value), actions=np.zeros(3), next_obs=np.full((3, 1), value),
                   true_rewards=np.full(3, value))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_queue_holds_capacity_pairs_and_never_more_than_the_budget_can_use():
    x = PairExchange(budget=4, capacity=3)
    pairs = [(clip(i), clip(i + 1)) for i in range(5)]
    assert x.room() == 3 and x.offer(pairs, timestep=7) == 3 and x.room() == 0
    offer = x.take(0.0)
    assert offer.timestep == 7 and offer.left is pairs[0][0]
    assert x.room() == 1  # 1 in hand + 2 queued: one slot free, and the budget of 4 has room for one
    assert x.offer(pairs[3:], timestep=8) == 1 and x.room() == 0  # offered 2, queued 1
    x.give(offer, offer.left, offer.right, 1.0)
    assert x.room() == 0  # 1 answered + 3 queued = the whole budget of 4
    for _ in range(3):
        o = x.take(0.0)
        x.give(o, o.left, o.right, None)
    assert (x.answered, x.labelled, x.labels_wanted()) == (4, 1, False)
    assert [r.label for r in x.collect()] == [1.0, None, None, None] and x.collect() == []


def test_an_undo_reaches_the_training_side_and_frees_its_label():
    x = PairExchange(budget=2, capacity=2)
    x.offer([(clip(0), clip(1)), (clip(2), clip(3))])
    a = x.take(0.0)
    reply = x.give(a, a.left, a.right, 0.0)
    x.retract(reply)  # the same pair is in the person's hand again
    assert (x.answered, x.in_hand) == (0, 1)
    again = x.give(a, a.left, a.right, 1.0)
    replies = x.collect()
    assert [(r.label, r.retract) for r in replies] == [(0.0, False), (0.0, True), (1.0, False)]
    assert replies[1].left is reply.left and again.left is reply.left


def test_waiting_is_booked_only_while_labels_are_wanted_and_the_queue_is_empty():
    clock = Clock()
    x = PairExchange(budget=2, capacity=1, clock=clock)
    clock.now = 1.0
    assert x.take(0.0) is None  # the person waits from t=1 ...
    clock.now = 4.0
    x.offer([(clip(0), clip(1))])
    a = x.take(0.0)  # ... to t=4
    clock.now = 6.0
    x.give(a, a.left, a.right, 1.0)
    x.offer([(clip(2), clip(3))])
    b = x.take(0.0)  # no wait
    clock.now = 10.0
    x.give(b, b.left, b.right, 0.0)  # the budget is spent at t=10
    clock.now = 30.0
    assert x.take(0.0) is None  # nothing more is wanted: not waiting
    x.close()
    shares = x.shares()
    assert shares["person_waited_seconds"] == pytest.approx(3.0)
    assert shares["labelling_seconds"] == pytest.approx(10.0) and shares["person_waited_share"] == pytest.approx(0.3)


def test_a_quit_stops_the_offers_and_wakes_a_stalled_agent():
    x = PairExchange(budget=5)
    x.quit()
    assert x.stopped and x.room() == 0 and x.offer([(clip(0), clip(1))]) == 0
    x.wait_for_reply(5.0)  # returns at once: the person quit
    assert x.agent_stalled_seconds < 1.0
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="budget=.*allowed: an integer >= 1"):
            PairExchange(budget=bad)
