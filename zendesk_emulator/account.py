"""The emulated Zendesk account the transport serves (CONTRACT.md): data, routes, mutations and ground truth.

Data lives in `data/` (a lazy, seeded generator: columns in memory, records materialised on demand), routes and
pagination styles in `api/`, and each resource's routes, ids, truth and mutation are declared once in `resources/`.
Every public method takes the account's lock, so the transport may call from many threads.
"""

from __future__ import annotations

from .api import router
from .clock import Clock
from .data import ids
from .data.dataset import Dataset
from .data.sizes import Sizes
from .resources import registry
from .types import ApiRequest, ApiResponse

__all__ = ["Sizes", "ZendeskAccount"]


class ZendeskAccount:
    def __init__(self, seed: int, sizes: Sizes, clock: Clock, subdomain: str = "acme"):
        self.seed, self.clock, self.subdomain = seed, clock, subdomain
        self.data = Dataset(seed, sizes, clock.now(), subdomain)
        self.sizes = self.data.sizes
        self.admin_user_id = ids.USER + 1
        self.admin_email = self.data.users.email(0)
        self._mutator = registry.Mutator(self.data)

    def handle(self, req: ApiRequest) -> ApiResponse | None:
        with self.data.lock:
            return router.dispatch(self.data, req, self.clock.now())

    def route_name(self, method: str, path: str) -> str | None:
        found = router.match(method, path)
        return found[0] if found else None

    def is_incremental_export(self, path: str) -> bool:
        rest = router.normalize(path)
        return rest is not None and rest.startswith("incremental/")

    def truth(self, resource: str) -> list[dict]:
        with self.data.lock:
            return registry.truth(self.data, resource)

    def mutate(self, resource: str, create: int = 0, update: int = 0, delete: int = 0, deactivate: int = 0) -> dict:
        with self.data.lock:
            return self._mutator.mutate(resource, create, update, delete, self.clock.now(), deactivate)

    def counts(self) -> dict[str, int]:
        with self.data.lock:
            return self.data.counts()
