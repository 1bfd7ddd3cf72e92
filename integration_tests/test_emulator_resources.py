"""Every connector stream has what the emulator-backed tests need from the emulator's declaration of it
(zendesk_emulator/resources/): routes for every request the stream makes, a truth, and a mutation (or the resource
whose mutation changes it). A stream without them fails here by name, unless listed in AWAITING_EMULATOR
(scripts/airbyte_run.py). No emulator runs: this reads the declarations."""

from __future__ import annotations

import re

import pytest

from scripts.airbyte_run import AWAITING_EMULATOR, STREAM_CLASSES
from zendesk_emulator.api import router
from zendesk_emulator.resources.declaration import ChangedThrough, Mutation
from zendesk_emulator.resources.registry import BY_NAME, TRUTHS


def _paths(stream: str) -> list[str]:
    """Every path the stream asks: its endpoint, its count endpoint, each level of its per-parent lists (ids filled)."""
    declared = STREAM_CLASSES[stream]
    paths = [declared.endpoint, *([declared.count_endpoint] if declared.count_endpoint else [])]
    lists = declared.per_parent
    while lists is not None:
        paths.append(re.sub(r"\{[^}]+\}", "12", lists.path))
        lists = lists.nested
    return paths


def missing(stream: str) -> list[str]:
    """What the emulator lacks to serve, count and change `stream`, in words."""
    resource = BY_NAME.get(stream)
    if resource is None:
        return ["a declaration (zendesk_emulator/resources/)"]
    gaps = [f"a route for {path}" for path in _paths(stream) if router.match("GET", router.PREFIX + path) is None]
    if resource.truth is None or resource.stream_truth not in TRUTHS:
        gaps.append("a truth")
    if resource.mutate is None:
        gaps.append("a mutation (or ChangedThrough naming the resource whose mutation changes it)")
    return gaps


@pytest.mark.parametrize("stream", sorted(STREAM_CLASSES))
def test_given_a_connector_stream_then_the_emulator_declares_its_routes_truth_and_mutation(stream):
    gaps = missing(stream)
    if stream in AWAITING_EMULATOR:
        assert gaps, f"{stream}: the emulator serves it now: remove it from AWAITING_EMULATOR (scripts/airbyte_run.py)"
    else:
        assert not gaps, f"{stream}: the emulator lacks {', '.join(gaps)}"


@pytest.mark.parametrize("stream", sorted(set(STREAM_CLASSES) - AWAITING_EMULATOR))
def test_given_a_stream_changed_through_another_then_that_one_is_a_stream_with_its_own_mutation(stream):
    mutate = BY_NAME[stream].mutate
    if isinstance(mutate, ChangedThrough) and mutate.resource is not None:
        assert mutate.resource in STREAM_CLASSES and isinstance(BY_NAME[mutate.resource].mutate, Mutation), stream
