"""Network plumbing for a peer client run by bench/peers.py: trust the emulator's CA, and reach it through the proxy.

Loaded by the peer's interpreter at start-up because bench/peers.py puts this folder first on PYTHONPATH. It changes
no peer code and no behaviour a peer has against real Zendesk; it only does what a corporate CA bundle and a proxy
setting would do on a customer's machine:

- PEER_CA_BUNDLE: `certifi.where()` returns this file. Airbyte's CDK 6 sends through `Session.send()`, which never
  reads REQUESTS_CA_BUNDLE, so requests falls back to certifi's bundle (`requests.utils.DEFAULT_CA_BUNDLE_PATH` is
  computed from `certifi.where()` when requests is imported, which happens after this module runs).
- PEER_AIOHTTP_TRUST_ENV=1: aiohttp sessions default to `trust_env=True`, so they honour HTTPS_PROXY as requests
  does. tap-zendesk opens `aiohttp.ClientSession()` for per-ticket audits with the default `trust_env=False`.
"""

import os

_bundle = os.environ.get("PEER_CA_BUNDLE")
if _bundle:
    try:
        import certifi
        import certifi.core
    except ImportError:  # a peer without certifi has nothing to redirect
        pass
    else:

        def _where() -> str:
            return _bundle

        certifi.where = _where
        certifi.core.where = _where

if os.environ.get("PEER_AIOHTTP_TRUST_ENV") == "1":
    try:
        import aiohttp
    except ImportError:
        pass
    else:
        _original_init = aiohttp.ClientSession.__init__

        def _init_trusting_env(self, *args, **kwargs):
            kwargs.setdefault("trust_env", True)
            _original_init(self, *args, **kwargs)

        aiohttp.ClientSession.__init__ = _init_trusting_env
