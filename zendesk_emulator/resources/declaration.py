"""What the emulator knows about one resource, declared once: the routes that serve it, the id spaces its records'
ids come from, its ground truth (what a complete sync must hold) and how `/_emulator/mutate` changes it.

A resource is usually one connector stream (named alike: the control API's `truth/<name>` and `mutate` use the
name). Where a stream's records cannot be changed on their own (ticket events follow their tickets), its mutation
says which resource's does (`ChangedThrough`), so a test can tell a resource Zendesk changes elsewhere from one the
emulator forgot.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .. import types
from ..data.dataset import Dataset


@dataclass
class Call:
    """One API request, routed: the account's data, the request, the clock's now and the path's arguments."""

    ds: Dataset
    req: types.ApiRequest
    now: float
    args: tuple[str, ...]

    @property
    def id(self) -> int:
        return int(self.args[0])


Handler = Callable[[Call], types.ApiResponse]


@dataclass(frozen=True)
class Route:
    """`name`: stable (per-route faults, plan rules and request stats use it); `pattern`: a regular expression over
    the path after `/api/v2/`, `.json` stripped (anchored at both ends); `api` False: over a path outside the API
    (Help Center's files), its leading slash stripped."""

    name: str
    pattern: str
    handler: Handler
    api: bool = True


@dataclass
class Change:
    """One `/_emulator/mutate` request: how many records to create, update, delete (and, for custom field lists,
    deactivate) at `ts`, drawn from `rng`; `serial` counts the account's mutations (names of created tags)."""

    ds: Dataset
    rng: random.Random
    ts: int
    create: int
    update: int
    delete: int
    deactivate: int
    serial: int


# A catalog resource's handler as data/ writes them: (dataset, rng, ts, create, update, delete) -> summary.
CatalogHandler = Callable[[Dataset, random.Random, int, int, int, int], dict]
# A custom field list's, with `deactivate` last.
FieldListHandler = Callable[[Dataset, random.Random, int, int, int, int, int], dict]


@dataclass(frozen=True)
class Mutation:
    """`apply` makes the change and returns {"created": [...], "updated": [...], "deleted": [...]} (ids or names).
    `logged_as`: the audit log's `source_type` for the change, which Zendesk logs as the account owner's (its
    configuration: groups, business rules, fields, brands...; the records are the catalog's list of the resource's
    name, whose titles label the entries); None: not logged. `deactivates`: the resource takes `deactivate: n`
    (custom field lists)."""

    apply: Callable[[Change], dict]
    logged_as: str | None = None
    deactivates: bool = False


@dataclass(frozen=True)
class ChangedThrough:
    """A resource that cannot be changed on its own: its records follow `resource`'s mutations (ticket metric
    events follow tickets), or nothing an API client does changes them (`resource` None). Mutating it is refused
    with `why`."""

    resource: str | None
    why: str


def catalog(handler: CatalogHandler, logged_as: str | None = None) -> Mutation:
    """The mutation of a resource data/ changes with a CatalogHandler."""
    return Mutation(lambda c: handler(c.ds, c.rng, c.ts, c.create, c.update, c.delete), logged_as=logged_as)


def field_list(handler: FieldListHandler, logged_as: str) -> Mutation:
    """A custom field list's mutation (data/custom_fields.py), taking `deactivate`."""
    return Mutation(lambda c: handler(c.ds, c.rng, c.ts, c.create, c.update, c.delete, c.deactivate),
                    logged_as=logged_as, deactivates=True)


Truth = Callable[[Dataset], list[dict]]


@dataclass(frozen=True)
class Resource:
    """Everything the emulator knows about one resource.

    - `routes`: the API paths serving it (lists, single records, counts, exports), in the order the router tries them.
    - `ids`: the id spaces (data/ids.py) its records' ids lie in, each a billion wide; () for ids that are not
      numbers (tags, routing attributes) or rows without one.
    - `truth`: its ground truth now; `views`: other truths of it under their own names (the metric sets of every
      ticket, archived ones included); `synced_as`: the truth a connector's complete sync of the stream named
      like the resource equals, when it is one of the views.
    - `mutate`: how `/_emulator/mutate` changes it, or which resource's mutation does (ChangedThrough).
    - `feature`: the plan feature (settings.FEATURES) its routes need: without it they answer the plan's 403.
    - `guide`: "help_center" or "community": while the account has it turned off (settings `help_center`,
      `community`), its routes answer 404 and its truth is empty.
    """

    name: str
    routes: tuple[Route, ...] = ()
    ids: tuple[int, ...] = ()
    truth: Truth | None = None
    views: Mapping[str, Truth] = field(default_factory=dict)
    synced_as: str | None = None
    mutate: Mutation | ChangedThrough | None = None
    feature: str | None = None
    guide: str | None = None

    @property
    def stream_truth(self) -> str:
        return self.synced_as or self.name


def routes(*triples: tuple[str, str, Handler]) -> tuple[Route, ...]:
    """Routes from (name, pattern, handler) triples: a declaration reads as the table it is."""
    return tuple(Route(*triple) for triple in triples)
