"""The resource declarations (resources/): the router's table is theirs, no path is served by two routes, every id
a truth holds lies in its resource's declared id spaces, and a resource changed through another is refused with the
reason the declaration gives."""

from __future__ import annotations

import re

import pytest

from zendesk_emulator.api import router
from zendesk_emulator.api.guide_routes import LOC
from zendesk_emulator.data import audit_log
from zendesk_emulator.resources.declaration import ChangedThrough, Mutation
from zendesk_emulator.resources.registry import API_ROUTES, BY_NAME, FILE_ROUTES, RESOURCES, TRUTHS

from .test_account_helpers import make_account

ID_SPACE = 1_000_000_000  # data/ids.py: each space a billion wide
EXAMPLES = (("(\\d+)", "12"), ("([0-9a-f-]{36})", "0e4f56a4-0000-4000-8000-000000000001"),
            ("(tickets|users|organizations)", "users"), ("([a-z0-9_]+)", "asset"), ("(?:/[^/]+)?", "/report.pdf"), (LOC, "en-us/"))


def _example(pattern: str) -> str:
    """A path the route's pattern matches: each group filled with a value it takes."""
    for group, value in EXAMPLES:
        pattern = pattern.replace(group, value)
    assert not set(pattern) & set("()[]?*+\\|"), f"no example for {pattern!r}: add its group to EXAMPLES"
    return pattern


@pytest.mark.parametrize(("route", "compiled"), API_ROUTES + FILE_ROUTES, ids=lambda r: getattr(r, "name", ""))
def test_given_each_route_when_its_example_path_is_asked_then_that_route_alone_answers(route, compiled):
    example = _example(route.pattern)
    assert compiled.match(example), example
    table = API_ROUTES if route.api else FILE_ROUTES
    assert [other.name for other, pattern in table if pattern.match(example)] == [route.name]
    path = f"{router.PREFIX}{example}.json" if route.api else f"/{example}"
    assert router.match("GET", path)[0] == route.name


@pytest.fixture(scope="module")
def account():
    account, clock = make_account(tickets=300)
    clock.advance(1000)
    for resource in RESOURCES:  # a record created (or changed) by each resource's own mutation: its ids checked too
        if isinstance(resource.mutate, Mutation):
            try:
                account.mutate(resource.name, create=1)
            except ValueError:  # ticket metrics follow their tickets: updated, not created
                account.mutate(resource.name, update=1)
    return account


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_given_a_truth_then_its_ids_lie_in_the_id_spaces_its_resource_declares(account, name):
    resource = next(r for r in RESOURCES if name == r.name or name in r.views)
    rows = account.truth(name)
    assert rows, f"{name}: an empty truth checks nothing"
    numbers = [row["id"] for row in rows if isinstance(row.get("id"), int)]
    if not resource.ids:
        assert not numbers, f"{name}: numeric ids but no id space declared"
        return
    outside = [i for i in numbers if not any(space <= i < space + ID_SPACE for space in resource.ids)]
    assert numbers and not outside, f"{name}: ids outside {resource.ids}: {outside[:3]}"


@pytest.mark.parametrize("name", sorted(r.name for r in RESOURCES if isinstance(r.mutate, ChangedThrough)))
def test_given_a_resource_changed_through_another_when_mutated_then_the_reason_is_given(account, name):
    reason = BY_NAME[name].mutate.why
    with pytest.raises(ValueError, match=re.escape(reason)):
        account.mutate(name, create=1)


@pytest.mark.parametrize("name", sorted(r.name for r in RESOURCES if isinstance(r.mutate, Mutation) and r.mutate.logged_as))
def test_given_a_resource_the_audit_log_files_when_a_record_is_created_then_an_entry_names_it_under_its_source_type(name):
    account, clock = make_account(tickets=100)
    clock.advance(1000)
    created = account.mutate(name, create=1)["created"]
    entries = [audit_log.record(account.data, row) for row in range(len(audit_log.log(account.data).time))]
    logged = [(e["source_type"], e["source_id"], e["action"]) for e in entries if e["source_id"] in created]
    titles = audit_log.titles(getattr(account.data.catalog, name))
    assert logged == [(BY_NAME[name].mutate.logged_as, created[0], "create")]
    assert [e["source_label"] for e in entries if e["source_id"] in created] == [titles[created[0]]]
