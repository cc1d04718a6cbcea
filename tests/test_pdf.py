"""The official PDF job descriptions, as HR gets them: text, fonts, metadata, bytes.

Also: nothing outside the theme is fetched, unchanged PDFs are not rendered
again, and any WeasyPrint warning fails the test that caused it.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

import rolebook
from rolebook.render import pdf as pdf_stage

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "content" / "sources"
SECTIONS = ["1. Общие положения", "2. Функции", "3. Должностные обязанности", "4. Права",
            "5. Ответственность", "6. Взаимоотношения (связи по должности)"]
HEADINGS = {
    "account-manager": "аккаунт-менеджера",
    "key-account-manager": "менеджера по работе с ключевыми клиентами",
    "client-manager": "менеджера по работе с клиентами",
    "sales-manager": "менеджера по продажам",
    "head-of-client-service": "руководителя отдела по работе с клиентами",
    "head-of-sales": "руководителя отдела продаж",
    "client-service-director": "директора по работе с клиентами",
}


# -- helpers ---------------------------------------------------------------------------

class FailOnWarnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def weasyprint_warnings():
    """Every test here fails if WeasyPrint warned (a missing font or image, bad CSS)."""
    handler = FailOnWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)
    assert not [r.getMessage() for r in handler.records if not getattr(r, "expected", False)]


def squash(text: str) -> str:
    """Text without spaces and hyphens: line breaks and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad\u00a0]+", "", text).lower()


def pdf_text(path: Path) -> str:
    """The text of a PDF in reading order, without page numbers and the «Образец»
    footer, so that a clause broken across pages reads as one."""
    pages = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    return "\n".join(line for line in "\n".join(pages).splitlines()
                     if not line.strip().isdigit() and not line.strip().startswith("Образец."))


def contains(text: str, phrase: str) -> bool:
    return squash(phrase) in squash(text)


@pytest.fixture(scope="module")
def texts(built_site, catalog):
    return {role_id: pdf_text(built_site / "pdf" / f"{role_id}.pdf") for role_id in catalog.roles}


def build_copy(root: Path, **options) -> rolebook.BuildReport:
    return rolebook.build(root, rolebook.BuildOptions(out=root / "site", **options))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


# -- what HR gets ----------------------------------------------------------------------------

def test_every_role_has_its_pdf(built_site, catalog):
    assert sorted(p.stem for p in (built_site / "pdf").glob("*.pdf")) == sorted(catalog.roles)


def test_a_made_up_organisation_is_marked_on_every_page(built_site):
    reader = pypdf.PdfReader(built_site / "pdf" / "client-manager.pdf")
    for page in reader.pages:
        assert "Образец. Организация и реквизиты условные" in page.extract_text()


@pytest.mark.parametrize("role_id", sorted(HEADINGS))
def test_the_document_reads_as_a_job_description(texts, catalog, role_id):
    text, role = texts[role_id], catalog.role(role_id)
    for phrase in ["Общество с ограниченной ответственностью «Пример»", "ДОЛЖНОСТНАЯ ИНСТРУКЦИЯ",
                   f"01.09.2025 № ДИ-{role.code}-01", "г. Москва", HEADINGS[role_id],
                   "УТВЕРЖДАЮ", "Генеральный директор ООО «Пример»", "И.И. Иванов",
                   *SECTIONS, "СОГЛАСОВАНО", "С должностной инструкцией ознакомлен(а)",
                   "ЛИСТ ОЗНАКОМЛЕНИЯ", f"с должностной инструкцией {HEADINGS[role_id]} от "
                   f"01.09.2025 № ДИ-{role.code}-01", "Фамилия, имя, отчество"]:
        assert contains(text, phrase), phrase
    for duty in role.duties:
        assert contains(text, duty), duty
    if not role.rights:
        assert contains(text, "Права работника в справочнике должностей не определены (нет данных)")


