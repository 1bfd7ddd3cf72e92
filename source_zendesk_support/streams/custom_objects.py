"""Custom objects (Zendesk's objects of the account's own design): their definitions, their fields and their records.

This is the new custom objects API (`custom_objects/...`), not the legacy Sunshine one (`/api/sunshine/objects`):
Zendesk has not let accounts create legacy objects since 2023. Custom objects come with Support Enterprise and every
Suite plan (Team and above); without them Zendesk refuses the object list and the three streams are skipped with one
warning each. https://developer.zendesk.com/api-reference/custom-data/introduction/
"""

from __future__ import annotations

from ..paginators import PageCursorPaginator, RecordExportPaginator, Unpaginated
from ..per_parent import PerParentList
from ..row_state import PerRowExportPosition
from ..state import FullRefresh, ListPosition
from .base import ZendeskStream

CUSTOM_OBJECTS = "custom objects (Support Enterprise, or Suite Team and above)"


class CustomObjects(ZendeskStream):
    """The account's custom object definitions (not deleted), whole in one response; keyed by their `key`, which
    never changes. No server-side time filter: filtered here.
    https://developer.zendesk.com/api-reference/custom-data/custom-objects/custom_objects/#list-custom-objects
    """

    primary_key = "key"
    endpoint = "custom_objects.json"
    records_key = "custom_objects"
    paginator = Unpaginated()
    position = ListPosition()
    requires = CUSTOM_OBJECTS


class CustomObjectFields(ZendeskStream):
    """Every custom object's fields (text, textarea, checkbox, date, integer, decimal, regexp, dropdown, multiselect,
    lookup), each with its object's `custom_object_key`: Zendesk lists them only per object, so the stream reads the
    object list (its own request, or the custom_objects stream's page in a full refresh, sharing.py) and asks each
    object for its fields, 100 a page. Full refresh, as user_fields.
    https://developer.zendesk.com/api-reference/custom-data/custom-objects/custom_object_fields/#list-custom-object-fields
    """

    endpoint = CustomObjects.endpoint
    records_key = "custom_object_fields"
    paginator = Unpaginated()
    position = FullRefresh(observe="custom_objects")
    pages_of = "custom_objects"
    per_parent = PerParentList("custom_objects/{key}/fields.json", PageCursorPaginator(), noun="object",
                               gated=False, inject={"custom_object_key": "key"})
    requires = CUSTOM_OBJECTS


class CustomObjectRecords(ZendeskStream):
    """Every custom object's records, through Zendesk's incremental record export, one export per object
    (`incremental/custom_objects/{key}/cursor`: `start_time`, then `cursor`; up to 1,000 a page; deleted records
    come back with their values replaced by "[DELETED]" for 30 days). Its requests share the 10-a-minute export limit
    with the other exports. The stream reads the object list and asks each object's export from that object's own
    state (row_state.py): `{"updated_at": {"<object key>": "<newest updated_at emitted>"}}`. Each record carries its
    `custom_object_key`. A checkpoint follows each object read to its end. The export is on every account that has custom objects (Zendesk's announcement of
    2025-09-15), so the list endpoint (`custom_objects/{key}/records`) is not needed.
    https://developer.zendesk.com/api-reference/custom-data/custom-objects/custom_object_records/#incremental-custom-object-record-export-cursor-based
    """

    endpoint = CustomObjects.endpoint
    records_key = "custom_object_records"
    paginator = Unpaginated()
    position = PerRowExportPosition(observe="custom_objects")
    pages_of = "custom_objects"
    per_parent = PerParentList("incremental/custom_objects/{key}/cursor.json", RecordExportPaginator(),
                               noun="object", gated=False, inject={"custom_object_key": "key"})
    requires = CUSTOM_OBJECTS
