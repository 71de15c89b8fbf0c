"""The baseline: a bare Flask "hello" app, served by gunicorn exactly like Threshold.

Every Threshold figure in docs/PERFORMANCE.md is reported as a ratio to this app's
requests per second, which cancels out most of the machine, gunicorn and wrk themselves.
"""

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
