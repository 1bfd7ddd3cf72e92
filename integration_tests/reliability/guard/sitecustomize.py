"""The socket guard of the reliability suite: loaded into a connector process through PYTHONPATH, it appends one
JSON line per outgoing connection, DNS lookup and HTTPS proxy tunnel to $RELIABILITY_SOCKET_LOG, so a test can
prove which hosts the connector tried to reach. Outside that suite (no variable set) it does nothing."""

import json
import os

_LOG = os.environ.get("RELIABILITY_SOCKET_LOG")

if _LOG:
    import http.client
    import socket

    def _record(kind, host, port):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"kind": kind, "host": str(host), "port": port}) + "\n")

    _connect = socket.socket.connect
    _getaddrinfo = socket.getaddrinfo
    _set_tunnel = http.client.HTTPConnection.set_tunnel

    def connect(self, address):
        if isinstance(address, tuple):
            _record("connect", address[0], address[1])
        return _connect(self, address)

    def getaddrinfo(host, port, *args, **kwargs):
        _record("resolve", host, port)
        return _getaddrinfo(host, port, *args, **kwargs)

    def set_tunnel(self, host, port=None, *args, **kwargs):
        _record("tunnel", host, port)
        return _set_tunnel(self, host, port, *args, **kwargs)

    socket.socket.connect = connect
    socket.getaddrinfo = getaddrinfo
    http.client.HTTPConnection.set_tunnel = set_tunnel
