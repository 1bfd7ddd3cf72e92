"""Telling glibc's allocator how this process uses memory, before the first page is read.

A sync parses export pages of several megabytes, one after another. glibc gives a block of 128 KiB or more a mapping
of its own, returned to the kernel when freed, but raises that threshold to the size of every such block freed: after
the first page's bytes are freed, every later page comes from the heaps, and the heaps keep what they grew to. Fixing
the threshold at 1 MiB keeps every page's bytes in a mapping of their own. Measured on the 44 streams other than
side_conversations at 100,000 tickets (the emulator, bench/README.md): 168 MB peak resident with glibc's defaults,
142 MB with the threshold fixed, for the same CPU time (+1%); two arenas instead of one per thread, or trimming the
heaps twice a second, took no more off on top of it.

The price is CPU: every page's bytes are mapped afresh and the kernel faults their pages in (about 4 page faults a
ticket, 3,900 a page of 1,000). Measured on 2026-12-07 (tickets alone, 30,000, three to five runs each): a 64 MiB
threshold with a 256 MiB trim threshold, which keeps those blocks in the heaps, cut the faults fivefold and the CPU a
ticket by 10%, but the whole catalog's peak resident memory at 100,000 tickets rose from 148 to 190 MB (the target is
150 MB), so the threshold stays.

An allocator setting in the environment (`MALLOC_MMAP_THRESHOLD_=...`, or glibc's malloc tunables) wins: this only
fills in what is not set. Where the C library is not glibc (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable, Mapping

M_MMAP_THRESHOLD = -3  # mallopt(3)'s parameter (glibc's malloc.h)

SETTINGS = (  # (mallopt parameter, value, the environment variable that sets it instead)
    (M_MMAP_THRESHOLD, 1024 * 1024, "MALLOC_MMAP_THRESHOLD_"),
)


def _glibc_mallopt() -> Callable[[int, int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        if not hasattr(libc, "gnu_get_libc_version"):
            return None  # not glibc: its mallopt, if any, takes other parameters
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


def tune(environ: Mapping[str, str], mallopt: Callable[[int, int], int] | None = None) -> list[str]:
    """Applies SETTINGS not already set in `environ` or by GLIBC_TUNABLES; returns the names of those applied."""
    if "GLIBC_TUNABLES" in environ and "malloc" in environ["GLIBC_TUNABLES"]:
        return []
    setter = mallopt or _glibc_mallopt()
    if setter is None:
        return []
    applied = []
    for parameter, value, variable in SETTINGS:
        if variable not in environ and setter(parameter, value) == 1:
            applied.append(variable)
    return applied
