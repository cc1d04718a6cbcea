"""The synthetic handbook as a Hugo site: ``content.Handbook`` in, a Hugo project folder out.

Each role is a page whose front matter holds the same fields as the role's
YAML file (the Markdown summary is the page body, as Hugo sites do); the
handbook config and the regions are Hugo data files; the layouts in
``bench/hugo-site/`` render a page per role with every section, its salary
tables and their charts (``_partials/salary-chart.html``, drawn as rolebook's
``render/chart.py`` draws them), the home page by department, a role list, salary comparison lists
per region (paginated, 200 roles a page), the articles, and the data files
``data/roles.json`` and ``data/salaries.csv``. Hugo derives whom a role
manages from a ``reports_to`` taxonomy, as rolebook derives it in resolve.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import content as c
from yamlout import dump

LAYOUTS = Path(__file__).resolve().parent / "hugo-site"

CONFIG = """\
baseURL = "/"
locale = "ru"
defaultContentLanguage = "ru"
title = "{title}"
relativeURLs = true
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt"]

[taxonomies]
reports_to = "reports_to"

[pagination]
pagerSize = 200

[outputFormats.rolesjson]
mediaType = "application/json"
baseName = "roles"
path = "data"
isPlainText = true

[outputFormats.salariescsv]
mediaType = "text/csv"
baseName = "salaries"
path = "data"
isPlainText = true

[outputs]
home = ["html", "rolesjson", "salariescsv"]
section = ["html"]
page = ["html"]
"""


def write(book: c.Handbook, root: Path) -> None:
    """Write the Hugo project for ``book`` into ``root`` (which must not exist)."""
    shutil.copytree(LAYOUTS, root)
    _text(root / "hugo.toml", CONFIG.format(title=book.handbook["title"]))
    _text(root / "data" / "handbook.yaml", dump(book.handbook))
    _text(root / "data" / "regions.yaml", dump(book.regions))
    pages = root / "content"
    _page(pages / "_index.md", {"title": book.handbook["title"]}, "")
    _page(pages / "roles" / "_index.md", {"title": "Должности"}, "")
    for role in book.roles:
        front = {k: v for k, v in role.items() if k != "summary"}
        _page(pages / "roles" / f"{role['id']}.md", front, role["summary"])
    _page(pages / "articles" / "_index.md", {"title": "Статьи"}, "")
    for k, (front, body) in enumerate(book.pages):
        _page(pages / "articles" / f"article-{k + 1:02d}.md", front | {"weight": front["order"]}, body)
    _page(pages / "salaries" / "_index.md", {"title": "Зарплаты по регионам"}, "")
    for rid, name, _, _ in c.REGIONS:
        _page(pages / "salaries" / rid / "_index.md", {"title": f"Зарплаты: {name}", "region": rid}, "")


def _page(path: Path, front: dict, body: str) -> None:
    _text(path, f"---\n{dump(front)}---\n\n{body}")


def _text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
