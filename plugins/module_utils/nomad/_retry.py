# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry policy for Nomad HTTP calls (plain Python, no Ansible imports).

Retried: connection errors, timeouts and 5xx answers (except 501 Not Implemented,
which Nomad OSS returns for Enterprise-only endpoints and never changes on retry).
Never retried: 4xx answers.
"""
from __future__ import annotations

import random
import time


class RetryPolicy:
    """Bounded retries with capped exponential backoff and a little jitter."""

    def __init__(self, retries=3, delay=0.5, max_delay=5.0, sleep=time.sleep, jitter=0.1):
        if retries < 0:
            raise ValueError("retries must be >= 0, got %r" % (retries,))
        self.retries = retries
        self.delay = delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.jitter = jitter

    @staticmethod
    def retryable_status(status):
        return status is not None and 500 <= status <= 599 and status != 501

    def backoff(self, attempt):
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        base = min(self.delay * (2 ** attempt), self.max_delay)
        return base + random.uniform(0, self.jitter * base)

    def run(self, func, classify):
        """Call ``func()``; on an exception ``classify(exc)`` says whether to retry.

        Returns func's value; re-raises the last exception once retries are spent.
        The number of attempts made is stored on the exception as ``attempts``.
        """
        attempt = 0
        while True:
            try:
                return func()
            except Exception as exc:  # classify decides; non-retryable re-raised
                if attempt >= self.retries or not classify(exc):
                    try:
                        exc.attempts = attempt + 1
                    except AttributeError:
                        pass
                    raise
                self.sleep(self.backoff(attempt))
                attempt += 1