def test_duties_and_rights_taken_from_the_seeds(texts):
    seed_001 = (SEEDS / "001_211f77155229c115.txt").read_text(encoding="utf-8")
    seed_002 = (SEEDS / "002_7e7140f67619050c.txt").read_text(encoding="utf-8")
    assert "Быстрое рассмотрение жалоб ключевых клиентов" in seed_001
    assert contains(texts["key-account-manager"],
                    "Быстро рассматривает жалобы ключевых клиентов и незамедлительно на них реагирует")
    assert "депремировать персонал" in seed_002
    assert contains(texts["head-of-sales"], "Депремировать персонал отдела")


@pytest.mark.parametrize("role_id", sorted(HEADINGS))
def test_the_signatures_share_their_page_with_the_end_of_the_text(built_site, catalog, role_id):
    """A signature page without the text it signs invites a page put in its place:
    the last lines of the body go over to the signatures' page with them."""
    developer = squash(catalog.handbook.document.developer.position)
    pages = [page.extract_text() for page in pypdf.PdfReader(built_site / "pdf" / f"{role_id}.pdf").pages]
    page = next(text for text in pages if contains(text, "С должностной инструкцией ознакомлен"))
    before = squash(page.split("«____»")[0])
    assert before.endswith(developer), before[-80:]
    assert len(before) - len(developer) > 40, f"only the signatures on the page: {before!r}"


def test_page_numbers_from_page_two(built_site):
    reader = pypdf.PdfReader(built_site / "pdf" / "key-account-manager.pdf")
    assert len(reader.pages) >= 3
    first = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert "1" not in first
    for number, page in enumerate(reader.pages[1:], 2):
        assert str(number) in [line.strip() for line in page.extract_text().splitlines()]


def test_fonts_are_the_theme_font_and_embedded(built_site, catalog):
    for role_id in catalog.roles:
        listing = subprocess.run(["pdffonts", str(built_site / "pdf" / f"{role_id}.pdf")],
                                 check=True, capture_output=True, text=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows
        for row in rows:
            assert "Rolebook-Serif" in row[0], row
            assert row[-5:-3] == ["yes", "yes"], row  # embedded, subset


def test_metadata_and_bookmarks(built_site):
    reader = pypdf.PdfReader(built_site / "pdf" / "head-of-sales.pdf")
    assert reader.metadata.title == "Должностная инструкция руководителя отдела продаж"
    assert reader.metadata.author == "Общество с ограниченной ответственностью «Пример»"
    assert reader.metadata["/CreationDate"].startswith("D:20250901")
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:6] == SECTIONS
    assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in outline


def dark_pixels(path: Path, page: int, box: tuple[int, int, int, int]) -> int:
    """Dark pixels in ``box`` (x, y, width, height at 72 dpi) of a page, as printed."""
    x, y, width, height = map(str, box)
    image = subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page), "-l", str(page),
                            "-x", x, "-y", y, "-W", width, "-H", height, str(path)],
                           check=True, capture_output=True).stdout
    pixels = image.split(b"\n", 3)[3]  # P5 header: magic, size, maximum
    return sum(1 for value in pixels if value < 128)


def test_the_qr_code_is_at_the_bottom_right_of_page_one_only(built_site):
    path = built_site / "pdf" / "sales-manager.pdf"
    corner = (420, 780, 175, 62)  # bottom right, below the text area
    assert dark_pixels(path, 1, corner) > 400
    assert dark_pixels(path, 2, corner) == 0


def test_the_qr_code_reads_as_the_role_page(built_site, tmp_path):
    """Printed at 300 dpi, the code decodes (zbarimg, as a phone would) to the role's page."""
    subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", "-singlefile",
                    str(built_site / "pdf" / "key-account-manager.pdf"), str(tmp_path / "page")],
                   check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True).stdout.split()
    assert decoded == ["https://handbook.example.ru/roles/key-account-manager/"]


def test_same_content_gives_the_same_bytes(built_site, tmp_path, catalog):
    again = tmp_path / "again"
    rolebook.build(REPO, rolebook.BuildOptions(out=again))
    for role_id in catalog.roles:
        name = f"pdf/{role_id}.pdf"
        assert (again / name).read_bytes() == (built_site / name).read_bytes(), name


# -- other handbooks: profile, approval by order, PDF/A, employees, revisions -----------------

