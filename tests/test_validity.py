"""Valid HTML and accessibility of the built handbook.

The Nu HTML checker (npm ``vnu-jar``, run with ``java -jar``) reads every page
of the site and must report no errors; axe-core (npm ``axe-core``, injected
into the page in chromium) must find no serious or critical violation on a
page of every kind. Both come from ``tests/node_modules``:
``npm ci --prefix tests``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
AXE_PAGES = ["", "roles/", "roles/head-of-client-service/", "roles/client-manager/",
             "roles/key-account-manager/", "articles/", "salaries/", "compare/",
             "compare/client-manager--key-account-manager--sales-manager/", "orgchart/",
             "search/", "search/?q=клиентов", "404.html"]


def needs(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path.relative_to(NODE_MODULES.parent)} is missing: "
                    "install the checkers with `npm ci --prefix tests`")
    return path


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def test_every_page_is_valid_html(built_site):
    if shutil.which("java") is None:
        pytest.fail("the Nu HTML checker needs a Java runtime (apt-get install default-jre-headless)")
    pages = html_pages(built_site)
    assert len(pages) > 30
    result = subprocess.run(
        ["java", "-jar", str(needs(VNU)), "--format", "json", "--errors-only",
         *map(str, pages)],
        capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split(built_site.name + '/', 1)[-1]}:{m.get('lastLine', '?')}: "
              f"{m.get('message')}" for m in messages
              if m.get("type") in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors[:40])


@pytest.mark.parametrize("url", AXE_PAGES)
def test_no_serious_accessibility_violations(browser, site_url, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + url, wait_until="networkidle")
    if "?q=" in url:
        page.wait_for_selector(".pagefind-ui__result-link")
    page.add_script_tag(path=str(needs(AXE)))
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
    })""")
    context.close()
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — "
               + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                           for n in v["nodes"][:5])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(serious)


def test_phone_width_pages_have_no_serious_violations(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = []
    for url in ("salaries/", "compare/client-manager--key-account-manager--sales-manager/",
                "orgchart/"):
        page.goto(site_url + url, wait_until="networkidle")
        page.add_script_tag(path=str(needs(AXE)))
        result = page.evaluate("() => axe.run()")
        problems += [f"{url}: {v['id']} ({v['impact']})" for v in result["violations"]
                     if v["impact"] in ("serious", "critical")]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{url}: the page scrolls sideways ({width}px wide)")
    context.close()
    assert problems == []
