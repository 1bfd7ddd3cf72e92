"""Configuration lists held whole in the catalog, each served the way Zendesk's reference documents it.

- Cursor (`page[size]`) and offset (`page`/`per_page`) pagination: brands (sorted by name), organization and user
  fields (configured order), automations and triggers (`active`, `sort_by`/`sort_order` for offset, `sort` for
  cursor; default by position, `sort_order` defaulting to asc for alphabetical and position, desc otherwise;
  triggers also `category_id`).
- Unpaginated: a schedule's holidays (`business_hours/schedules/{id}/holidays`, oldest first; 404 for a schedule
  that does not exist), ticket forms (`active`, `end_user_visible`; cursor by id only when `page[size]` is sent, as for
  ticket fields), custom roles, schedules, SLA policies, custom statuses (`status_categories`, `active`,
  `default`), routing attributes (`include=attribute_values`) and routing attribute definitions.

Deleted brands and ticket forms stay in the catalog flagged `_deleted` (tickets point at them) and are left out.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import types
from ..data import holidays as holidays_data
from ..data.catalog import public
from ..data.dataset import Dataset
from ..data.serial import dumps
from . import cursor_pages, lists
from .http import flag, not_found, ok, raw

_RULE_SORTS: dict[str, Callable[[dict], object]] = {
    "alphabetical": lambda r: r["title"].lower(), "created_at": lambda r: r["_created"],
    "updated_at": lambda r: r["_updated"], "position": lambda r: r["position"],
    # Usage counts are not emulated (every rule was used zero times), so usage sorts fall back to position.
    "usage_1h": lambda r: r["position"], "usage_24h": lambda r: r["position"], "usage_7d": lambda r: r["position"],
    "usage_30d": lambda r: r["position"],
}


def live(records: list[dict]) -> list[dict]:
    return [r for r in records if not r.get("_deleted")]


def _boolean_filter(req: types.ApiRequest, records: list[dict], name: str) -> list[dict]:
    value = req.arg(name)
    if value is None or value == "":
        return records
    wanted = value.strip().lower() in ("true", "1")
    return [r for r in records if bool(r[name]) == wanted]


def _ordered(records: list[dict], by: Callable[[dict], object], descending: bool) -> list[dict]:
    ordered = sorted(records, key=lambda r: (by(r), r["id"]))
    return ordered[::-1] if descending else ordered


def _serve_ordered(req: types.ApiRequest, key: str, path: str, order: str, ordered: list[dict]) -> types.ApiResponse:
    """Records already in response order: the view key of a record is its position."""
    return lists.serve_records(req, key, path, order, ordered, lambda r: 0)


def rules(ds: Dataset, req: types.ApiRequest, kind: str, only_active: bool = False) -> types.ApiResponse:
    """Automations or triggers (`kind`), with Zendesk's filters and sorts."""
    records = live(getattr(ds.catalog, kind))
    records = [r for r in records if r["active"]] if only_active else _boolean_filter(req, records, "active")
    category = req.arg("category_id")
    if kind == "triggers" and category:
        records = [r for r in records if r["category_id"] == category]
    if cursor_pages.wanted(req) and req.arg("sort"):
        sort = req.arg("sort") or "position"
        name, descending = sort.lstrip("-"), sort.startswith("-")
    else:
        name = req.arg("sort_by") or "position"
        default_order = "asc" if name in ("alphabetical", "position") else "desc"
        descending = (req.arg("sort_order") or default_order).lower() == "desc"
    by = _RULE_SORTS.get(name) or _RULE_SORTS["position"]
    path = f"{kind}/active" if only_active else kind
    return _serve_ordered(req, kind, path, f"{kind}.{name}.{'desc' if descending else 'asc'}", _ordered(records, by, descending))


def positioned(ds: Dataset, req: types.ApiRequest, attr: str) -> types.ApiResponse:
    """User and organization fields in their configured order."""
    records = _ordered(getattr(ds.catalog, attr), lambda r: r["position"], False)
    return _serve_ordered(req, attr, attr, f"{attr}.position", records)


def brands(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Sorted by name ("Returns a list of all brands for your account sorted by name")."""
    records = _ordered(live(ds.catalog.brands), lambda r: r["name"].lower(), False)
    return _serve_ordered(req, "brands", "brands", "brands.name", records)


def ticket_forms(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    records = live(ds.catalog.ticket_forms)
    records = _boolean_filter(req, _boolean_filter(req, records, "active"), "end_user_visible")
    if cursor_pages.wanted(req):
        return lists.serve_records(req, "ticket_forms", "ticket_forms", "ticket_forms.id", records, lambda r: r["id"])
    if not records and flag(req, "fallback_to_default"):
        records = [f for f in live(ds.catalog.ticket_forms) if f["default"]]
    return lists.unpaginated("ticket_forms", _ordered(records, lambda r: r["position"], False))


def whole(key: str, records: list[dict]) -> types.ApiResponse:
    """An unpaginated list whose documented response holds only the records' key."""
    return ok({key: [public(r) for r in records]})


def custom_statuses(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """All undeleted statuses, no pagination; `status_categories` is a comma-separated list."""
    records = live(ds.catalog.custom_statuses)
    categories = {c.strip() for v in req.query.get("status_categories", []) for c in v.split(",") if c.strip()}
    if categories:
        records = [r for r in records if r["status_category"] in categories]
    records = _boolean_filter(req, _boolean_filter(req, records, "active"), "default")
    return whole("custom_statuses", records)


def routing_attributes(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    records = live(ds.catalog.routing_attributes)
    body = {"attributes": [public(r) for r in records], "next_page": None, "previous_page": None, "count": len(records)}
    includes = {p.strip() for v in req.query.get("include", []) for p in v.split(",")}
    if "attribute_values" in includes:
        alive = {r["id"] for r in records}
        body["attribute_values"] = [public(v) for v in ds.catalog.routing_values if v["attribute_id"] in alive]
    return ok(body)


def attribute_definitions(ds: Dataset) -> types.ApiResponse:
    return ok({"definitions": ds.catalog.attribute_definitions})


def holidays(ds: Dataset, schedule_id: str, holiday_id: str | None = None) -> types.ApiResponse:
    """A schedule's holidays (List Holidays for a Schedule), or one of them (Show Holiday)."""
    listed = holidays_data.listed(ds.catalog, schedule_id)
    if listed is None:
        return not_found()
    if holiday_id is None:
        return ok({"holidays": listed})
    return one("holiday", listed, holiday_id)


def one(key: str, records: list[dict], record_id: str) -> types.ApiResponse:
    """A single catalog record by id (integer or UUID); deleted ones are not found."""
    for record in records:
        if str(record["id"]) == record_id and not record.get("_deleted"):
            return raw(b'{"' + key.encode() + b'":' + dumps(public(record)) + b"}")
    return not_found()