def test_profile_2016_order_approval_pdfa_employees_and_revisions(handbook_copy):
    content = handbook_copy / "content"
    edit(content / "handbook.yaml", "profile: gost-2025", "profile: gost-2016")
    edit(content / "handbook.yaml", """  approval:
    by: official
    position: Генеральный директор ООО «Пример»
    name: И.И. Иванов""", """  approval:
    by: order
    order_number: 45-к
    order_date: 2025-06-05""")
    edit(content / "handbook.yaml", "  qr: true", "  qr: true\n  pdfa: true\n"
                                                 "  employees: employees.csv")
    (content / "employees.csv").write_text(
        "Должность;ФИО\nsales-manager;Петров Пётр Петрович\n"
        "Менеджер по продажам;Сидорова Анна Ивановна\nhead-of-sales;Орлов Олег Олегович\n",
        encoding="utf-8-sig")
    append(content / "roles" / "sales-manager.yaml",
           "revisions:\n  - {number: 1, basis: Приказ от 01.02.2026 № 7-к, date: 2026-02-01}\n")

    build_copy(handbook_copy, roles=("sales-manager",))
    path = handbook_copy / "site" / "pdf" / "sales-manager.pdf"
    text = pdf_text(path)
    for phrase in ["УТВЕРЖДЕНА", "приказом ООО «Пример»", "от 05.06.2025 № 45-к",
                   "01.09.2025 № ДИ-МП-02", "Петров Пётр Петрович", "Сидорова Анна Ивановна",
                   "ЛИСТ РЕГИСТРАЦИИ ИЗМЕНЕНИЙ", "Приказ от 01.02.2026 № 7-к", "01.02.2026"]:
        assert contains(text, phrase), phrase
    assert not contains(text, "Орлов") and not contains(text, "УТВЕРЖДАЮ")
    reader = pypdf.PdfReader(path)
    assert 'pdfaid:part="2"' in reader.trailer["/Root"]["/Metadata"].get_data().decode() or \
        "<pdfaid:part>2</pdfaid:part>" in reader.trailer["/Root"]["/Metadata"].get_data().decode()
    assert not [x for x in reader.pages[0]["/Resources"].get("/XObject", {}).values()], \
        "the 2016 profile has no QR code"
    assert reader.metadata["/ModDate"].startswith("D:20260201")


def test_a_missing_employees_file_is_a_content_error(handbook_copy):
    edit(handbook_copy / "content" / "handbook.yaml", "  qr: true",
         "  qr: true\n  employees: ../../etc/passwd")
    with pytest.raises(rolebook.ContentError, match="document.employees"):
        build_copy(handbook_copy, roles=("sales-manager",))


def test_an_unknown_role_is_an_error(handbook_copy):
    with pytest.raises(rolebook.RolebookError, match="unknown role 'no-such-role'"):
        build_copy(handbook_copy, roles=("no-such-role",))


# -- incremental ---------------------------------------------------------------------------------

def pdfs(names):
    return sorted(n for n in names if n.startswith("pdf/"))


def test_unchanged_pdfs_are_reused_and_a_changed_role_renders_alone(handbook_copy, catalog):
    first = build_copy(handbook_copy)
    assert len(pdfs(first.written)) == len(catalog.roles)
    second = build_copy(handbook_copy)
    assert pdfs(second.written) == [] and len(pdfs(second.reused)) == len(catalog.roles)

    role = catalog.role("account-manager")
    edit(handbook_copy / "content" / "roles" / "account-manager.yaml",
         role.duties[0], role.duties[0] + " по согласованию с руководителем")
    third = build_copy(handbook_copy)
    assert pdfs(third.written) == ["pdf/account-manager.pdf"]

    forced = build_copy(handbook_copy, force=True, roles=("head-of-sales",))
    assert pdfs(forced.written) == ["pdf/head-of-sales.pdf"]
    assert len(pdfs(forced.reused)) == len(catalog.roles) - 1


