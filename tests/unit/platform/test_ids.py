import random
from datetime import UTC, datetime

from otwb.platform.clock import SimulatedClock
from otwb.platform.ids import IdFactory, _ulid


def test_ids_carry_their_prefix_and_sort_by_creation():
    clock = SimulatedClock(datetime(2026, 11, 25, 8, tzinfo=UTC))
    ids = IdFactory(clock, seed=3)
    made = [ids.new("ord") for _ in range(1000)]  # the clock does not move: same millisecond
    assert all(x.startswith("ord_") and len(x) == 30 for x in made)
    assert made == sorted(made)
    assert len(set(made)) == 1000
    clock.set(datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert ids.new("ord") > made[-1]


def test_a_seed_makes_ids_reproducible():
    def run() -> list[str]:
        clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=UTC))
        ids = IdFactory(clock, seed=42)
        return [ids.new("x") for _ in range(5)]

    assert run() == run()


def _reference_ulid(ms: int, rand: int) -> str:
    """The ULID text spelled out: 10 characters of time, 16 of randomness, Crockford base 32."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (ms << 80) | rand
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def test_the_ulid_is_crockford_base32_of_the_time_then_the_randomness():
    clock = SimulatedClock(datetime(2026, 11, 25, 8, 30, 15, 123000, tzinfo=UTC))
    ids = IdFactory(clock, seed=7)
    first = ids.new("evt")
    ms = int(clock.now().timestamp() * 1000)
    rand = random.Random(7).getrandbits(80)
    assert first == "evt_" + _reference_ulid(ms, rand)
    assert ids.new("evt") == "evt_" + _reference_ulid(ms, rand + 1)  # same millisecond: +1
    assert _ulid(0, 0) == "0" * 26
    assert _ulid((1 << 48) - 1, (1 << 80) - 1) == "7" + "Z" * 25
    assert _ulid(5, 1 << 80) == _reference_ulid(5, 0)  # the randomness keeps its 80 bits
    r = random.Random(11)
    for _ in range(200):
        ms, rand = r.getrandbits(48), r.getrandbits(80)
        assert _ulid(ms, rand) == _reference_ulid(ms, rand)


def test_ids_made_many_at_once_are_the_ids_new_would_make():
    def factory() -> IdFactory:
        return IdFactory(SimulatedClock(datetime(2026, 11, 25, 8, tzinfo=UTC)), seed=9)

    one_by_one = factory()
    expected = [one_by_one.new("chg") for _ in range(5000)]
    at_once = factory()
    made = at_once.new_many("chg", 1) + at_once.new_many("chg", 2999) + at_once.new_many("chg", 0)
    made += [at_once.new("chg"), *at_once.new_many("chg", 1999)]
    assert made == expected
    assert one_by_one.new("chg") == at_once.new("chg")  # both carry on from the same place
    assert len(set(made)) == 5000
