"""The standard tests' configured catalog and future state (catalog_files.py) are generated from the streams and
kept in git: a stream added or changed without regenerating them fails here, since tests never write tracked files."""

from __future__ import annotations

from integration_tests.catalog_files import stale


def test_given_the_connector_streams_then_the_acceptance_files_hold_them():
    assert not stale(), f"{', '.join(stale())} out of date: run .venv/bin/python -m integration_tests.catalog_files"
