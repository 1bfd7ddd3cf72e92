"""What each stream looks like on the wire, so one set of behaviour tests can run against all ten.

A test describes pages as lists of items `(id, unix time)`; a case turns them into the exact requests the stream
must make and the bodies Zendesk would answer, and says what the stream must emit and save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .zendesk_http import (
    ZendeskRequest,
    audit_page,
    export_page,
    iso,
    list_page,
    record,
    time_export_page,
)

Item = tuple[int, int]
Script = list[tuple[ZendeskRequest, dict]]


@dataclass(frozen=True)
class StreamCase:
    name: str
    script: Callable[[int, Sequence[Sequence[Item]]], Script]  # start_time, pages -> (request, body) per page
    ids: Callable[[Sequence[Item]], list]  # what the stream emits for these items
    state: Callable[[int], dict] | None  # the saved state once everything up to this time was read
    newest_first: bool = False  # pages and items come newest first (ticket_audits)
    filters_client_side: bool = False  # Zendesk returns records older than the state; the stream must drop them

    @property
    def incremental(self) -> bool:
        return self.state is not None

    def first_request(self, start_time: int) -> ZendeskRequest:
        return self.script(start_time, [[]])[0][0]

    def __str__(self) -> str:
        return self.name


def _chain(requests: list[ZendeskRequest], bodies: Callable[[int, ZendeskRequest | None], dict]) -> Script:
    return [
        (request, bodies(n, requests[n + 1] if n + 1 < len(requests) else None)) for n, request in enumerate(requests)
    ]


def _cursor_export(
    resource: str, first: Callable[[int], ZendeskRequest], to_record: Callable[[Item], dict], include=None
):
    template = {"tickets": "tickets_export", "users": "users_export"}[resource]

    def script(start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
        requests = [first(start_time)] + [
            ZendeskRequest.export_after(resource, f"after-{n}", include) for n in range(1, len(pages))
        ]
        return _chain(
            requests, lambda n, after: export_page(template, resource, [to_record(i) for i in pages[n]], after)
        )

    return script


def _ticket(item: Item) -> dict:
    return record("tickets_export", "tickets", id=item[0], generated_timestamp=item[1], updated_at=iso(item[1] - 60))


def _user(item: Item) -> dict:
    return record("users_export", "users", id=item[0], updated_at=iso(item[1]))


def _metrics_script(start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
    requests = [ZendeskRequest.ticket_metrics_export(start_time)] + [
        ZendeskRequest.export_after("tickets", f"after-{n}", "metric_sets") for n in range(1, len(pages))
    ]

    def body(n: int, after: ZendeskRequest | None) -> dict:
        page = export_page("ticket_metrics_export", "tickets", [_ticket(item) for item in pages[n]], after)
        page["metric_sets"] = [
            record("ticket_metrics_export", "metric_sets", id=10_000 + i, ticket_id=i, updated_at=iso(t - 60))
            for i, t in pages[n]
        ]
        return page

    return _chain(requests, body)


def _organizations_script(start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
    ends = [max((t for _, t in page), default=start_time) for page in pages]
    requests = [ZendeskRequest.organization_export(start_time)] + [
        ZendeskRequest.organization_export(e) for e in ends[:-1]
    ]
    return _chain(
        requests,
        lambda n, nxt: time_export_page(
            [record("organizations_export", "organizations", id=i, updated_at=iso(t)) for i, t in pages[n]],
            ends[n],
            nxt,
        ),
    )


def _list_script(resource: str, to_record: Callable[[Item], dict]):
    def script(start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
        requests = [ZendeskRequest.list(resource)] + [
            ZendeskRequest.list(resource, f"after-{n}") for n in range(1, len(pages))
        ]
        return _chain(requests, lambda n, after: list_page(resource, [to_record(i) for i in pages[n]], after))

    return script


def _updated(resource: str) -> Callable[[Item], dict]:
    return lambda item: record(resource, resource, id=item[0], updated_at=iso(item[1]))


def _audits_script(start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
    requests = [ZendeskRequest.ticket_audits()] + [
        ZendeskRequest.ticket_audits(f"before-{n}") for n in range(1, len(pages))
    ]
    return _chain(
        requests,
        lambda n, older: audit_page(
            [record("ticket_audits", "audits", id=i, created_at=iso(t)) for i, t in pages[n]], older
        ),
    )


def _ids(items: Sequence[Item]) -> list:
    return [i for i, _ in items]


CASES = [
    StreamCase("tickets", _cursor_export("tickets", ZendeskRequest.ticket_export, _ticket), _ids,
               lambda t: {"generated_timestamp": t}),
    StreamCase("users", _cursor_export("users", ZendeskRequest.user_export, _user), _ids, lambda t: {"updated_at": iso(t)}),
    StreamCase("organizations", _organizations_script, _ids, lambda t: {"updated_at": iso(t)}),
    StreamCase("groups", _list_script("groups", _updated("groups")), _ids, lambda t: {"updated_at": iso(t)},
               filters_client_side=True),
    StreamCase("group_memberships", _list_script("group_memberships", _updated("group_memberships")), _ids, None),
    StreamCase("macros", _list_script("macros", _updated("macros")), _ids, lambda t: {"updated_at": iso(t)},
               filters_client_side=True),
    StreamCase("tags", _list_script("tags", lambda item: {"name": f"tag-{item[0]}", "count": item[1] % 97}),
               lambda items: [f"tag-{i}" for i, _ in items], None),
    StreamCase("ticket_fields", _list_script("ticket_fields", _updated("ticket_fields")), _ids,
               lambda t: {"updated_at": iso(t)}, filters_client_side=True),
    StreamCase("ticket_metrics", _metrics_script, lambda items: [10_000 + i for i, _ in items],
               lambda t: {"generated_timestamp": t}),
    StreamCase("ticket_audits", _audits_script, _ids, lambda t: {"created_at": iso(t)}, newest_first=True,
               filters_client_side=True),
]  # fmt: skip

BY_NAME = {case.name: case for case in CASES}
