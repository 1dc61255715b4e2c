"""imports.seen.SeenKeys answers as a set of the same keys would, through its growth and at the keys its empty
slot stands beside (0 and 1 share a slot: a one in 2**64 chance per address, as the 64-bit key itself is)."""

import random

from imports.seen import SeenKeys


def test_it_answers_as_a_set_through_its_growth():
    rng = random.Random(7)
    seen, expected = SeenKeys(4), set()
    for step in range(50_000):
        key = rng.getrandbits(64) if step % 3 else rng.choice([1, 5, 2**64 - 1, rng.getrandbits(8) + 2])
        assert seen.add(key) is (key not in expected)
        expected.add(key)
    assert len(seen) == len(expected)


def test_a_key_of_zero_counts_as_one():
    seen = SeenKeys()
    assert seen.add(0) is True
    assert seen.add(1) is False
    assert seen.add(0) is False


def test_keys_that_collide_in_the_table_are_kept_apart():
    seen = SeenKeys(2)
    size = 4  # two expected keys: four slots
    colliding = [3 + size * multiple for multiple in range(1, 40)]  # the same low bits: one probe sequence
    assert all(seen.add(key) for key in colliding)
    assert not any(seen.add(key) for key in colliding)
    assert len(seen) == len(colliding)
