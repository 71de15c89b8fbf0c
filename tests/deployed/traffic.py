"""What a browser context sent and received, for checks after a journey through the stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    """One response the browser received, with the request that asked for it."""

    method: str
    url: str
    status: int
    resource_type: str
    headers: dict[str, str]
    referer: str | None


@dataclass
class Traffic:
    """Every response in one browser context."""

    exchanges: list[Exchange] = field(default_factory=list)

    def record(self, response: Any) -> None:
        """Keep one Playwright response (called for each, in order)."""
        request = response.request
        self.exchanges.append(
            Exchange(
                method=request.method,
                url=response.url,
                status=response.status,
                resource_type=request.resource_type,
                headers=response.all_headers(),
                referer=request.all_headers().get("referer"),
            )
        )

    def errors(self) -> list[str]:
        """Every 4xx or 5xx answer, as `STATUS METHOD URL`."""
        return [f"{e.status} {e.method} {e.url}" for e in self.exchanges if e.status >= 400]

    def documents(self) -> list[Exchange]:
        """The pages (navigations and form posts), not the static files."""
        return [e for e in self.exchanges if e.resource_type == "document"]


def watch(context: Any) -> Traffic:
    """Record every response a Playwright browser context receives."""
    traffic = Traffic()
    context.on("response", traffic.record)
    return traffic
