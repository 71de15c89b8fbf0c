"""Cache keys for what the wizard derives from the loaded definition and templates."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Same(Generic[T]):
    """Match only the very same object: cheap to hash, never confused with an equal copy.

    The definition and templates are immutable once loaded, so their identity stands for
    their content. A cache holding the key holds the object too, so its id is never reused
    while the entry lives (an app reloaded in tests gets new objects and new entries).
    """

    __slots__ = ("obj",)

    def __init__(self, obj: T) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj
