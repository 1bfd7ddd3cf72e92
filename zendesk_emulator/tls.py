"""A private CA (trustme) and a server certificate for `*.zendesk.com`, so clients keep their real base URL.

The CA is kept in the state directory and reused by later runs with the same directory, so a client configured
to trust `ca.pem` once keeps trusting restarted emulators.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import trustme

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"


def load_or_create_ca(state_dir: Path) -> trustme.CA:
    cert_path, key_path = state_dir / CA_CERT, state_dir / CA_KEY
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="Zendesk emulator")
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(ca.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(cert_path))
    return ca


def server_context(state_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """A server-side TLS context presenting `*.zendesk.com` + `zendesk.com`, and the CA file clients must trust."""
    ca = load_or_create_ca(state_dir)
    leaf = ca.issue_cert("*.zendesk.com", "zendesk.com")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    leaf.configure_cert(context)
    return context, (state_dir / CA_CERT).resolve()
