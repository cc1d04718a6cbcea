"""Stage 4, render (PDF): the official job descriptions, ``pdf/<role-id>.pdf``.

The ``Catalog`` and the theme in; one PDF per role written into the staging
``Output``. WeasyPrint lives behind this module only and is imported lazily.

- The HTML of each document is rendered (Jinja, ``pdf/jobdesc.html``) in the
  main process; only strings go to the worker processes, which lay them out in
  parallel, each with one ``FontConfiguration`` and the stylesheets parsed once.
- Every URL the renderer asks for goes through ``ThemeFetcher``: it serves the
  theme's own files and ``data:`` URLs and refuses everything else, and a
  refused or failed fetch stops the render (no silent warning).
- A PDF whose inputs did not change since the previous build is reused
  (``Output.reuse``); the key covers the role, the roles it names, the
  handbook config, the regions, the theme, the employees list and the versions
  of rolebook and WeasyPrint.
- The same inputs give the same bytes: no timestamps (the dates come from the
  content), a fixed file identifier, fonts subset deterministically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import ContentError, Problem, RolebookError
from ..validate import dotted
from .employees import config_name, read_employees

if TYPE_CHECKING:
    from ..pipeline import BuildOptions
    from ..resolve import Catalog, RoleEntry
    from ..theme import Theme
    from ..write import Output

log = logging.getLogger(__name__)

TEMPLATE = "pdf/jobdesc.html"
STYLESHEETS = {profile: ("pdf/jobdesc.css", f"pdf/{profile}.css")
               for profile in ("gost-2025", "gost-2016")}
PDFA_VARIANT = "pdf/a-2b"


class RenderError(RolebookError):
    """A PDF could not be rendered (a refused fetch, a missing font)."""


class MissingGlyphs(RenderError):
    """The theme's fonts lack characters of a document (an emoji, a rare script)."""

    def __init__(self, name: str, characters: str, families: str):
        super().__init__(name, characters, families)  # args survive the trip from a worker
        self.name, self.characters, self.families = name, characters, families

    def __str__(self) -> str:
        characters = repr(self.characters or "some characters")
        return (f"{self.name}: the theme's font has no glyph for {characters}, so WeasyPrint "
                f"used the system font {self.families}; replace those characters in the "
                "content or give the theme a font that has them")


@dataclass(frozen=True)
class Settings:
    """What a worker needs besides the HTML; the same for every PDF of a build."""

    folders: tuple[str, ...]       # theme folders, the handbook's overrides first
    stylesheets: tuple[str, ...]   # theme file names, in cascade order
    base_url: str                  # of the HTML template (relative URLs resolve from it)
    variant: str | None            # PDF/A or None


@dataclass(frozen=True)
class Job:
    name: str            # pdf/<role-id>.pdf
    html: str
    identifier: bytes    # the PDF file identifier: fixed per document number
    key: str             # the inputs' key, for reuse by the next build


# -- the stage ------------------------------------------------------------------------

def render_pdfs(catalog: "Catalog", theme: "Theme", output: "Output",
                options: "BuildOptions") -> None:
    """Write ``pdf/<id>.pdf`` for every role (reusing unchanged ones) into ``output``."""
    chosen = chosen_roles(catalog, options.roles)
    employees = read_employees(catalog)  # role id -> names for the acquaintance sheet
    common = common_inputs(catalog, theme)
    todo = []
    for role_id, entry in catalog.roles.items():
        name = f"pdf/{role_id}.pdf"
        key = pdf_key(catalog, entry, common, employees.get(role_id, ()))
        if not (options.force and role_id in chosen) and output.reuse(name, key):
            continue
        if role_id not in chosen:
            # Dropping a PDF the previous site had deserves a warning; never having had it not.
            level = logging.WARNING if name in output.previous else logging.INFO
            log.log(level, "%s: left out: only %s asked for, and the previous build has no "
                    "up-to-date copy; `rolebook build` renders it", name, ", ".join(sorted(chosen)))
            continue
        todo.append((entry, name, key))
    if not todo:
        return
    settings = worker_settings(catalog, theme)
    with theme.reporting():  # a template mistake: its file and line, no traceback
        template = theme.environment().get_template(TEMPLATE)
        jobs = [Job(name, document_html(template, catalog, entry.id, employees.get(entry.id, ())),
                    _identifier(catalog, entry), key) for entry, name, key in todo]
    try:
        for job, pdf in render_jobs(jobs, settings, options):
            output.put(job.name, pdf, job.key)
    except MissingGlyphs as exc:
        raise _where_in_content(catalog, exc) from None