def test_a_renamed_boss_renews_the_pdfs_that_name_it(handbook_copy):
    build_copy(handbook_copy)
    edit(handbook_copy / "content" / "roles" / "head-of-sales.yaml",
         "title: Руководитель отдела продаж", "title: Начальник отдела продаж")
    report = build_copy(handbook_copy)
    assert pdfs(report.written) == ["pdf/head-of-sales.pdf", "pdf/sales-manager.pdf"]
    assert contains(pdf_text(handbook_copy / "site" / "pdf" / "sales-manager.pdf"),
                    "подчиняется непосредственно начальнику отдела продаж")


# -- safety ----------------------------------------------------------------------------------------

HOSTILE = """Показатель считается ежемесячно.

<img src="file:///etc/passwd"> ![схема](http://127.0.0.1:9/x.png) <script>alert(1)</script>
<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><iframe src="file:///etc/passwd"></iframe>
<style>@import url(file:///etc/passwd); body {background: url(http://127.0.0.1:9/b.png)}</style>
"""


def test_hostile_markdown_pulls_nothing_in(handbook_copy, monkeypatch):
    path = handbook_copy / "content" / "roles" / "key-account-manager.yaml"
    text = path.read_text(encoding="utf-8")
    block = "    description: |\n" + "".join(f"      {line}\n" for line in HOSTILE.splitlines())
    text = text.replace("    unit: шт.\n", "    unit: шт.\n" + block, 1)
    path.write_text(text, encoding="utf-8")
    asked = []
    original = pdf_stage.Renderer.render
    monkeypatch.setattr(pdf_stage.Renderer, "render",
                        lambda self, job: (asked.append(job.html), original(self, job))[1])
    build_copy(handbook_copy, roles=("key-account-manager",), jobs=1)
    [html] = asked
    assert "Показатель считается ежемесячно" in html
    for needle in ("file:", "127.0.0.1", "<script", "<link", "@import", "<iframe", "<style"):
        assert needle not in html, needle
    assert html.count("<img") == 1 and 'src="data:image/svg+xml' in html  # the QR code only
    result = pdf_text(handbook_copy / "site" / "pdf" / "key-account-manager.pdf")
    assert contains(result, "Показатель считается ежемесячно") and "root:" not in result


@pytest.fixture(scope="module")
def renderer(catalog):
    from rolebook.theme import Theme

    return pdf_stage.Renderer(pdf_stage.worker_settings(catalog, Theme(REPO)))


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="../../../../../../etc/passwd">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<style>@import url("http://127.0.0.1:9/x.css");</style><p>x</p>',
    '<p style="background: url(file:///etc/hostname)">x</p>',
    '<img src="no-such-file-in-the-theme.png">',
])
def test_the_fetcher_refuses_everything_but_theme_files_and_fails_the_render(renderer, html):
    job = pdf_stage.Job("pdf/x.pdf", f"<html lang=ru><body>{html}</body></html>", b"x", "k")
    with pytest.raises(pdf_stage.RenderError, match="pdf/x.pdf"):
        renderer.render(job)


def test_the_fetcher_serves_theme_files_and_data_urls(renderer):
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
             "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    html = (f'<html lang=ru><body><img src="{pixel}"><img src="../assets/fonts/../../pdf/x.svg">'
            f'</body></html>')
    with pytest.raises(pdf_stage.RenderError, match="x.svg"):  # not in the theme: refused
        renderer.render(pdf_stage.Job("pdf/x.pdf", html, b"x", "k"))
    pdf, warnings = renderer.render(pdf_stage.Job(
        "pdf/x.pdf", f'<html lang=ru><body><p>Тест</p><img src="{pixel}"></body></html>', b"x", "k"))
    assert pdf.startswith(b"%PDF") and warnings == []


def test_weasyprint_warnings_reach_the_log(handbook_copy, weasyprint_warnings):
    """The log handler above can fail: a stylesheet WeasyPrint warns about is reported."""
    override = handbook_copy / "templates" / "pdf" / "jobdesc.css"
    override.parent.mkdir(parents=True)
    shutil.copy(REPO / "templates" / "pdf" / "jobdesc.css", override)
    append(override, "\np { colour-of-ink: blue; }\n")
    build_copy(handbook_copy, roles=("sales-manager",), jobs=1)
    assert any("colour-of-ink" in r.getMessage() for r in weasyprint_warnings)
    for record in weasyprint_warnings:
        record.expected = True
