"""Custom object endpoints (data/custom_objects.py holds the objects, their fields and records).

- `custom_objects`: every undeleted object, one unpaginated response (`{"custom_objects": [...]}`); `custom_objects/{key}`.
- `custom_objects/{key}/fields`: the object's undeleted fields in their order, cursor or offset pages (Zendesk
  documents both); an unknown key is a 404.
- `custom_objects/{key}/records`: undeleted records, cursor pagination only, `sort` by `id` (default), `updated_at`,
  `-id` or `-updated_at`.
- `incremental/custom_objects/{key}/cursor`: the record export, as Zendesk documents it: `start_time` on the first
  request (required; within the last minute or in the future: 422), then `cursor` alone; `per_page` up to 1,000 (the
  default); records ordered by (updated_at, creation) with the last minute left out; deleted records for 30 days with
  their values "[DELETED]" unless `filter[exclude_deleted]=true`; the envelope of the cursor exports (`after_cursor`,
  `after_url`, `before_cursor`, `before_url`, `end_of_stream`) and `meta.has_more`, which Zendesk's reference gives
  this export. It counts against the 10-a-minute export limit like every `incremental/` path (account.py).
"""

from __future__ import annotations

import numpy as np

from .. import types
from ..data import custom_objects as data
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, pack
from ..data.serial import dumps
from . import cursor_pages, export_cursor, lists
from .http import envelope, flag, not_found, ok, raw


def objects(ds: Dataset) -> types.ApiResponse:
    return ok({"custom_objects": [data.rendered(o) for o in data.live(ds)]})


def one_object(ds: Dataset, key: str) -> types.ApiResponse:
    obj = data.find(ds, key)
    return not_found() if obj is None else ok({"custom_object": data.rendered(obj)})


def fields(ds: Dataset, req: types.ApiRequest, key: str) -> types.ApiResponse:
    obj = data.find(ds, key)
    if obj is None:
        return not_found()
    return lists.serve_records(req, "custom_object_fields", f"custom_objects/{key}/fields", f"custom_object_fields.{key}",
                               data.fields(obj), lambda f: f["position"])


def records(ds: Dataset, req: types.ApiRequest, key: str) -> types.ApiResponse:
    obj = data.find(ds, key)
    if obj is None:
        return not_found()
    sort = req.arg("sort", "id") or "id"
    every = obj["_records"]
    listed = [i for i, r in enumerate(every) if not r.get("_deleted")]
    by = [every[i]["_updated"] if sort.lstrip("-") == "updated_at" else 0 for i in listed]
    view = View(np.sort(pack(np.array(by, dtype=np.int64), np.array(listed, dtype=np.int64))), sort.startswith("-"))
    page = cursor_pages.page(req, view, f"custom_object_records.{key}.{sort}", f"custom_objects/{key}/records")
    return raw(envelope("custom_object_records", [dumps(data.rendered(every[k & INDEX_MASK])) for k in page.keys], page.meta))


def export(ds: Dataset, req: types.ApiRequest, key: str, now: float) -> types.ApiResponse:
    obj = data.find(ds, key)
    if obj is None:
        return not_found()
    every = obj["_records"]
    exported = {id(r) for r in data.exported(obj, now, flag(req, "filter[exclude_deleted]"))}
    kept = [i for i, r in enumerate(every) if id(r) in exported]
    keys = np.sort(pack(np.array([every[i]["_updated"] for i in kept], dtype=np.int64),
                        np.array(kept, dtype=np.int64)))
    result = export_cursor.page(req, View(keys), now)
    meta = export_cursor.links(req, f"incremental/custom_objects/{key}/cursor", result)
    meta["meta"] = {"has_more": not result.end_of_stream}
    rows = [dumps(data.rendered(every[k & INDEX_MASK])) for k in result.keys]
    return raw(envelope("custom_object_records", rows, meta))
