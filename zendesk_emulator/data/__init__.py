"""The emulated account's records: generated lazily and deterministically from a seed, mutated on request."""
