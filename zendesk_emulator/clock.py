"""Emulated time: the account's "now" can run faster than the wall clock so a rate-limit minute passes in a second."""

from __future__ import annotations

import math
import threading
import time


class Clock:
    def __init__(self, anchor: float | None = None, time_scale: float = 1.0):
        self._lock = threading.Lock()
        self._anchor = time.time() if anchor is None else float(anchor)
        self._started = time.monotonic()
        self._scale = float(time_scale)

    @property
    def time_scale(self) -> float:
        return self._scale

    def now(self) -> float:
        with self._lock:
            return self._anchor + (time.monotonic() - self._started) * self._scale

    def set_scale(self, time_scale: float) -> None:
        """Change speed without a jump: now() stays continuous across the change."""
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        with self._lock:
            real = time.monotonic()
            self._anchor = self._anchor + (real - self._started) * self._scale
            self._started = real
            self._scale = float(time_scale)

    def advance(self, virtual_seconds: float) -> None:
        """Jump forward (tests: let the "last minute" exclusion window pass without sleeping)."""
        with self._lock:
            self._anchor += virtual_seconds

    def real_seconds(self, virtual_seconds: float) -> int:
        """A virtual duration as whole real seconds a client should sleep (Retry-After): never below 1."""
        return max(1, math.ceil(virtual_seconds / self._scale))
