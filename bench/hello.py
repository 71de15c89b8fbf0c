"""The content page's yardstick: a bare Flask "hello" app, served by gunicorn exactly like
Threshold. A cached content page has no job for the peer (bench/peer.py) to do, so it is
measured against the framework itself."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Say hello, and nothing else."""
    return "Hello, world!"


@app.get("/healthz")
def healthz() -> str:
    """Answer the readiness probe the bench waits on."""
    return "ok"