def _where_in_content(catalog: "Catalog", exc: MissingGlyphs) -> RolebookError:
    """The characters no font has, at their place in the role's file when they are there."""
    document = catalog.roles[Path(exc.name).stem].document
    problems = [document.problem(loc, f"{dotted(loc)}: the PDF font has no glyph for "
                                      f"{char!r} (U+{ord(char):04X}); remove or replace it")
                for loc, text in _texts(document.data, ()) for char in exc.characters
                if char in text]
    return ContentError(problems) if problems else exc


def _texts(value, loc: tuple):
    """Every string in a document's data with its field path."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, loc + (index,))


def chosen_roles(catalog: "Catalog", roles: Iterable[str]) -> set[str]:
    """The roles to render: those asked for, or all; an unknown id is an error."""
    roles = list(roles)
    unknown = [r for r in roles if r not in catalog.roles]
    if unknown:
        known = ", ".join(catalog.roles)
        raise RolebookError(f"unknown role {', '.join(map(repr, unknown))} (known: {known})")
    return set(roles) or set(catalog.roles)


def worker_settings(catalog: "Catalog", theme: "Theme") -> Settings:
    settings = catalog.handbook.document
    for name in (TEMPLATE, *STYLESHEETS[settings.profile]):
        _theme_file(theme, name)  # a missing theme file is reported before any work
    return Settings(folders=tuple(str(f) for f in theme.folders),
                    stylesheets=STYLESHEETS[settings.profile],
                    base_url=theme.find(TEMPLATE).as_uri(),
                    variant=PDFA_VARIANT if settings.pdfa else None)


def _theme_file(theme: "Theme", name: str) -> Path:
    try:
        return theme.find(name)
    except FileNotFoundError:
        raise ContentError([Problem(f"templates/{name}", 0, 0,
                                    "template not found in the handbook or the theme")]) from None


def _identifier(catalog: "Catalog", entry: "RoleEntry") -> bytes:
    from .jobdesc import document_number

    role = entry.role
    number = document_number(catalog.handbook.document.number_prefix, role.code,
                             len(role.revisions) + 1)
    return hashlib.md5(f"{role.id}\0{number}".encode()).hexdigest().encode()


# -- the HTML of one document -------------------------------------------------------------

def document_html(template, catalog: "Catalog", role_id: str, employees: Iterable[str]) -> str:
    """The HTML string of one job description (rendered in the main process)."""
    from .. import __version__
    from .jobdesc import job_description

    doc = job_description(catalog, role_id, employees)
    qr = qr_data_url(doc.url) if catalog.handbook.document.qr and doc.profile == "gost-2025" \
        else None
    if catalog.handbook.document.qr and doc.url is None:
        raise ContentError([Problem(config_name(catalog), 0, 0, (
            "document.qr: the QR code links to the role's page, but base_url is not set; "
            "set base_url (the address of the published handbook) or qr: false"))])
    return template.render(doc=doc, qr=qr, generator=f"rolebook {__version__}")


def qr_data_url(url: str | None) -> str | None:
    """The QR code requisite (ГОСТ Р 7.0.97-2025) as an SVG ``data:`` URL."""
    if url is None:
        return None
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(border=0)


# -- incremental builds ---------------------------------------------------------------------

def common_inputs(catalog: "Catalog", theme: "Theme") -> bytes:
    """What every PDF depends on: handbook config, regions, theme, tool versions."""
    from importlib.metadata import version

    from .. import __version__
    from .keys import config_digests

    parts = [*config_digests(catalog), theme.digest, __version__, version("weasyprint"),
             version("segno")]
    return "\0".join(parts).encode()


def pdf_key(catalog: "Catalog", entry: "RoleEntry", common: bytes,
            employees: Iterable[str]) -> str:
    """The key of one PDF's inputs: the role, the roles it names, and ``common``.

    Of a role it names, the PDF shows only the title (and its dative), so only
    those count: a new duty of a subordinate does not renew the head's PDF.
    """
    sha = hashlib.sha256(common)
    sha.update(f"\0{entry.id}\0{entry.document.digest}\0{entry.title_genitive}\0"
               f"{entry.title_dative}".encode())
    for role_id in sorted(referenced_roles(catalog, entry)):
        other = catalog.roles[role_id]
        sha.update(f"\0{role_id}\0{other.role.title}\0{other.title_dative}".encode())
    sha.update("\0".join(["employees", *employees]).encode())
    return sha.hexdigest()


def referenced_roles(catalog: "Catalog", entry: "RoleEntry") -> set[str]:
    """Roles whose data appears in this role's PDF: bosses, subordinates, department head."""
    found = set(entry.reports_to) | set(entry.manages)
    department = next((d for d in catalog.handbook.departments
                       if d.id == entry.role.department), None)
    if department is not None and department.head in catalog.roles:
        found.add(department.head)
    found.discard(entry.id)
    return found


