"""The socket side: one port that is both a plain HTTP server and an HTTPS CONNECT proxy for *.zendesk.com.

A client keeps its real URLs (`https://acme.zendesk.com/api/v2/...`) and only sets
`HTTPS_PROXY=http://127.0.0.1:PORT` and `REQUESTS_CA_BUNDLE=<ca.pem>`: on `CONNECT acme.zendesk.com:443` we answer
200 and speak TLS ourselves with a `*.zendesk.com` certificate from our own CA, then serve keep-alive HTTP/1.1
requests over the tunnel. The same port answers direct requests (control routes, plain-HTTP API calls, and
absolute-form URIs from plain proxies). Every accepted socket gets TCP_NODELAY: without it each small response
waits ~40 ms for a delayed ACK (Nagle).
"""

from __future__ import annotations

import email.utils
import io
import socket
import ssl
import struct
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import urlsplit

from zendesk_emulator.emulator import Emulator, Reply, hostname_of, is_zendesk_host
from zendesk_emulator.faults import cut

IDLE_TIMEOUT = 300.0  # seconds a kept-alive connection may sit idle
MAX_BODY = 64 * 1024 * 1024
_COALESCE = 64 * 1024  # bodies up to this size go out in the same send() as the headers


class _Writer(io.BufferedIOBase):
    """Unbuffered writer that never writes partially (SocketIO.write may)."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._sock.sendall(data)
        return len(data)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache = (second, email.utils.formatdate(second, usegmt=True))
    return _date_cache[1]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _without_default_port(scheme: str, host: str) -> str:
    """`acme.zendesk.com:443` -> `acme.zendesk.com`, so links built from it look like Zendesk's."""
    default = ":443" if scheme == "https" else ":80"
    return host[: -len(default)] if host.endswith(default) else host


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server: EmulatorServer
    tunnel_host: str | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        if self.tunnel_host is not None:
            self.connection.close()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (BaseHTTPRequestHandler's signature)
        if self.server.verbose:
            super().log_message(format, *args)

    def log_request(self, code="-", size="-") -> None:
        """Our own one line per request is written by _serve; BaseHTTPRequestHandler's is off."""

    # CONNECT: only *.zendesk.com:443, terminated here with our certificate.
    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        hostname = hostname_of(host)
        if self.tunnel_host is not None or port != "443" or not is_zendesk_host(hostname):
            self._send_plain(403, b"CONNECT is only served for *.zendesk.com:443 by the Zendesk emulator\n", close=True)
            return
        self.wfile.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        self.rfile.close()
        try:
            tls = self.server.ssl_context.wrap_socket(self.connection, server_side=True)
        except (OSError, ssl.SSLError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb", -1)
        self.wfile = _Writer(tls)
        self.tunnel_host = hostname
        self.close_connection = False

    def _serve(self) -> None:
        started = time.perf_counter()
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form, from a plain HTTP proxy client
            parts = urlsplit(target)
            scheme, host = parts.scheme, parts.netloc
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        elif self.tunnel_host is not None:
            scheme, host = "https", self.headers.get("Host") or self.tunnel_host
        else:
            scheme = "http"
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        host = _without_default_port(scheme, host)
        body = self._read_body()
        if body is None:
            return
        reply = self.server.emulator.dispatch(self.command, target, host, scheme, self.headers, body)
        self._send(reply)
        if self.server.verbose:
            elapsed = (time.perf_counter() - started) * 1000
            fault = f" fault={reply.wire}" if reply.wire else ""
            sys.stderr.write(
                f"{self.command} {scheme}://{host}{target} -> {reply.status} {len(reply.body)}B {elapsed:.1f}ms{fault}\n"
            )

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._send_plain(400, b"Bad Content-Length\n", close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _head(self, status: int, headers: dict[str, str], length: int | None) -> bytes:
        lines = [f"HTTP/1.1 {status} {_reason(status)}", f"Date: {_http_date()}"]
        lines.extend(f"{name}: {value}" for name, value in headers.items() if name.lower() != "content-length")
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, reply: Reply) -> None:
        sock = self.connection
        try:
            if reply.wire == "slow":
                self.server.emulator.stopping.wait(self.server.emulator.settings.slow_seconds)
            if reply.wire in ("reset", "truncate", "incomplete"):
                self._send_broken(sock, reply)
                return
            head = self._head(reply.status, reply.headers, len(reply.body))
            if len(reply.body) <= _COALESCE:
                sock.sendall(head + reply.body)
            else:
                sock.sendall(head)
                sock.sendall(reply.body)
        except OSError:
            self.close_connection = True

    def _send_broken(self, sock: socket.socket, reply: Reply) -> None:
        """Headers and half the body, then RST (reset) or a clean close (truncate, incomplete).

        Only `truncate` announces `Connection: close` (its body is delimited by the close); the other two look like
        an ordinary keep-alive response that breaks off.
        """
        self.close_connection = reply.wire == "truncate"
        length = None if reply.wire == "truncate" else len(reply.body)
        head = self._head(reply.status, reply.headers, length)
        self.close_connection = True
        sock.sendall(head + cut(reply.body))
        if reply.wire == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # now, before socketserver's shutdown(SHUT_WR) can send a FIN first
        else:
            sock.shutdown(socket.SHUT_WR)

    def _send_plain(self, status: int, body: bytes, close: bool = False) -> None:
        if close:
            self.close_connection = True
        head = self._head(status, {"Content-Type": "text/plain; charset=utf-8"}, len(body))
        try:
            self.wfile.write(head + body)
        except OSError:
            self.close_connection = True


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, emulator: Emulator, ssl_context: ssl.SSLContext, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False):
        self.emulator = emulator
        self.ssl_context = ssl_context
        self.verbose = verbose
        self._thread: threading.Thread | None = None
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = cast(tuple[str, int], self.server_address[:2])  # an AF_INET address
        return f"http://{host}:{port}"

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError) and not self.verbose:
            return  # clients hanging up, TLS handshakes refused: routine for a proxy
        super().handle_error(request, client_address)

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread (tests, in-process use)."""
        self._thread = threading.Thread(target=self.serve_forever, name="zendesk-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.emulator.stopping.set()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
