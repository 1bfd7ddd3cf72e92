"""One export read for two streams: the pages one stream requests, handed to another stream that reads them too.

The ticket export sideloads each ticket's metric set (`include=metric_sets`), so tickets and ticket_metrics can be
read from the same requests: half the requests against Zendesk's 10-a-minute export limit. The publishing stream
(tickets) asks for the sideload and puts every response it reads into a `PageFeed`; the following stream
(ticket_metrics) takes them from there in the same order instead of requesting them, and reads them with its own
records key and its own position, so each stream keeps its own state. Both are read at the same time (concurrent.py);
the feed holds one page, without the publisher's records, so memory stays at about one page per stream.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .errors import json_body, with_json_body

CAPACITY = 1  # pages waiting for the follower


@dataclass(frozen=True)
class _End:
    error: BaseException | None


class PageFeed:
    def __init__(self, publisher: str, follower: str, records_key: str, cursor_field: str,
                 capacity: int = CAPACITY) -> None:
        """`records_key`, `cursor_field`: where the publisher's records are on a page, and its cursor, which is all
        the follower reads of them (its position in the shared pages is the publisher's cursor)."""
        self.publisher, self.follower = publisher, follower
        self._records_key, self._cursor_field = records_key, cursor_field
        self._pages: deque[requests.Response | _End] = deque()
        self._capacity = capacity
        self._changed = threading.Condition()
        self._abandoned = False

    def publish(self, response: requests.Response) -> None:
        """Called by the publisher after each page it read; waits while the follower is `capacity` pages behind."""
        if response.ok:
            response = self._without_publisher_records(response)
        with self._changed:
            while len(self._pages) >= self._capacity and not self._abandoned:
                self._changed.wait()
            if not self._abandoned:
                self._pages.append(response)
                self._changed.notify_all()

    def close(self, error: BaseException | None = None) -> None:
        """The publisher is done, or failed with `error`."""
        with self._changed:
            self._pages.append(_End(error))
            self._changed.notify_all()

    def abandon(self) -> None:
        """The follower stopped reading: the publisher must not wait for it."""
        with self._changed:
            self._abandoned = True
            self._pages.clear()
            self._changed.notify_all()

    def receive(self) -> requests.Response:
        """The next page the publisher read (the follower asks exactly when it would have requested one)."""
        with self._changed:
            while not self._pages:
                self._changed.wait()
            item = self._pages.popleft()
            self._changed.notify_all()
        if isinstance(item, _End):
            with self._changed:
                self._pages.appendleft(item)  # every later call gets the same answer
            raise self._ended(item.error)
        return item

    def _without_publisher_records(self, response: requests.Response) -> requests.Response:
        """The page as the follower needs it: parsed once (by the publisher), with the publisher's records reduced
        to their cursor values, so the follower does not keep the publisher's large records alive (a ticket page
        is ~4 MB of JSON, ~12 MB in memory)."""
        body = json_body(response)
        light = {key: value for key, value in body.items() if key != self._records_key}
        field = self._cursor_field
        light[self._records_key] = [{field: row.get(field)} for row in body.get(self._records_key) or ()]
        copy = requests.Response()
        copy.status_code, copy.headers, copy.url, copy.request = (
            response.status_code, response.headers, response.url, response.request)
        return with_json_body(copy, light)

    def _ended(self, error: BaseException | None) -> AirbyteTracedException:
        if error is None:
            problem = f"'{self.publisher}' stopped before the last page"
        else:
            problem = f"'{self.publisher}' failed ({type(error).__name__}: {str(error)[:300]})"
        message = (f"Stream '{self.follower}' is read from the same pages as '{self.publisher}', and {problem}; "
                   f"'{self.follower}' stops at the last page it received and resumes from there next time.")
        return AirbyteTracedException(message=message, internal_message=message,
                                      failure_type=FailureType.system_error)
