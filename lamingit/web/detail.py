"""Detail pages: an artifact (describe, features, versions, lineage, history, preview), a run,
a transform, and any other record (its fields and history)."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from markupsafe import Markup

from lamingit.errors import DoesNotExist, LamingitError
from lamingit.models import STRUCTS
from lamingit.remote.server import WebResponse
from lamingit.web.history import record_history
from lamingit.web.page import Page, PageNotFound
from lamingit.web.preview import preview
from lamingit.web.text import CLASS_NAMES, Linker, duration, registry_of_plural

MAX_VERSIONS = 100
_OID = re.compile(r"[0-9a-f]{64}")
"""A blob hash; a pulled record's ``hash`` must look like one before it names a file."""
MAX_LINKED = 200


def get(page: Page, class_name: str, uid: str) -> Any:
    """The record ``uid`` of a registry at the page's commit, or PageNotFound.

    Example:
        >>> get(page, "Artifact", "AbC…0000").key  # doctest: +SKIP
    """
    if page.view is None:
        raise PageNotFound("this repository has no commits yet")
    if len(uid) > 64 or not uid.isalnum():
        raise PageNotFound(f"{uid[:64]!r} is not a uid")
    try:
        return getattr(page.view, class_name).get(uid)
    except DoesNotExist:
        where = f" at {page.at}" if page.at else ""
        raise PageNotFound(f"no {class_name.lower()} {uid}{where}") from None


def is_html(text: str) -> bool:
    """Whether a run's report is an HTML document (a notebook's) rather than captured text.

    Example:
        >>> is_html("<!DOCTYPE html><html></html>")
        True
    """
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def fields_of(page: Page, registry: str, uid: str) -> list[tuple[str, Any]]:
    """Every committed field of a record, in the struct's order, as (name, value)."""
    record = page.repo.snapshot(page.commit).find(registry, uid)
    if record is None:
        raise PageNotFound(f"no {registry} {uid}")
    data = msgspec.to_builtins(record)
    return [(name, data.get(name)) for name in STRUCTS[registry].__struct_fields__]


def lineage_svg(artifact: Any) -> Markup:
    """The artifact's lineage graph as inline SVG (render_svg escapes every label)."""
    from lamingit.api.present.lineage_svg import render_svg

    # return_graph=True gives a graphviz.Digraph, as LaminDB does; .lineage is the plain graph
    graph = artifact.view_lineage(return_graph=True).lineage
    svg = render_svg(graph)
    return Markup(svg[svg.find("<svg") :])  # noqa: S704 - render_svg escapes all text


def _history(page: Page, registry: str, uids: list[str]) -> dict[str, Any]:
    entries, complete = record_history(page.repo.git, page.commit or "", registry, uids)
    return {"history": entries, "complete": complete}


def visitor_describe(page: Page, artifact: Any) -> str:
    """``artifact.describe()`` as a visitor may see it: locations relative to the repository.

    The storage path of the server's own checkout means nothing to a visitor and tells them
    how the server's disk is laid out; the same place in their clone does mean something.

    Example:
        >>> "storage path: .lamingit/objects/" in visitor_describe(page, artifact)  # doctest: +SKIP
        True
    """
    text = str(artifact.describe(return_str=True))
    for root in {str(page.repo.root), str(page.repo.root.resolve())}:
        text = text.replace(root.rstrip("/") + "/", "")
    return text


def artifact_page(page: Page, uid: str) -> WebResponse:
    """An artifact: describe(), features, labels, versions, lineage, history, preview."""
    artifact = get(page, "Artifact", uid)
    linker = Linker(page)
    record_fields = dict(fields_of(page, "artifact", artifact.uid))
    versions = artifact.versions.to_list()[:MAX_VERSIONS]
    try:
        features = artifact.features.get_values()
    except LamingitError as exc:
        features = {"(unreadable)": str(exc)}
    local = None
    blobs = page.repo.blobs
    digest = artifact.hash or ""
    if artifact.n_files is None and _OID.fullmatch(digest) and blobs.has(digest):
        local = blobs.path_for(digest)
    shown = preview(local, artifact.suffix or "")
    if not shown.tables and not shown.image and local is None and artifact.n_files is None:
        shown.note = shown.note or "no local copy of the content: download fetches it"
    history, complete = record_history(page.repo.git, page.commit or "", "artifact", [artifact.uid])
    return page.render(
        "artifact.html",
        artifact=artifact,
        describe=visitor_describe(page, artifact),
        fields=record_fields,
        features=features,
        labels=record_fields.get("records") or [],
        projects=record_fields.get("projects") or [],
        versions=versions,
        svg=lineage_svg(artifact),
        history=history,
        complete=complete,
        preview=shown,
        linker=linker,
        input_of=artifact.input_of.to_list()[:MAX_LINKED],
    )


def run_page(page: Page, uid: str) -> WebResponse:
    """A run: transform, status, timing, params, inputs, outputs, report, environment."""
    run = get(page, "Run", uid)
    fields = dict(fields_of(page, "run", run.uid))
    report = run.report
    transform = run.transform
    return page.render(
        "run.html",
        run=run,
        source=getattr(transform, "source_code", None) if transform is not None else None,
        fields=fields,
        took=duration(fields.get("started_at"), fields.get("finished_at")),
        inputs=run.inputs.to_list()[:MAX_LINKED],
        outputs=run.outputs.to_list()[:MAX_LINKED],
        report=report,
        report_is_html=bool(report) and is_html(report),
        **_history(page, "run", [run.uid]),
        linker=Linker(page),
    )


def transform_page(page: Page, uid: str) -> WebResponse:
    """A transform: kind, versions, source code, runs, parents."""
    transform = get(page, "Transform", uid)
    fields = dict(fields_of(page, "transform", transform.uid))
    runs = transform.runs.order_by("-started_at").to_list()[:MAX_LINKED]
    return page.render(
        "transform.html",
        transform=transform,
        fields=fields,
        runs=runs,
        versions=transform.versions.to_list()[:MAX_VERSIONS],
        **_history(page, "transform", [transform.uid]),
        linker=Linker(page),
    )


def record_page(page: Page, plural: str, uid: str) -> WebResponse:
    """Any other record: every field (links for uids), its artifacts, and its history."""
    registry = registry_of_plural(plural)
    obj = get(page, CLASS_NAMES[registry], uid)
    fields = fields_of(page, registry, obj.uid)
    artifacts: list[Any] = []
    if registry in ("record", "project", "user"):
        lookup = {"record": "records", "project": "projects", "user": "created_by"}[registry]
        artifacts = page.view.Artifact.filter(**{lookup: obj.uid}).to_list()[:MAX_LINKED]
    return page.render(
        "record.html",
        registry=registry,
        obj=obj,
        fields=fields,
        artifacts=artifacts,
        **_history(page, registry, [obj.uid]),
        linker=Linker(page),
    )


__all__ = ["artifact_page", "get", "is_html", "record_page", "run_page", "transform_page"]
