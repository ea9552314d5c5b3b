"""The UI's URLs and list pages: artifacts table, any registry's table, history, downloads.

Detail pages (artifact, run, transform, any record) live in ``lamingit.web.detail``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

from lamingit.remote.server import WebResponse
from lamingit.web import detail
from lamingit.web.history import commits
from lamingit.web.listing import FILTER_FIELDS, OPS, SORTABLE, artifact_table, registry_table
from lamingit.web.page import PAGE_SIZE, Page, PageNotFound
from lamingit.web.preview import IMAGE_TYPES
from lamingit.web.text import FILTERS, PLURALS, Linker, registry_of_plural, related

CHUNK = 1 << 20
_OID = re.compile(r"[0-9a-f]{64}")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
COLUMNS: dict[str, list[str]] = {
    "run": ["transform", "status", "started_at", "finished_at"],
    "transform": ["kind", "version", "is_latest"],
    "record": ["type", "is_type"],
    "feature": ["dtype"],
    "user": ["name"],
}
"""Extra columns of each registry's table (after uid, name and description)."""


def _empty(page: Page) -> WebResponse:
    return page.render("empty.html")


def artifacts(page: Page) -> WebResponse:
    """The artifact table: filters, search, sort, paging."""
    if page.commit is None:
        return _empty(page)
    names = ("field", "op", "value", "feature", "fop", "fvalue", "label", "q", "latest", "sort")
    params = {n: page.arg(n) for n in names}
    table = artifact_table(
        page.view, page.repo.snapshot(page.commit), params, page.number("page"), PAGE_SIZE
    )
    linker = Linker(page)
    features: list[str] = []
    for row in table.rows:
        for name in getattr(row, "features", {}):
            if name not in features and len(features) < 8:
                features.append(name)
    feature_names = [f.name for f in page.view.Feature.filter().order_by("name").to_list()]
    return page.render(
        "artifacts.html",
        table=table,
        params=params,
        features=features,
        feature_names=feature_names,
        linker=linker,
        filter_fields=FILTER_FIELDS,
        ops=OPS,
        sortable=SORTABLE,
    )


def registry_list(page: Page, plural: str) -> WebResponse:
    """The table of any registry but artifacts, newest first."""
    registry = registry_of_plural(plural)
    if page.commit is None:
        return _empty(page)
    table = registry_table(
        page.repo.snapshot(page.commit), registry, page.number("page"), PAGE_SIZE
    )
    return page.render(
        "registry.html",
        registry=registry,
        plural=plural,
        table=table,
        columns=COLUMNS.get(registry, []),
        linker=Linker(page),
    )


def history(page: Page) -> WebResponse:
    """Commits newest first (from ``?at=`` back), with author, run and changed records."""
    if page.commit is None:
        return _empty(page)
    number = page.number("page")
    entries, more = commits(page.repo.git, page.commit, number, PAGE_SIZE)
    return page.render(
        "history.html", entries=entries, number=number, more=more, linker=Linker(page)
    )


def _artifact_blob(page: Page, uid: str) -> tuple[Any, Path]:
    """The artifact and a local path of its bytes (fetched from the blob remote if needed)."""
    if page.view is None:
        raise PageNotFound("this repository has no commits yet")
    artifact = detail.get(page, "Artifact", uid)
    if artifact.n_files is not None:
        raise PageNotFound(
            f"{artifact.key or uid} is a directory of {artifact.n_files} files; "
            "fetch it with `lamingit load` or artifact.cache()"
        )
    # A pulled record is untrusted: its hash must be a hash before it names a file.
    if not _OID.fullmatch(artifact.hash or ""):
        raise PageNotFound(
            f"artifact {uid} has no valid content hash; its record is damaged: run `lamingit fsck`"
        )
    store = page.repo.blobs
    if store.has(artifact.hash):
        return artifact, store.path_for(artifact.hash)
    return artifact, Path(artifact.cache(is_run_input=False))


def _stream(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _file_name(artifact: Any) -> str:
    base = (artifact.key or artifact.uid).rsplit("/", 1)[-1]
    name = _SAFE_NAME.sub("_", base).strip("._") or artifact.uid
    if artifact.suffix and not name.endswith(artifact.suffix):
        name += artifact.suffix
    return name


def download(page: Page, uid: str) -> WebResponse:
    """The artifact's bytes as an attachment, streamed in 1 MiB chunks."""
    artifact, path = _artifact_blob(page, uid)
    return WebResponse(
        HTTPStatus.OK,
        "application/octet-stream",
        _stream(path),
        length=path.stat().st_size,
        headers=[("Content-Disposition", f'attachment; filename="{_file_name(artifact)}"')],
    )


def raw_image(page: Page, uid: str) -> WebResponse:
    """An image artifact's bytes inline (only the suffixes in IMAGE_TYPES)."""
    artifact, path = _artifact_blob(page, uid)
    content_type = IMAGE_TYPES.get((artifact.suffix or "").lower())
    if content_type is None:
        raise PageNotFound(f"{artifact.key or uid} is not an image this UI shows inline")
    return WebResponse(HTTPStatus.OK, content_type, _stream(path), length=path.stat().st_size)


def report(page: Page, uid: str) -> WebResponse:
    """A run's report as its own document: HTML sandboxed (no scripts), else plain text."""
    if page.view is None:
        raise PageNotFound("this repository has no commits yet")
    run = detail.get(page, "Run", uid)
    text = run.report
    if not text:
        raise PageNotFound(f"run {uid} has no report")
    if detail.is_html(text):
        return WebResponse(
            HTTPStatus.OK,
            "text/html; charset=utf-8",
            text.encode(),
            headers=[
                (
                    "Content-Security-Policy",
                    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                )
            ],
        )
    return WebResponse(HTTPStatus.OK, "text/plain; charset=utf-8", text.encode())


ROUTES: list[tuple[str, str, Any]] = [
    ("/", "artifacts", artifacts),
    ("/artifacts", "artifacts_alias", artifacts),
    ("/artifacts/<uid>", "artifact", detail.artifact_page),
    ("/artifacts/<uid>/download", "download", download),
    ("/artifacts/<uid>/raw", "raw", raw_image),
    ("/runs/<uid>", "run", detail.run_page),
    ("/runs/<uid>/report", "report", report),
    ("/transforms/<uid>", "transform", detail.transform_page),
    ("/history", "history", history),
    (
        f"/<any({','.join(sorted(set(PLURALS.values()) - {'artifacts'}))}):plural>",
        "list",
        registry_list,
    ),
    (
        f"/<any({','.join(sorted(set(PLURALS.values()) - {'artifacts'}))}):plural>/<uid>",
        "record",
        detail.record_page,
    ),
]
"""(path, endpoint, handler) of every page."""

__all__ = ["FILTERS", "ROUTES", "related"]
