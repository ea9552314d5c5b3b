"""Routing, the ``?at=`` view and rendering of the web UI (Jinja2 templates, werkzeug routes).

Every page reads one fixed commit: the branch head when the request came in, or ``?at=REF``.
"""

from __future__ import annotations

import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from lamingit.errors import DoesNotExist, InvalidArgument, LamingitError
from lamingit.remote.server import WebRequest, WebResponse
from lamingit.repo import Repository
from lamingit.web import routes
from lamingit.web.history import MAX_CHANGES, MAX_SCAN
from lamingit.web.page import Page, PageNotFound

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


Handler = Callable[..., WebResponse]


class WebUI:
    """The web UI as a server app: ``WebUI(repo)(request) → response``.

    Example:
        >>> server = LamingitServer(repo, ("127.0.0.1", 0), False, app=WebUI(repo))  # doctest: +SKIP
    """

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.env = Environment(
            loader=PackageLoader("lamingit.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(routes.FILTERS)
        self.env.globals["related"] = routes.related
        self.env.globals["max_changes"] = MAX_CHANGES
        self.env.globals["max_scan"] = MAX_SCAN
        self.static = _static_files()
        self.handlers: dict[str, Handler] = {}
        rules = []
        for path, endpoint, handler in routes.ROUTES:
            rules.append(Rule(path, endpoint=endpoint, methods=["GET", "HEAD"]))
            self.handlers[endpoint] = handler
        rules.append(Rule("/static/<name>", endpoint="static", methods=["GET", "HEAD"]))
        self.urls = Map(rules, strict_slashes=False)
        self.adapter = self.urls.bind("localhost")
        self.route_args = {r.endpoint: tuple(r.arguments) for r in self.urls.iter_rules()}
        # pygit2 objects and the index cache are not meant for concurrent use: one page at
        # a time (downloads stream outside the lock).
        self._lock = threading.Lock()
        self._views: OrderedDict[str, Any] = OrderedDict()

    def __call__(self, request: WebRequest) -> WebResponse:
        try:
            endpoint, args = self.adapter.match(request.path, method="GET")
        except RequestRedirect as exc:
            return WebResponse(
                HTTPStatus.PERMANENT_REDIRECT, "text/plain", headers=[("Location", exc.new_url)]
            )
        except (NotFound, MethodNotAllowed):
            return self._plain(HTTPStatus.NOT_FOUND, f"no page {request.path[:200]!r} here")
        if endpoint == "static":
            return self._static_file(args["name"])
        with self._lock:
            page = None
            try:
                page = self._page(request)
                return self.handlers[endpoint](page, **args)
            except (PageNotFound, DoesNotExist) as exc:
                return self._error(page, request, HTTPStatus.NOT_FOUND, str(exc))
            except LamingitError as exc:
                return self._error(page, request, HTTPStatus.BAD_REQUEST, str(exc))
            except Exception as exc:  # a page must never take the server down
                traceback.print_exc()
                message = f"this page failed: {type(exc).__name__}: {exc}"
                return self._error(page, request, HTTPStatus.INTERNAL_SERVER_ERROR, message)

    # -- the viewed commit ------------------------------------------------------------------
    def _page(self, request: WebRequest) -> Page:
        at = request.query.get("at", "").strip()[:200] or None
        if at is None:
            commit = self.repo.git.head()
        else:
            try:
                commit = self.repo.resolve(at)
            except LamingitError as exc:
                raise InvalidArgument(f"?at={at[:60]!r}: {exc}") from None
        page = Page(self, request, commit, at)
        page.view = self.view(commit) if commit is not None else None
        return page

    def view(self, commit: str) -> Any:
        """The registries as of ``commit`` (``ln.at``), cached for the last few commits."""
        import lamingit as ln

        found = self._views.get(commit)
        if found is None:
            found = ln.at(commit)
            self._views[commit] = found
            while len(self._views) > 8:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(commit)
        return found

    # -- responses --------------------------------------------------------------------------
    def html(self, page: Page, template: str, code: int, **context: Any) -> WebResponse:
        """Render ``template`` with the page's helpers."""
        from lamingit.web.text import EXTRA_PLURALS

        text = self.env.get_template(template).render(
            page=page, url=page.url, extra_plurals=EXTRA_PLURALS, **context
        )
        return WebResponse(code, "text/html; charset=utf-8", text.encode())

    def _error(
        self, page: Page | None, request: WebRequest, status: int, message: str
    ) -> WebResponse:
        if page is None:
            page = Page(self, request, None, None)
        try:
            return self.html(page, "error.html", status, status=int(status), message=message)
        except Exception:  # the error page itself failed: say so in plain text
            traceback.print_exc()
            return self._plain(status, message)

    def _plain(self, status: int, message: str) -> WebResponse:
        return WebResponse(status, "text/plain; charset=utf-8", (message + "\n").encode())

    def _static_file(self, name: str) -> WebResponse:
        # Only the files shipped in lamingit/web/static, by exact name: nothing else on disk.
        data = self.static.get(name)
        if data is None:
            return self._plain(HTTPStatus.NOT_FOUND, f"no static file {name[:100]!r}")
        content_type = STATIC_TYPES[name[name.rfind(".") :]]
        return WebResponse(
            HTTPStatus.OK, content_type, data, headers=[("Cache-Control", "max-age=300")]
        )


def _static_files() -> dict[str, bytes]:
    folder = resources.files("lamingit.web") / "static"
    out = {}
    for entry in folder.iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if entry.is_file() and suffix in STATIC_TYPES:
            out[entry.name] = entry.read_bytes()
    return out


__all__ = ["WebUI"]
