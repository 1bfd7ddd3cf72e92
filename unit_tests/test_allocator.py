"""The allocator settings the connector applies at start (allocator.py): what it sets, and what it leaves alone."""

from __future__ import annotations

import sys

import pytest

from source_zendesk_support import allocator


class FakeMallopt:
    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def __call__(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return self.answer


def test_given_nothing_set_when_tuned_then_blocks_from_one_mebibyte_up_get_mappings_of_their_own():
    mallopt = FakeMallopt()
    applied = allocator.tune({}, mallopt)
    assert mallopt.calls == [(allocator.M_MMAP_THRESHOLD, 1024 * 1024)]
    assert applied == ["MALLOC_MMAP_THRESHOLD_"]


def test_given_the_threshold_in_the_environment_when_tuned_then_it_is_left_to_the_environment():
    mallopt = FakeMallopt()
    assert allocator.tune({"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_ARENA_MAX": "2"}, mallopt) == []
    assert mallopt.calls == []


def test_given_glibc_malloc_tunables_when_tuned_then_nothing_is_changed():
    mallopt = FakeMallopt()
    assert allocator.tune({"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}, mallopt) == []
    assert mallopt.calls == []


def test_given_a_setting_the_library_refuses_when_tuned_then_it_is_not_reported_applied():
    assert allocator.tune({}, FakeMallopt(answer=0)) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc is Linux's")
def test_given_this_machines_c_library_when_tuned_for_real_then_it_applies_or_declines_without_error():
    # On glibc every setting applies; on another C library (musl) none does; either way nothing raises.
    applied = allocator.tune({})
    assert applied in ([], ["MALLOC_MMAP_THRESHOLD_"])
    if allocator._glibc_mallopt() is not None:
        assert applied


def test_given_the_console_entrypoint_when_run_then_the_allocator_is_tuned_from_the_environment_first(
    capsys, tmp_path, monkeypatch
):
    from unit_tests.harness import launch_messages

    seen: list[dict] = []
    monkeypatch.setattr(allocator, "tune", lambda environ, mallopt=None: seen.append(dict(environ)) or [])
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "4096")
    messages = launch_messages(capsys, tmp_path, "spec")
    assert "SPEC" in [m["type"] for m in messages]
    assert len(seen) == 1 and seen[0]["MALLOC_MMAP_THRESHOLD_"] == "4096"
