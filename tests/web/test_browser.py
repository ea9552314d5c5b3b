"""The web UI in a real headless Chromium (the system's /usr/bin/chromium, driven by Playwright).

One browser and one served repository for the whole module.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Served, start, stop

CHROMIUM = os.environ.get("LAMINGIT_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("LAMINGIT_UI_SCREENSHOTS")
"""A directory to save screenshots of the main pages into (docs/img when refreshing docs)."""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium context with a fresh profile directory."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs the Debian chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """A fresh tab; fails the test on any JavaScript error the page raises."""
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    tab.close()
    assert not errors, errors


def shot(tab: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def test_artifact_list_pages_and_filters(page: Any, served: Served) -> None:
    page.goto(served.url)
    assert page.title() == "Artifacts · lamingit"
    info = page.locator(".page-info").first
    assert "61 total" in info.inner_text() and "page 1 of 2" in info.inner_text()
    assert page.locator("#artifacts tbody tr").count() == 50
    shot(page, "artifacts")
    page.locator(".next-page").first.click()
    page.wait_for_url("**page=2**")
    assert page.locator("#artifacts tbody tr").count() == 11
    # filter by field
    page.goto(served.url)
    page.select_option("#field", "suffix")
    page.fill("#value", ".parquet")
    page.click("#apply")
    page.wait_for_url("**field=suffix**")
    rows = page.locator("#artifacts tbody tr")
    assert rows.count() == 1 and "results/hits.parquet" in rows.first.inner_text()
    # by feature (numeric comparison) and by label
    page.goto(served.url + "?feature=gc_content&fop=gt&fvalue=0.5")
    assert page.locator("#artifacts tbody tr").count() == 1
    assert "raw counts v2" in page.locator("#artifacts").inner_text()
    page.goto(served.url)
    page.fill("#label", "T cell")
    page.click("#apply")
    page.wait_for_url("**label=T+cell**")
    assert "raw counts v1" in page.locator("#artifacts").inner_text()
    assert page.locator("#artifacts tbody tr").count() == 1
    # search
    page.goto(served.url)
    page.fill("#search", "UMAP")
    page.press("#search", "Enter")
    page.wait_for_url("**q=UMAP**")
    assert page.locator("#artifacts tbody tr").count() == 1
    assert "figures/umap.png" in page.locator("#artifacts").inner_text()


def test_artifact_lineage_node_opens_its_run(page: Any, served: Served) -> None:
    page.goto(served.url + "?q=hits")
    page.click("text=results/hits.parquet")
    page.wait_for_url(f"**/artifacts/{served.uids['hits']}")
    assert page.locator("#title").inner_text() == "results/hits.parquet"
    assert "Artifact: results/hits.parquet" in page.locator("#describe").inner_text()
    preview = page.locator("#preview").inner_text()
    assert "TP53" in preview and "score" in preview
    shot(page, "artifact")
    run_node = page.locator(f'#lineage g.node.run[data-uid="{served.uids["run"]}"]')
    assert run_node.count() == 1
    run_node.click()
    page.wait_for_url(f"**/runs/{served.uids['run']}")
    assert page.locator("#status").inner_text() == "completed"
    assert "lr" in page.locator("#params").inner_text()
    assert "raw/counts.csv" in page.locator("#inputs").inner_text()
    assert "results/cells.h5ad" in page.locator("#outputs").inner_text()
    page.locator("details:has(#source) summary").click()
    assert "ln.track(params=" in page.locator("#source").inner_text()
    shot(page, "run")
    # and from the run to an input artifact's node back on an artifact page
    page.click("#inputs a")
    page.wait_for_url(f"**/artifacts/{served.uids['second']}")
    assert page.locator("#versions tbody tr").count() == 2
    history = page.locator("#history").inner_text()
    assert "added" in history and "changed" in history and "features" in history


def test_previews_of_anndata_and_images(page: Any, served: Served) -> None:
    page.goto(f"{served.url}artifacts/{served.uids['cells']}")
    text = page.locator("#preview").inner_text()
    assert "3 observations × 2 variables" in text and "c1" in text
    page.goto(f"{served.url}artifacts/{served.uids['umap']}")
    image = page.locator("#preview img")
    image.wait_for()
    assert page.evaluate("el => el.naturalWidth", image.element_handle()) == 40


def test_at_shows_the_repository_as_it_was(page: Any, served: Served) -> None:
    page.goto(served.url + "history")
    assert page.locator("li.commit").count() >= 10
    shot(page, "history")
    page.goto(served.url + "?at=v1")
    assert "as of" in page.locator("#at-banner").inner_text()
    rows = page.locator("#artifacts tbody tr")
    assert rows.count() == 1 and "raw counts v1" in rows.first.inner_text()
    # links keep ?at=: the artifact page there shows one version, not two
    page.click("text=raw/counts.csv")
    page.wait_for_url("**at=v1**")
    assert page.locator("#versions tbody tr").count() == 1
    # typing a ref into the header form
    page.goto(served.url)
    page.fill("#at-input", "v1")
    page.press("#at-input", "Enter")
    page.wait_for_url("**at=v1**")
    assert page.locator("#artifacts tbody tr").count() == 1


def test_a_script_in_a_key_renders_as_text(page: Any, served: Served) -> None:
    page.goto(served.url + "?q=xss")
    cell = page.locator("#artifacts td.key a").first
    assert cell.inner_text() == "xss/<script>window.__pwned=1</script>.csv"
    page.click("#artifacts td.key a")
    page.wait_for_url(f"**/artifacts/{served.uids['xss']}")
    assert "<script>" in page.locator("#title").inner_text()
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("main script").count() == 0 and page.locator("main img[src=x]").count() == 0


def test_other_registry_pages(page: Any, served: Served) -> None:
    for plural, expected in (
        ("records", "T cell"),
        ("features", "gc_content"),
        ("projects", "atlas"),
        ("users", "alice"),
        ("transforms", "build_repo.py"),
        ("runs", "build_repo.py"),
    ):
        page.goto(served.url + plural)
        assert expected in page.locator("main table").inner_text(), plural
    page.goto(served.url + "records")
    page.click("#records >> text=T cell")
    page.wait_for_url(f"**/records/{served.uids['t_cell']}")
    assert "raw/counts.csv" in page.locator("#artifacts").inner_text()
    page.goto(f"{served.url}transforms/{served.uids['transform']}")
    assert page.locator("#runs tbody tr").count() == 1


def test_a_token_link_signs_the_browser_in(browser: Any, served: Served) -> None:
    token = "browser-token-0123456789abcdef"
    guarded = start(served.root, served.env, served.root.parent, "--token", token)
    try:
        tab = browser.new_page()
        # (a browser shows its sign-in prompt for the 401: any user name, the token as password)
        assert tab.request.get(guarded.url).status == 401
        tab.goto(f"{guarded.url}history?token={token}")
        assert tab.url == f"{guarded.url}history"  # the token left the address bar
        assert tab.locator("li.commit").count() >= 10
        tab.goto(guarded.url)  # the cookie carries on: pages, and their CSS and script
        assert "61 total" in tab.locator(".page-info").first.inner_text()
        assert tab.evaluate("getComputedStyle(document.querySelector('header')).display") == "flex"
        tab.close()
    finally:
        stop(guarded)
