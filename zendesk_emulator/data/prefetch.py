"""Rendering the next export page while the client is busy with the current one.

A sync asks for export pages one after another and spends far longer on each page (parsing, normalising,
writing) than the account spends generating it; the account is idle in between. After serving a page, the
export handler names the records of the page that follows, and this worker renders them into the dataset's
byte cache, a few at a time under the dataset lock so live requests are never held up for long. A newer request
replaces pending work. Output is unchanged: the cache holds exactly the bytes the request would have built.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CHUNK = 25
HEAD_START = 0.02  # seconds left to the request that scheduled the work, to finish sending its page


class Prefetcher:
    def __init__(self, lock: threading.RLock):
        self._lock = lock
        self._wake = threading.Condition()
        self._pending: list[Callable[[], object]] | None = None
        self._thread: threading.Thread | None = None
        self.enabled = True

    def schedule(self, jobs: list[Callable[[], object]]) -> None:
        if not self.enabled or not jobs:
            return
        with self._wake:
            self._pending = jobs
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="zendesk-emulator-prefetch", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None:
                    self._wake.wait()
                jobs, self._pending = self._pending, None
            time.sleep(HEAD_START)
            for start in range(0, len(jobs), CHUNK):
                if self._pending is not None:
                    break  # a newer page was requested: its successor matters more
                with self._lock:
                    for job in jobs[start:start + CHUNK]:
                        job()
