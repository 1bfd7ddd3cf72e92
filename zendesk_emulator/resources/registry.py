"""Every resource the emulator declares (tickets.py, people.py, configuration.py, deletions.py, guide.py), and what
the router, the truth route and `/_emulator/mutate` read from them (custom_objects.py too). Nothing about a resource
lives here: a new resource is one
declaration in one of those modules (or a new module listed below)."""

from __future__ import annotations

import re

from ..data import audit_log
from ..data.dataset import Dataset
from ..data.rng import KIND_MUTATION, record_rng
from ..data.timefmt import iso
from ..settings import FEATURES, GUIDE_SWITCHES
from . import configuration, custom_objects, deletions, guide, people, tickets
from .declaration import Change, ChangedThrough, Handler, Mutation, Resource, Route, Truth

RESOURCES: tuple[Resource, ...] = (*tickets.RESOURCES, *people.RESOURCES, *configuration.RESOURCES,
                                   *deletions.RESOURCES, *custom_objects.RESOURCES, *guide.RESOURCES)
BY_NAME: dict[str, Resource] = {resource.name: resource for resource in RESOURCES}


def _truths() -> dict[str, Truth]:
    out: dict[str, Truth] = {}
    for resource in RESOURCES:
        named = {resource.name: resource.truth} if resource.truth else {}
        for name, rows in {**named, **resource.views}.items():
            if name in out:
                raise ValueError(f"two resources declare the truth {name!r}")
            out[name] = rows
    return out


def _check() -> None:
    """A declaration that contradicts another fails the import, naming it."""
    if len(BY_NAME) != len(RESOURCES):
        raise ValueError("a resource is declared twice")
    names = [route.name for resource in RESOURCES for route in resource.routes]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"routes declared twice: {twice}")
    for resource in RESOURCES:
        if resource.feature is not None and resource.feature not in FEATURES:
            raise ValueError(f"{resource.name}: no plan feature {resource.feature!r} (settings.FEATURES)")
        if resource.guide is not None and resource.guide not in GUIDE_SWITCHES:
            raise ValueError(f"{resource.name}: guide {resource.guide!r} is none of {GUIDE_SWITCHES}")
        if resource.synced_as is not None and resource.synced_as not in resource.views:
            raise ValueError(f"{resource.name}: synced_as {resource.synced_as!r} is none of its views")
        through = resource.mutate
        if isinstance(through, ChangedThrough) and through.resource is not None:
            mover = BY_NAME.get(through.resource)
            if mover is None or not isinstance(mover.mutate, Mutation):
                raise ValueError(f"{resource.name} changes through {through.resource!r}, which has no mutation")


_check()
TRUTHS: dict[str, Truth] = _truths()
# The router's table: API routes, in declaration order (tests/test_resources.py: no path matches two), and the files.
API_ROUTES: list[tuple[Route, re.Pattern[str]]] = [
    (route, re.compile(route.pattern + r"\Z")) for resource in RESOURCES for route in resource.routes if route.api]
FILE_ROUTES: list[tuple[Route, re.Pattern[str]]] = [
    (route, re.compile(route.pattern + r"\Z")) for resource in RESOURCES for route in resource.routes if not route.api]
# What gates a route (route name -> its resource's plan feature and Guide switch), and a truth (its resource's switch).
GATES: dict[str, tuple[str | None, str | None]] = {
    route.name: (resource.feature, resource.guide) for resource in RESOURCES for route in resource.routes}
GUIDE_OF_TRUTH: dict[str, str | None] = {name: r.guide for r in RESOURCES for name in (r.name, *r.views)}
DEACTIVATES = tuple(r.name for r in RESOURCES if isinstance(r.mutate, Mutation) and r.mutate.deactivates)


def truth(ds: Dataset, name: str) -> list[dict]:
    """The truth (or view) named `name` now; KeyError for an unknown one."""
    return TRUTHS[name](ds)


class Mutator:
    """Changes the account as `/_emulator/mutate` asks. Which records change is drawn from a random stream seeded by
    the account seed and a mutation counter, so a replayed sequence of mutations changes the same records."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.counter = 0

    def mutate(self, resource: str, create: int, update: int, delete: int, now: float, deactivate: int = 0) -> dict:
        """KeyError for a resource without a mutation, ValueError for a change it refuses (with the reason)."""
        if min(create, update, delete, deactivate) < 0:
            raise ValueError("create, update, delete and deactivate must not be negative")
        if deactivate and resource not in DEACTIVATES:
            raise ValueError(f"only custom field lists ({', '.join(DEACTIVATES)}) can be deactivated")
        self.counter += 1
        ts = int(now)
        self.ds.as_of = max(self.ds.as_of, ts)
        rng = record_rng(self.ds.seed, KIND_MUTATION, self.counter)
        audit_log.sources(self.ds)  # the generated entries' sources, before any change to the catalog
        declared = BY_NAME.get(resource)
        mutation = declared.mutate if declared is not None else None
        if isinstance(mutation, ChangedThrough):
            raise ValueError(mutation.why)
        if mutation is None:
            raise KeyError(resource)
        change = Change(self.ds, rng, ts, create, update, delete, deactivate, self.counter)
        if mutation.logged_as is None:
            summary = mutation.apply(change)
        else:  # the entries name each record by its title, deleted records' as they were
            labels = audit_log.titles(getattr(self.ds.catalog, resource))
            summary = mutation.apply(change)
            labels.update(audit_log.titles(getattr(self.ds.catalog, resource)))
            audit_log.record_mutation(self.ds, resource, mutation.logged_as, summary, ts, labels)
        self.ds.bump()
        return {"resource": resource, "at": iso(ts), **summary}


__all__ = ["API_ROUTES", "BY_NAME", "FILE_ROUTES", "RESOURCES", "TRUTHS", "Handler", "Mutator", "truth"]
