"""Views parse, call a service and render: only services commit or roll back a transaction."""

from __future__ import annotations

import ast
from pathlib import Path

import screening

VIEW_MODULES = sorted(Path(screening.__file__).parent.glob("*/views.py"))


def transaction_calls(source: str) -> list[int]:
    """Return the lines of source that call something's .commit() or .rollback()."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
    ]


def test_the_scan_finds_commits_and_rollbacks_but_not_words() -> None:
    source = 'db = get_session()\ndb.commit()\n# db.commit()\nnote = "rollback()"\nx.rollback()\n'
    assert transaction_calls(source) == [2, 5]


def test_no_view_module_commits_or_rolls_back() -> None:
    names = {path.parent.name for path in VIEW_MODULES}
    assert {"admin", "auth", "intake", "portal", "public"} <= names
    found = {
        f"{path.parent.name}/views.py:{line}"
        for path in VIEW_MODULES
        for line in transaction_calls(path.read_text(encoding="utf-8"))
    }
    assert found == set()
