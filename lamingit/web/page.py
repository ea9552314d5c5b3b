"""One request being answered: the commit it reads, its query parameters, and its links."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from lamingit.errors import LamingitError
from lamingit.remote.server import WebRequest, WebResponse
from lamingit.repo import Repository

if TYPE_CHECKING:
    from lamingit.web.app import WebUI

PAGE_SIZE = 50


class PageNotFound(LamingitError):
    """A page for a record or path that does not exist at the viewed commit."""


@dataclass
class Page:
    """One request being answered: the repository, the commit it reads, and how to link."""

    ui: WebUI
    request: WebRequest
    commit: str | None
    at: str | None
    """The user's ``?at=`` text (kept in every link), or None for the live head."""
    view: Any = None

    @property
    def repo(self) -> Repository:
        """The served repository."""
        return self.ui.repo

    def arg(self, name: str, default: str = "") -> str:
        """A query parameter, stripped, at most 500 characters (longer input is cut)."""
        return self.request.query.get(name, default).strip()[:500]

    def number(self, name: str, default: int = 1) -> int:
        """A positive integer query parameter (bad or missing → ``default``)."""
        text = self.arg(name)
        # isascii: str.isdigit() also accepts digits such as '²' that int() refuses
        ok = text.isascii() and text.isdigit() and 0 < int(text) < 10**9
        return int(text) if ok else default

    def url(self, endpoint: str, **values: Any) -> str:
        """A link to ``endpoint`` that keeps ``?at=`` (query values of None are dropped)."""
        route = {k: v for k, v in values.items() if k in self.ui.route_args.get(endpoint, ())}
        query = [(k, str(v)) for k, v in values.items() if k not in route and v not in (None, "")]
        if self.at and not any(k == "at" for k, _ in query):
            query.append(("at", self.at))
        path = self.ui.adapter.build(endpoint, route)
        return path + ("?" + urlencode(query) if query else "")

    def render(self, template: str, **context: Any) -> WebResponse:
        """A 200 HTML page from ``template``."""
        return self.ui.html(self, template, HTTPStatus.OK, **context)


__all__ = ["PAGE_SIZE", "Page", "PageNotFound"]
