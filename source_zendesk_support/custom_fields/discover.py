"""Discover's custom field columns: the account's three field lists read (one request each unless a list holds more
than 100 fields), paced, retried and judged like a sync's requests, and the columns added to the three schemas.

Discover never fails for them: a list that cannot be read leaves its stream with its static schema, and one warning
says which stream and why (errors.FIELD_LIST_RULES ends a list at the first answer that will not change).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from airbyte_cdk.models import AirbyteCatalog
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from ..auth import can_refresh
from ..config import ZendeskConfig
from ..errors import FIELD_LIST_RULES, ZendeskBackoff, ZendeskErrorHandler, json_body
from ..streams import BY_NAME
from ..waits import Waits
from .columns import LISTS, FieldList, columns

MAX_PAGES = 50  # 5,000 fields: far more than Zendesk lets an account have


class FieldListError(Exception):
    """A field list that cannot be read; the message says why."""


def add_columns(catalog: AirbyteCatalog, zendesk: ZendeskConfig, authenticator: AuthBase, pacer: AbstractAPIBudget,
                waits: Waits, logger: logging.Logger) -> AirbyteCatalog:
    """`catalog` with a typed column per active custom field added to the tickets, users and organizations schemas."""
    by_name = {stream.name: stream for stream in catalog.streams}
    added = []
    for field_list in LISTS:
        stream = by_name.get(field_list.stream)
        if stream is None:
            continue
        try:
            fields = read_field_list(field_list, zendesk, authenticator, pacer, waits, logger)
        except FieldListError as error:
            logger.warning(f"Discover: stream '{field_list.stream}' keeps its standard columns only, without custom "
                           f"field columns: its field list ({field_list.list_stream}) could not be read: {error}")
            continue
        properties = dict(stream.json_schema.get("properties") or {})
        extra = columns(field_list, fields, properties)
        stream.json_schema = {**stream.json_schema, "properties": {**properties, **extra}}
        added.append(f"{field_list.stream} {len(extra)}")
    if added:
        logger.info(f"Discover: custom field columns added: {', '.join(added)}.")
    return catalog


def read_field_list(field_list: FieldList, zendesk: ZendeskConfig, authenticator: AuthBase,
                    pacer: AbstractAPIBudget, waits: Waits, logger: logging.Logger) -> list[dict[str, Any]]:
    """Every field of the list, page by page, as Zendesk serves them."""
    source = BY_NAME[field_list.list_stream]
    client = HttpClient(
        name=field_list.list_stream,
        logger=logger,
        error_handler=ZendeskErrorHandler(logger, field_list.list_stream, zendesk.host, rules=FIELD_LIST_RULES,
                                          refreshable=can_refresh(authenticator)),
        backoff_strategy=ZendeskBackoff(waits, logger, field_list.list_stream),
        api_budget=pacer,  # type: ignore[arg-type]  # the CDK calls only AbstractAPIBudget's methods
        authenticator=authenticator,
        message_repository=InMemoryMessageRepository(),
    )
    url: str | None = zendesk.url_base + source.endpoint
    params: Mapping[str, Any] = source.paginator.first_params()
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    while url is not None:
        if url in seen or len(seen) >= MAX_PAGES:
            raise FieldListError(f"its pages do not end (page {len(seen) + 1}: {_path(url)})")
        seen.add(url)
        body = _page(client, url, params, waits)
        records = body.get(source.records_key)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FieldListError(f"a page has no '{source.records_key}' list of objects")
        fields.extend(records)
        try:
            url = source.paginator.next_url(body)
        except AirbyteTracedException as error:
            raise FieldListError(error.message) from None
        params = {}
        if url is not None and not _own_host(url, zendesk.host):
            raise FieldListError(f"its next page is on another host ({urlsplit(url).hostname})")
    return fields


def _page(client: HttpClient, url: str, params: Mapping[str, Any], waits: Waits) -> Mapping[str, Any]:
    try:
        _, response = client.send_request("GET", url, params=dict(params), dedupe_query_params=True,
                                          request_kwargs={"timeout": waits.request_timeout, "allow_redirects": False})
        body = json_body(response)
    except AirbyteTracedException as error:
        raise FieldListError(error.message or "Zendesk refused it") from None
    except (requests.RequestException, orjson.JSONDecodeError) as error:
        raise FieldListError(type(error).__name__) from None
    if not isinstance(body, Mapping):
        raise FieldListError("Zendesk's answer is not a JSON object")
    return body


def _own_host(url: str, host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname == host and parts.port in (None, 443) and "@" not in parts.netloc


def _path(url: str) -> str:
    return urlsplit(url).path
