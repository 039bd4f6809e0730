import pytest

from ansible_collections.agentfleet.hashistack.plugins.module_utils.nomad._retry import RetryPolicy


class Boom(Exception):
    pass


def test_retries_until_success_and_backs_off_exponentially():
    sleeps, calls = [], []
    policy = RetryPolicy(retries=3, delay=0.5, sleep=sleeps.append, jitter=0)

    def func():
        calls.append(1)
        if len(calls) < 3:
            raise Boom()
        return "ok"

    assert policy.run(func, lambda exc: True) == "ok"
    assert len(calls) == 3
    assert sleeps == [0.5, 1.0]


def test_gives_up_after_the_bound_and_records_attempts():
    policy = RetryPolicy(retries=2, delay=0.01, sleep=lambda s: None)
    calls = []

    def func():
        calls.append(1)
        raise Boom()

    with pytest.raises(Boom) as info:
        policy.run(func, lambda exc: True)
    assert len(calls) == 3
    assert info.value.attempts == 3


def test_non_retryable_errors_are_raised_at_once():
    policy = RetryPolicy(retries=5, sleep=lambda s: pytest.fail("must not sleep"))
    calls = []

    def func():
        calls.append(1)
        raise Boom()

    with pytest.raises(Boom):
        policy.run(func, lambda exc: False)
    assert len(calls) == 1


@pytest.mark.parametrize("status,expected", [(500, True), (502, True), (503, True), (599, True),
                                             (501, False), (400, False), (403, False), (404, False),
                                             (409, False), (200, False), (None, False)])
def test_retryable_status(status, expected):
    assert RetryPolicy.retryable_status(status) is expected


def test_backoff_is_capped():
    policy = RetryPolicy(delay=1, max_delay=5, jitter=0)
    assert [policy.backoff(n) for n in range(5)] == [1, 2, 4, 5, 5]


def test_negative_retries_rejected():
    with pytest.raises(ValueError, match="retries"):
        RetryPolicy(retries=-1)
