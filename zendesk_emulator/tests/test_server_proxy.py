"""The socket side: CONNECT proxy with our CA, direct HTTP, hosts and subdomains, keep-alive speed."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from zendesk_emulator.testing import serve_in_thread
from zendesk_emulator.tests.fake_account import FakeAccount, Sizes


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(FakeAccount, sizes=Sizes(tickets=120), settings={"plan": "unlimited"}) as running:
        yield running


@pytest.fixture
def client(emu):
    emu.reset()
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session


def _basic(emu) -> str:
    return "Basic " + base64.b64encode("{}:{}".format(*emu.api_token_auth()).encode()).decode()


def _raw(emu, data: bytes) -> bytes:
    """Send raw bytes to the port and read until the server closes or stops sending."""
    with socket.create_connection(emu.server.server_address[:2], timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_given_proxy_and_ca_in_environment_when_client_uses_real_url_then_emulator_answers(emu, monkeypatch):
    emu.reset()
    for name, value in emu.client_env().items():
        monkeypatch.setenv(name, value)
    response = requests.get(emu.url("users/me.json"), auth=emu.api_token_auth(), timeout=10)
    assert response.status_code == 200
    assert response.json()["user"]["id"] == emu.account.admin_user_id
    assert response.url.startswith("https://acme.zendesk.com/api/v2/")


def test_given_default_trust_store_when_connecting_through_proxy_then_certificate_is_rejected(emu):
    with requests.Session() as session:
        session.trust_env = False
        session.proxies = {"https": emu.info["proxy_url"]}
        session.verify = True  # certifi's bundle: our CA is not in it
        with pytest.raises(requests.exceptions.SSLError):
            session.get(emu.url("users/me.json"), timeout=10)


def test_when_paging_through_proxy_then_links_keep_the_zendesk_https_base_url(client, emu):
    first = client.get(emu.url("incremental/tickets/cursor.json?start_time=0&per_page=100"), timeout=10).json()
    assert first["after_url"].startswith("https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json")
    second = client.get(first["after_url"], timeout=10).json()
    assert [t["id"] for t in first["tickets"] + second["tickets"]] == list(range(1, 121))
    assert second["end_of_stream"] is True


def test_when_posting_through_proxy_then_account_receives_method_query_body_and_user(client, emu):
    response = client.post(emu.url("echo.json?page[size]=5&flag="), json={"a": 1}, timeout=10)
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/api/v2/echo.json"
    assert echoed["query"] == {"page[size]": ["5"], "flag": [""]}
    assert echoed["base_url"] == "https://acme.zendesk.com"
    assert echoed["user_id"] == emu.account.admin_user_id
    assert echoed["content_type"] == "application/json"
    assert json.loads(echoed["body"]) == {"a": 1}


def test_given_direct_http_when_host_is_the_port_then_default_account_answers_with_http_links(emu):
    emu.reset()
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(f"{emu.info['proxy_url']}/api/v2/incremental/tickets/cursor.json?per_page=100",
                               auth=emu.api_token_auth(), timeout=10)
    assert response.status_code == 200
    assert response.json()["after_url"].startswith(f"{emu.info['proxy_url']}/api/v2/")


def test_given_plain_proxy_when_request_uri_is_absolute_form_then_host_comes_from_uri(emu):
    emu.reset()
    raw = _raw(emu, b"GET http://acme.zendesk.com/api/v2/echo.json HTTP/1.1\r\nHost: acme.zendesk.com\r\n"
                    b"Authorization: " + _basic(emu).encode() + b"\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 404")  # echo is POST only: proves the request reached the account router
    raw = _raw(emu, b"POST http://acme.zendesk.com/api/v2/echo.json?x=1 HTTP/1.1\r\nHost: acme.zendesk.com\r\n"
                    b"Authorization: " + _basic(emu).encode() + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Connection: close" in head
    echoed = json.loads(body)
    assert (echoed["base_url"], echoed["query"], echoed["body"]) == ("http://acme.zendesk.com", {"x": ["1"]}, "hi")


def test_when_subdomain_is_not_the_account_then_zendesk_no_help_desk_404(client):
    response = client.get("https://globex.zendesk.com/api/v2/users/me.json", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"error": {
        "title": "No help desk at globex.zendesk.com",
        "message": "There is no help desk configured at this address. This means that the address is available and "
        "that you can claim it at http://www.zendesk.com/signup",
    }}


@pytest.mark.parametrize("target", [b"example.com:443", b"acme.zendesk.com:80", b"zendesk.com.evil.test:443"])
def test_when_connect_targets_anything_but_zendesk_443_then_403_and_close(emu, target):
    raw = _raw(emu, b"CONNECT " + target + b" HTTP/1.1\r\nHost: " + target + b"\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 403 Forbidden\r\n")
    assert b"Connection: close" in raw


def test_when_tls_client_connects_then_certificate_covers_wildcard_and_apex(emu):
    context = ssl.create_default_context(cafile=emu.info["ca_file"])
    for name in ("acme.zendesk.com", "zendesk.com"):
        with socket.create_connection(emu.server.server_address[:2], timeout=5) as sock:
            sock.sendall(f"CONNECT {name}:443 HTTP/1.1\r\nHost: {name}:443\r\n\r\n".encode())
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
            with context.wrap_socket(sock, server_hostname=name) as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_given_keep_alive_session_when_making_many_small_requests_then_no_nagle_delay(client, emu):
    client.get(emu.url("users/me.json"), timeout=10)
    started = time.perf_counter()
    for _ in range(100):
        assert client.get(emu.url("users/me.json"), timeout=10).status_code == 200
    per_request = (time.perf_counter() - started) / 100
    # Without TCP_NODELAY each response waits ~40 ms for the delayed ACK; with it, well under 10 ms here.
    assert per_request < 0.010, f"{per_request * 1000:.1f} ms per request"
    adapter = client.get_adapter("https://acme.zendesk.com")
    assert sum(pool.num_connections for pool in adapter.poolmanager.pools._container.values()) <= 1


def test_when_control_route_is_called_through_the_proxy_then_it_answers_without_auth(emu):
    with emu.session() as session:
        response = session.get("https://acme.zendesk.com/_emulator/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_when_route_is_unknown_then_invalid_endpoint_404(client, emu):
    response = client.get(emu.url("no/such/thing.json"), timeout=10)
    assert response.status_code == 404
    assert response.json() == {"error": "InvalidEndpoint", "description": "Not found"}


def test_when_account_raises_then_500_and_server_keeps_serving(client, emu, capsys):
    response = client.get(emu.url("boom.json"), timeout=10)
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert "the account broke" in capsys.readouterr().err
    assert client.get(emu.url("users/me.json"), timeout=10).status_code == 200


def test_when_request_body_is_chunked_then_it_is_reassembled(emu):
    emu.reset()
    raw = _raw(emu, b"POST /api/v2/echo.json HTTP/1.1\r\nHost: acme.zendesk.com\r\nAuthorization: "
                    + _basic(emu).encode() + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    assert json.loads(raw.partition(b"\r\n\r\n")[2])["body"] == "abcde"


def test_given_host_header_with_default_port_then_links_leave_the_port_out(emu):
    emu.reset()
    raw = _raw(emu, b"POST /api/v2/echo.json HTTP/1.1\r\nHost: acme.zendesk.com:80\r\nAuthorization: "
                    + _basic(emu).encode() + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert json.loads(raw.partition(b"\r\n\r\n")[2])["base_url"] == "http://acme.zendesk.com"


def test_given_parallel_clients_then_every_request_is_served_and_counted(emu):
    emu.reset()

    def worker(_: int) -> list[int]:
        with emu.session() as session:
            session.auth = emu.api_token_auth()
            return [session.get(emu.url("users/me.json"), timeout=10).status_code for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [status for batch in pool.map(worker, range(8)) for status in batch]
    assert statuses == [200] * 200
    assert emu.control("GET", "stats")["by_endpoint"] == {"GET /api/v2/users/me.json": 200}
