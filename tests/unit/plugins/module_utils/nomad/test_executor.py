import threading
import time

import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad.executor import run_many


def test_bounded_concurrency_and_order():
    active, peak, lock = [0], [0], threading.Lock()

    def work(n):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return n * 2

    assert run_many(range(40), work, concurrency=4) == [n * 2 for n in range(40)]
    assert 1 < peak[0] <= 4


def test_errors_become_results_and_others_still_run():
    def work(n):
        if n == 2:
            raise RuntimeError("bad %d" % n)
        return n

    out = run_many(range(5), work, concurrency=3, on_error=lambda item, exc: "failed: %s" % exc)
    assert out == [0, 1, "failed: bad 2", 3, 4]


def _always_fails(_item):
    raise RuntimeError("x")


def test_errors_reraised_without_handler():
    with pytest.raises(RuntimeError):
        run_many([1], _always_fails)


def test_concurrency_must_be_positive():
    with pytest.raises(ValueError, match="concurrency"):
        run_many([1], lambda n: n, concurrency=0)