# -- rendering, in workers ----------------------------------------------------------------------

def render_jobs(jobs: list[Job], settings: Settings,
                options: "BuildOptions") -> Iterable[tuple[Job, bytes]]:
    """Lay out each job's HTML into PDF bytes, in parallel when there are several."""
    workers = min(options.jobs or os.cpu_count() or 1, len(jobs))
    with _progress(len(jobs), options.progress) as bar:
        if workers <= 1:
            renderer = Renderer(settings)  # not cached: this process may live on (a server)
            for job in jobs:
                yield job, _reemit(job, *renderer.render(job))
                bar.update(1)
            return
        yield from _render_in_pool(jobs, settings, workers, bar)


def _render_in_pool(jobs: list[Job], settings: Settings, workers: int, bar):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # forkserver: workers start from a clean interpreter, not a copy of a busy one.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(render_one, settings, job): job for job in jobs}
        results = {}
        for future in as_completed(futures):
            job = futures[future]
            results[job.name] = _reemit(job, *future.result())
            bar.update(1)
    for job in jobs:  # in a stable order
        yield job, results[job.name]


def _reemit(job: Job, pdf: bytes, warnings: list[tuple[int, str]]) -> bytes:
    """Log in this process what WeasyPrint warned about in a worker."""
    for level, message in warnings:
        logging.getLogger("weasyprint").log(level, "%s: %s", job.name, message)
    return pdf


class _NullBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _progress(length: int, show: bool):
    if not show:
        return _NullBar()
    import click

    return click.progressbar(length=length, label="PDF", file=click.get_text_stream("stderr"))


def render_one(settings: Settings, job: Job) -> tuple[bytes, list[tuple[int, str]]]:
    """Render one job in a worker process: PDF bytes and WeasyPrint's warnings."""
    return _worker_renderer(settings).render(job)


@lru_cache(maxsize=1)
def _worker_renderer(settings: Settings) -> "Renderer":
    # One renderer, so one FontConfiguration and one parse of the stylesheets, per worker.
    return Renderer(settings)


