"""Per-record random streams: a record is materialised from (seed, kind, id) alone, so nothing but columns is stored."""

from __future__ import annotations

import random

import numpy as np

# One stream per kind of record, so a ticket and a user with the same id never share randomness.
KIND_TICKET = 1
KIND_USER = 2
KIND_ORG = 3
KIND_AUDIT = 4
KIND_METRIC = 5
KIND_CATALOG = 6
KIND_MUTATION = 7
KIND_COMMENT = 8


def record_rng(seed: int, kind: int, ident: int) -> random.Random:
    return random.Random((seed * 1_000_003 + kind) * 4_294_967_311 + ident)


def column_rng(seed: int, kind: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed & 0xFFFFFFFF, kind, 20240501]))


def pick(rng: random.Random, items: list | tuple):
    return items[int(rng.random() * len(items))]
