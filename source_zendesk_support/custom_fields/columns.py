"""Which fields of an account's field lists become columns, what each column is called and what type it has.

The naming rule (README, "Custom fields as columns"): a column's name comes from what never changes about its field,
so a renamed field keeps its column.

- A user or organization field: `custom_<key>`. Its key is fixed when the field is created (Zendesk lets no one
  change it) and made of letters, digits and underscores. A key with capitals (or anything else a destination may
  fold or refuse) is lowercased, every other character an underscore, and the field's id appended:
  `custom_<lowercased key>_<id>`; so is a name that would be a standard column's (`custom_role_id` on users).
- A ticket field has no key, only an id: `custom_<type>_<id>` (`custom_integer_360011748014`); Zendesk never
  changes a field's type.
- A name another field's column already has (possible only through the lowercasing) gets the id appended; fields are
  taken oldest (smallest id) first, so a field added later never takes an older field's name.

The field's title goes into the column's description, which follows a rename; its id into `x-zendesk-field-id`
(and a user or organization field's key into `x-zendesk-field-key`), where `read` finds them in the configured
catalog (values.py): read makes no request to learn them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FIELD_ID = "x-zendesk-field-id"
FIELD_KEY = "x-zendesk-field-key"
PREFIX = "custom_"

_STRING: dict[str, Any] = {"type": ["null", "string"]}
_INTEGER: dict[str, Any] = {"type": ["null", "integer"]}
# A custom field's type -> its column's JSON schema. A dropdown is `tagger` in the ticket field list and `dropdown`
# in the user and organization ones; its value is the chosen option's value (its tag).
# https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/ (and users/user_fields/)
TYPE_SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "text": _STRING,
    "textarea": _STRING,
    "regexp": _STRING,
    "partialcreditcard": _STRING,
    "tagger": _STRING,
    "dropdown": _STRING,
    "integer": _INTEGER,
    "decimal": {"type": ["null", "number"]},
    "checkbox": {"type": ["null", "boolean"]},
    "date": {"type": ["null", "string"], "format": "date"},
    "multiselect": {"type": ["null", "array"], "items": {"type": "string"}},
    "lookup": _INTEGER,  # the id of a user, organization or ticket
}
# A lookup to a custom object holds the object record's id, a string (e.g. "01GDXYD7ZTWYP0ZJ2A8HF0Y7SJ").
# https://developer.zendesk.com/api-reference/custom-data/custom-objects/custom_object_records/
_CUSTOM_OBJECT = "zen:custom_object"
_CLEAN_KEY = re.compile(r"[a-z0-9_]+", re.ASCII)
_UNCLEAN = re.compile(r"[^a-z0-9_]+", re.ASCII)


@dataclass(frozen=True)
class FieldList:
    """One of the account's custom field lists and the stream whose records hold its fields' values."""

    stream: str  # the stream that gets the columns
    list_stream: str  # the stream that lists the fields (its endpoint, records key and paginator)
    values: str  # the records' raw field holding the values
    by_key: bool  # values keyed by field key ({"plan": "growth"}), else a list of {"id", "value"}
    noun: str  # for descriptions and log lines

    def is_custom(self, field: Mapping[str, Any]) -> bool:
        """An active custom field of a type that has a column. A ticket list also holds the system fields (subject,
        status, ...: types of their own); user fields may include Zendesk's own (`system: true`, `system::` keys)."""
        if field.get("active") is False or field.get("type") not in TYPE_SCHEMAS or _field_id(field) is None:
            return False
        key = field.get("key")
        if self.by_key:
            return isinstance(key, str) and bool(key) and "::" not in key and not field.get("system")
        return not (isinstance(key, str) and "::" in key)  # e.g. standard::multi_recipient_email_tickets


LISTS: tuple[FieldList, ...] = (
    FieldList("tickets", "ticket_fields", "custom_fields", by_key=False, noun="ticket field"),
    FieldList("users", "user_fields", "user_fields", by_key=True, noun="user field"),
    FieldList("organizations", "organization_fields", "organization_fields", by_key=True, noun="organization field"),
)
BY_STREAM: Mapping[str, FieldList] = {field_list.stream: field_list for field_list in LISTS}


def columns(field_list: FieldList, fields: Iterable[Mapping[str, Any]], standard: Iterable[str]) -> dict[str, dict]:
    """Column name -> JSON schema, for every custom field of `fields` (a field list as Zendesk serves it), oldest
    field first; `standard`: the stream's own columns, which no custom column may take."""
    taken = set(standard)
    out: dict[str, dict] = {}
    for field in sorted((f for f in fields if field_list.is_custom(f)), key=_field_id):  # type: ignore[arg-type]
        field_id = _field_id(field)
        assert field_id is not None  # is_custom checked it
        name = _name(field_list, field, field_id, taken)
        taken.add(name)
        out[name] = _schema(field_list, field, field_id)
    return out


def _name(field_list: FieldList, field: Mapping[str, Any], field_id: int, taken: set[str]) -> str:
    if not field_list.by_key:
        return f"{PREFIX}{field['type']}_{field_id}"
    key = field["key"]
    name = PREFIX + key if _CLEAN_KEY.fullmatch(key) else f"{PREFIX}{_UNCLEAN.sub('_', key.lower())}_{field_id}"
    while name in taken:
        name = f"{name}_{field_id}"
    return name


def _schema(field_list: FieldList, field: Mapping[str, Any], field_id: int) -> dict[str, Any]:
    kind = field["type"]
    schema = dict(TYPE_SCHEMAS[kind])
    target = field.get("relationship_target_type")
    if kind == "lookup" and isinstance(target, str) and target.startswith(_CUSTOM_OBJECT):
        schema = dict(_STRING)
    title = field.get("title") if isinstance(field.get("title"), str) else ""
    what = f"{field_list.noun} {field_id}" if not field_list.by_key else f"{field_list.noun} '{field['key']}'"
    schema["description"] = f'{title} (custom {what}, {kind}), converted from {field_list.values}.'
    schema[FIELD_ID] = field_id
    if field_list.by_key:
        schema[FIELD_KEY] = field["key"]
    return schema


def _field_id(field: Mapping[str, Any]) -> int | None:
    """The field's id as an integer (some captures write ids as floats: 7761239926287.0)."""
    value = field.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None