class Renderer:
    """WeasyPrint with the theme's stylesheets and fonts loaded once."""

    def __init__(self, settings: Settings):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.settings = settings
        self.fetcher = theme_fetcher(settings.folders)
        self.fonts = FontConfiguration()
        paths = [_find(settings.folders, name) for name in settings.stylesheets]
        with _captured() as self.pending:
            self.stylesheets = [CSS(url=path.as_uri(), url_fetcher=self.fetcher,
                                    font_config=self.fonts) for path in paths]
        self.families = set().union(*(font_face_families(p.read_text("utf-8")) for p in paths))

    def render(self, job: Job) -> tuple[bytes, list[tuple[int, str]]]:
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        options = dict(stylesheets=self.stylesheets, pdf_identifier=job.identifier,
                       pdf_variant=self.settings.variant)
        with _captured() as logged:
            try:
                html = HTML(string=job.html, base_url=self.settings.base_url,
                            url_fetcher=self.fetcher)
                document = html.render(font_config=self.fonts, **options)
                with warnings.catch_warnings():
                    # WeasyPrint 70 leaves its sRGB profile file open for PDF/A.
                    warnings.simplefilter("ignore", ResourceWarning)
                    pdf = document.write_pdf(**options)
            except FatalURLFetchingError as exc:
                cause = exc.__cause__ or exc
                raise RenderError(f"{job.name}: {cause}") from None
        self._check_fonts(job, document)
        logged[:0], self.pending = self.pending, []
        return pdf, logged

    def _check_fonts(self, job: Job, document) -> None:
        """Every font in the PDF must be a theme font: a system font means a missing glyph."""
        foreign = sorted({font.family for font in document.fonts.values()
                          if font.family not in self.families})
        if foreign:
            missing = "".join(sorted(_missing_characters(job.html, self.fetcher.fonts)))
            raise MissingGlyphs(job.name, missing, ", ".join(foreign))


def _missing_characters(html: str, fonts: list[bytes]) -> set[str]:
    """Characters of the document's text that none of the theme's fonts has."""
    import html as html_lib
    import io
    import re

    from fontTools.ttLib import TTFont

    covered = set()
    for data in fonts:
        covered |= set(TTFont(io.BytesIO(data)).getBestCmap())
    text = html_lib.unescape(re.sub(r"<[^>]*>", " ", html))
    return {c for c in text if ord(c) not in covered and not c.isspace()}


def font_face_families(css: str) -> set[str]:
    """The families a stylesheet defines with ``@font-face``."""
    import tinycss2

    families = set()
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content:
            for declaration in tinycss2.parse_blocks_contents(rule.content):
                if declaration.type == "declaration" and declaration.lower_name == "font-family":
                    families.add(tinycss2.serialize(declaration.value).strip().strip("\"'"))
    return families


class _captured:
    """Collect WeasyPrint's warnings (and keep them from being printed twice)."""

    def __enter__(self) -> list[tuple[int, str]]:
        self.records: list[tuple[int, str]] = []
        self.logger = logging.getLogger("weasyprint")
        self.handler = _ListHandler(self.records)
        self.propagate = self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        return self.records

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate


class _ListHandler(logging.Handler):
    def __init__(self, records: list):
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


# -- the URL fetcher ----------------------------------------------------------------------------

def _find(folders: Iterable[str], name: str) -> Path:
    """The theme file ``name``, the handbook's override first (as ``Theme.find``)."""
    for folder in map(Path, folders):
        candidate = (folder / name).resolve()
        if candidate.is_relative_to(folder) and candidate.is_file():
            return candidate
    raise FileNotFoundError(name)


def theme_fetcher(folders: tuple[str, ...]):
    """A WeasyPrint URL fetcher that serves the theme's files and ``data:`` URLs only."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [Path(f).resolve() for f in folders]

    class ThemeFetcher(URLFetcher):
        """Refuses every URL but ``data:`` and files inside the theme's folders."""

        def __init__(self):
            super().__init__(fail_on_errors=True, allow_redirects=False,
                             allowed_protocols=("data", "file"))
            self.fonts: list[bytes] = []  # the font files served, to explain a missing glyph

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                relative = self._theme_name(Path(unquote(urlsplit(url).path)))
                if relative is not None:
                    return self._serve(url, relative)
            raise ValueError(f"refusing to fetch {url}: only the theme's own files "
                             f"and data: URLs may be used in a PDF")

        def _theme_name(self, path: Path) -> str | None:
            path = Path(os.path.normpath(path))
            for root in roots:
                if path.is_relative_to(root):
                    return path.relative_to(root).as_posix()
            return None

        def _serve(self, url: str, relative: str):
            import mimetypes

            path = _find(roots, relative)  # FileNotFoundError fails the render
            body = path.read_bytes()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix.lower() in (".ttf", ".otf", ".woff", ".woff2"):
                self.fonts.append(body)
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return ThemeFetcher()
