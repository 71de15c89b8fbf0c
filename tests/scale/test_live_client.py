"""The scale tests' HTTP client resends like a browser, and only where a browser would.

A raw socket server plays gunicorn closing a keep-alive connection just as the next request
arrives (the race in tests/scale/live.py RetryStaleKeepAlive), and a server that drops a
fresh connection, which must still fail.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.scale.live import HttpPerson

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"


def read_request(connection: socket.socket) -> bytes:
    """Read one request head (the client sends GETs without a body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def answer(connection: socket.socket, body: bytes) -> None:
    """Send a complete keep-alive response."""
    connection.sendall(OK % (len(body), body))


@pytest.fixture
def raw_server() -> Iterator[Callable[..., tuple[str, list[int]]]]:
    """Start a loopback server running `script(connection, number)` per connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    accepted: list[int] = []

    def start(script: Callable[[socket.socket, int], None]) -> tuple[str, list[int]]:
        def serve() -> None:
            number = 0
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                number += 1
                accepted.append(number)
                with connection:
                    script(connection, number)

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}", accepted

    yield start
    listener.close()


def test_request_on_a_keep_alive_connection_closed_unanswered_is_sent_again(raw_server):
    def script(connection: socket.socket, number: int) -> None:
        if number == 1:
            read_request(connection)
            answer(connection, b"first")
            read_request(connection)  # the next request arrives as the server closes
            return
        read_request(connection)
        answer(connection, b"again")

    url, accepted = raw_server(script)
    person = HttpPerson(None, url)  # type: ignore[arg-type]
    try:
        assert person.get("/one").text == "first"
        assert person.get("/two").text == "again"
    finally:
        person.close()
    assert accepted == [1, 2]


def reset(connection: socket.socket) -> None:
    """Close with a TCP reset, as a server does that closes with a request left unread."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_request_on_a_keep_alive_connection_reset_unanswered_is_sent_again(raw_server):
    def script(connection: socket.socket, number: int) -> None:
        if number == 1:
            read_request(connection)
            answer(connection, b"first")
            read_request(connection)
            reset(connection)
            return
        read_request(connection)
        answer(connection, b"again")

    url, accepted = raw_server(script)
    person = HttpPerson(None, url)  # type: ignore[arg-type]
    try:
        assert person.get("/one").text == "first"
        assert person.get("/two").text == "again"
    finally:
        person.close()
    assert accepted == [1, 2]


def test_reused_connection_closed_after_the_response_headers_still_fails(raw_server):
    def script(connection: socket.socket, number: int) -> None:
        read_request(connection)
        answer(connection, b"first")
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncut short")

    url, accepted = raw_server(script)
    person = HttpPerson(None, url)  # type: ignore[arg-type]
    try:
        assert person.get("/one").text == "first"
        with pytest.raises(httpx.RemoteProtocolError):
            person.get("/two")
    finally:
        person.close()
    assert accepted == [1]


def test_fresh_connection_closed_unanswered_still_fails(raw_server):
    def script(connection: socket.socket, number: int) -> None:
        read_request(connection)  # a server that drops a request it was sent

    url, accepted = raw_server(script)
    person = HttpPerson(None, url)  # type: ignore[arg-type]
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            person.get("/one")
    finally:
        person.close()
    assert accepted == [1]
