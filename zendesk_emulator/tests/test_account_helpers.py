"""Shared helpers for the account-layer tests: build an account on a fixed clock and call it like a client would,
by URL, following the links it hands back. No HTTP: requests go straight to ZendeskAccount.handle."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import orjson

from zendesk_emulator.account import Sizes, ZendeskAccount
from zendesk_emulator.clock import Clock
from zendesk_emulator.types import ApiRequest, ApiResponse

ANCHOR = 1_760_000_000.0
BASE = "https://acme.zendesk.com"


def make_account(seed: int = 1, anchor: float = ANCHOR, **sizes) -> tuple[ZendeskAccount, Clock]:
    clock = Clock(anchor=anchor, time_scale=1e-9)  # time stands still unless a test advances it
    return ZendeskAccount(seed, Sizes(**sizes), clock), clock


class Client:
    def __init__(self, account: ZendeskAccount):
        self.account = account
        self.calls = 0

    def raw(self, url: str, **params) -> ApiResponse | None:
        parts = urlsplit(url if "://" in url else BASE + (url if url.startswith("/") else f"/api/v2/{url}"))
        query = parse_qs(parts.query, keep_blank_values=True)
        for key, value in params.items():
            query[key] = [str(value)]
        self.calls += 1
        return self.account.handle(ApiRequest("GET", parts.path, query, BASE, self.account.admin_user_id))

    def get(self, url: str, status: int = 200, **params) -> dict:
        response = self.raw(url, **params)
        assert response is not None, f"no route for {url}"
        assert response.status == status, (response.status, response.body[:500])
        return orjson.loads(response.body)

    def follow(self, url: str, link, stop, limit: int = 500, **params) -> list[dict]:
        """Pages from `url` on, following `link(page)` until `stop(page)`; fails instead of looping forever."""
        pages = [self.get(url, **params)]
        while not stop(pages[-1]):
            assert len(pages) < limit, "pagination did not end"
            pages.append(self.get(link(pages[-1])))
        return pages


def cursor_pages(client: Client, url: str, **params) -> list[dict]:
    return client.follow(url, lambda p: p["links"]["next"], lambda p: not p["meta"]["has_more"], **params)


def offset_pages(client: Client, url: str, **params) -> list[dict]:
    return client.follow(url, lambda p: p["next_page"], lambda p: p["next_page"] is None, **params)


def export_pages(client: Client, url: str, **params) -> list[dict]:
    return client.follow(url, lambda p: p["after_url"], lambda p: p["end_of_stream"], **params)


def time_pages(client: Client, url: str, **params) -> list[dict]:
    return client.follow(url, lambda p: p["next_page"], lambda p: p["end_of_stream"], **params)


def records(pages: list[dict], key: str) -> list[dict]:
    return [r for p in pages for r in p[key]]
