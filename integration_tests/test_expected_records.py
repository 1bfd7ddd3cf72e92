"""A fixed emulated account yields exactly the records in expected_records.jsonl."""

from __future__ import annotations

import json

from integration_tests.expected_records import EXPECTED, sample_records
from scripts.airbyte_run import STREAMS


def test_given_the_fixed_account_when_read_then_the_sampled_records_equal_the_expected_ones():
    expected = [json.loads(line) for line in EXPECTED.read_text().splitlines()]
    assert {row["stream"] for row in expected} == set(STREAMS)
    actual = sample_records()
    for want, got in zip(expected, actual, strict=True):
        assert (got["stream"], got["data"]) == (want["stream"], want["data"])
