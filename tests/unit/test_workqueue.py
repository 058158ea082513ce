"""kubecore.runtime.workqueue: client-go's util/workqueue semantics, under threads.

Delays are computed against a FakeClock: no test sleeps or asserts a timing; every join
is bounded.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from kubecore.runtime.clock import FakeClock
from kubecore.runtime.workqueue import (
    BucketRateLimiter,
    DelayingQueue,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    Queue,
    RateLimitingQueue,
    default_controller_rate_limiter,
)

JOIN = 10.0  # seconds: a generous bound for threads that should finish at once


def _join(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(JOIN)
        assert not thread.is_alive(), f"{thread.name} did not finish"


def test_dirty_set_deduplicates_and_keeps_order() -> None:
    q: Queue[str] = Queue()
    for key in ["a", "b", "a", "c", "b", "a"]:
        q.add(key)
    assert len(q) == 3
    assert [q.get()[0] for _ in range(3)] == ["a", "b", "c"]
    assert len(q) == 0


def test_readded_while_processing_is_processed_again_after_done() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    item, shutdown = q.get()
    assert (item, shutdown) == ("a", False)
    q.add("a")
    q.add("a")  # still one pending processing
    assert len(q) == 0  # not handed out while "a" is processed
    q.done("a")
    assert len(q) == 1
    assert q.get() == ("a", False)
    q.done("a")
    assert len(q) == 0


def test_done_without_readd_does_not_requeue() -> None:
    q: Queue[int] = Queue()
    q.add(1)
    q.get()
    q.done(1)
    q.shut_down()
    assert q.get() == (None, True)


def test_shut_down_hands_out_queued_items_then_reports_shutdown() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.add("b")
    q.shut_down()
    q.add("c")  # ignored after shutdown
    assert q.shutting_down
    assert q.get() == ("a", False)
    assert q.get() == ("b", False)
    assert q.get() == (None, True)
    assert list(q) == []


def test_shut_down_wakes_blocked_getters() -> None:
    q: Queue[str] = Queue()
    results: list[tuple[str | None, bool]] = []
    workers = [threading.Thread(target=lambda: results.append(q.get())) for _ in range(4)]
    for worker in workers:
        worker.start()
    q.shut_down()
    _join(*workers)
    assert results == [(None, True)] * 4


def test_no_item_is_processed_by_two_workers_at_once() -> None:
    """Many workers, many producers, few keys: never two holders of one key, and every
    key added after its last processing started is processed again."""
    q: Queue[int] = Queue()
    keys = 10
    lock = threading.Lock()
    active: set[int] = set()
    violations: list[int] = []
    processed: Counter[int] = Counter()
    # adds that happened after the key's last processing started: must be followed by one
    pending: set[int] = set()

    def worker() -> None:
        for key in q:
            with lock:
                if key in active:
                    violations.append(key)
                active.add(key)
                pending.discard(key)
                processed[key] += 1
            for _ in range(50):  # some work, letting other threads run
                threading.Event().is_set()
            with lock:
                active.discard(key)
            q.done(key)

    def producer(seed: int) -> None:
        for i in range(2000):
            key = (i * 7 + seed) % keys
            with lock:
                pending.add(key)
            q.add(key)

    workers = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(8)]
    producers = [threading.Thread(target=producer, args=(s,), name=f"p-{s}") for s in range(4)]
    for thread in workers + producers:
        thread.start()
    _join(*producers)
    assert q.shut_down_with_drain(timeout=JOIN)
    _join(*workers)
    assert violations == []
    assert pending == set(), "an add after the last processing was lost"
    assert set(processed) == set(range(keys))
    assert sum(processed.values()) <= 4 * 2000  # deduplicated, never more than added


def test_shut_down_with_drain_waits_for_items_in_processing() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    item, _ = q.get()
    drained = threading.Event()

    def drain() -> None:
        q.shut_down_with_drain()
        drained.set()

    drainer = threading.Thread(target=drain)
    drainer.start()
    assert not drained.wait(0.05)  # still processing "a" (not a timing claim: it cannot end)
    q.add("b")  # ignored: the queue is shutting down
    assert q.shutting_down and len(q) == 0
    q.done("a")
    _join(drainer)
    assert drained.is_set()
    assert q.get() == (None, True)


def test_shut_down_with_drain_times_out_while_an_item_is_held() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.get()
    assert q.shut_down_with_drain(timeout=0.01) is False
    q.done("a")
    assert q.shut_down_with_drain(timeout=JOIN) is True


def test_add_after_orders_by_ready_time_with_a_fake_clock() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("c", 3.0)
    q.add_after("a", 1.0)
    q.add_after("b", 2.0)
    q.add_after("now", 0)
    assert len(q) == 1 and q.waiting() == 3
    assert q.get() == ("now", False)
    clock.step(0.999)
    assert len(q) == 0
    clock.step(0.001)
    assert len(q) == 1
    clock.step(5.0)
    assert [q.get()[0] for _ in range(3)] == ["a", "b", "c"]
    assert q.waiting() == 0


def test_add_after_keeps_the_earliest_time_and_deduplicates() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 10.0)
    q.add_after("a", 2.0)  # earlier: wins
    q.add_after("a", 5.0)  # later: ignored
    assert q.waiting() == 1
    clock.step(2.0)
    assert len(q) == 1 and q.waiting() == 0
    q.add("a")  # already queued: dirty set deduplicates
    clock.step(10.0)
    assert len(q) == 1


def test_blocked_get_wakes_when_the_fake_clock_reaches_the_item() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    got: list[tuple[str | None, bool]] = []
    q.add_after("x", 30.0)
    worker = threading.Thread(target=lambda: got.append(q.get()))
    worker.start()
    clock.step(29.0)
    assert got == []  # not due yet: nothing can have been handed out
    clock.step(1.0)
    _join(worker)
    assert got == [("x", False)]


def test_shut_down_drops_items_still_waiting() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 1.0)
    q.shut_down()
    q.add_after("b", 0)  # ignored
    clock.step(2.0)
    assert q.get() == (None, True)


def test_item_exponential_failure_rate_limiter_sequence() -> None:
    limiter = ItemExponentialFailureRateLimiter(0.005, 1000.0)
    delays = [limiter.when("a") for _ in range(20)]
    assert delays[:5] == [0.005, 0.01, 0.02, 0.04, 0.08]
    assert delays[17] == 0.005 * 2**17  # 655.36 s
    assert delays[18:] == [1000.0, 1000.0]  # capped
    assert limiter.num_requeues("a") == 20
    assert limiter.when("b") == 0.005  # per item
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.005
    for _ in range(3000):  # no float overflow after very many failures
        last = limiter.when("c")
    assert last == 1000.0


def test_item_fast_slow_rate_limiter_sequence() -> None:
    limiter = ItemFastSlowRateLimiter(0.1, 5.0, 2)
    assert [limiter.when("a") for _ in range(4)] == [0.1, 0.1, 5.0, 5.0]
    assert limiter.num_requeues("a") == 4
    limiter.forget("a")
    assert limiter.when("a") == 0.1


def test_bucket_rate_limiter_burst_then_qps_with_a_fake_clock() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=10.0, burst=100, clock=clock)
    assert [limiter.when(i) for i in range(100)] == [0.0] * 100  # the full bucket
    assert limiter.when("x") == pytest.approx(0.1)
    assert limiter.when("y") == pytest.approx(0.2)
    assert limiter.num_requeues("x") == 0
    clock.step(1.0)  # 10 tokens back; two were owed
    assert [limiter.when(i) for i in range(8)] == [0.0] * 8
    assert limiter.when("z") == pytest.approx(0.1)
    clock.step(1000.0)  # refills to the burst, never beyond
    assert sum(limiter.when(i) == 0.0 for i in range(150)) == 100


def test_max_of_and_default_controller_rate_limiter() -> None:
    clock = FakeClock()
    limiter = default_controller_rate_limiter(clock=clock)
    assert isinstance(limiter, MaxOfRateLimiter)
    # per-item backoff dominates while the bucket has tokens
    assert [limiter.when("a") for _ in range(3)] == [0.005, 0.01, 0.02]
    assert limiter.num_requeues("a") == 3
    for i in range(97):
        limiter.when(("other", i))  # empties the shared bucket (100 tokens)
    # now the bucket dominates for a fresh item: the 101st token is 0.1 s away
    assert limiter.when("fresh") == pytest.approx(0.1)
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    with pytest.raises(ValueError):
        MaxOfRateLimiter()


def test_rate_limiting_queue_requeues_with_backoff_and_forgets() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(
        ItemExponentialFailureRateLimiter(1.0, 60.0), clock=clock
    )
    q.add("vm")
    for expected_delay in (1.0, 2.0, 4.0):
        item, _ = q.get()
        assert item == "vm"
        q.add_rate_limited("vm")  # failed: retry later
        q.done("vm")
        assert len(q) == 0
        clock.step(expected_delay - 0.5)
        assert len(q) == 0
        clock.step(0.5)
        assert len(q) == 1
    assert q.num_requeues("vm") == 3
    item, _ = q.get()
    q.forget("vm")
    q.done("vm")
    assert q.num_requeues("vm") == 0
    q.add_rate_limited("vm")
    clock.step(1.0)
    assert q.get() == ("vm", False)


def test_rate_limiting_queue_default_limiter_uses_the_queue_clock() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    for i in range(100):
        q.add_rate_limited(f"k{i}")  # 5 ms each: the per-item backoff
    assert len(q) == 0 and q.waiting() == 100
    clock.step(0.005)
    assert len(q) == 100
    q.add_rate_limited("late")  # the bucket is empty: 0.1 s, not 5 ms
    clock.step(0.05)
    assert q.waiting() == 1
    clock.step(0.05)
    assert q.waiting() == 0
