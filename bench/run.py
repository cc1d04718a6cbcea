"""The benchmark: rolebook, Hugo and MkDocs side by side on synthetic handbooks.

    python bench/run.py --sizes 100,1000,10000

For each size it generates the handbook (``generate.py``) unless the same
generator already made it, then runs each measurement with the tools
alternating (rolebook, hugo, mkdocs, rolebook, hugo, …) so that a change in
the machine's load touches all of them alike:

1. cold build (fresh output folder, fresh caches; rolebook ``--no-pdf``);
2. no-op rebuild into that output;
3. rebuild after one role changed (the same duty edited in each tool's copy);
4. rebuild after a template changed (rolebook: a handbook override of the
   theme's role template, ``--template``; Hugo: the role layout; MkDocs: the
   theme override ``main.html``);
5. rolebook only, at the ``--pdf-sizes``: cold builds with PDFs, ``-j 1``
   against ``-j 2``, and a no-op rebuild with PDFs;

and, once, the start-up time of ``rolebook --help``. Raw results are kept
in ``bench/results.json`` (a later run of some sizes replaces only
those sizes); ``report.py`` turns them into ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import report  # noqa: E402
from measure import capture, run  # noqa: E402
from tools import (TOOLS, Hugo, HugoSearch, HugoWithoutCharts, Rolebook, SizeDir,  # noqa: E402
                   edit_role, edit_template, hugo_binary, python_version, script)

REPO = BENCH.parent
RESULTS = BENCH / "results.json"  # committed with RESULTS.md: a run of one size keeps the others


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {"sizes": {}}
    for note in args.note:
        size, _, text = note.partition(":")
        results["sizes"][str(_ints(size)[0])].setdefault("notes", []).append(text.strip())
        args.report_only = True
    if args.note:
        save(results, tuple(results["sizes"]))
    if not args.report_only:
        Rolebook.template = args.template
        if not args.no_snapshot:
            use_snapshot()
        args.code = commit()  # the version the snapshot holds, before the checkout moves on
        results["machine"] = machine() | {"rolebook_commit": args.code}
        for n in args.sizes:
            size = prepare(n)
            results["sizes"][str(n)] = bench_size(size, args)
            save(results, (str(n),))
        if args.help_runs:
            results["startup"] = startup(args.help_runs, args.timeout)
        save(results, tuple(str(n) for n in args.sizes))
    report.write(results, args.results)
    print(f"wrote {args.results}", file=sys.stderr)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", type=_ints,
                        help="role counts, comma-separated (default: 100,1000)")
    parser.add_argument("--reps", type=int,
                        help="runs of each measurement per tool (default: 3 up to 1,000 roles, 1 above)")
    parser.add_argument("--tools", default="rolebook,hugo,mkdocs",
                        type=lambda s: [t for t in s.split(",") if t])
    parser.add_argument("--only", default="cold,search,nocharts,pagefind,noop,role,template",
                        type=lambda s: set(s.split(",")),
                        help="measurements to run (default: all of cold,search,nocharts,pagefind,"
                             "noop,role,template; the others need cold; search: Hugo's cold build "
                             "then Pagefind, in turn with the cold builds; nocharts: Hugo's cold "
                             "build without the salary charts, in turn with them)")
    parser.add_argument("--template", default="html/role.html",
                        help="theme template that the rolebook override extends (default: html/role.html)")
    parser.add_argument("--pdf-sizes", default="100", type=_ints,
                        help="sizes at which PDFs are measured (default: 100; empty: none)")
    parser.add_argument("--pdf-reps", type=int, default=2, help="runs of each PDF measurement (default: 2)")
    parser.add_argument("--help-runs", type=int, default=30,
                        help="runs of `rolebook --help` (default: 30; 0: skip)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the installed rolebook, not a copy of the checkout made at the start")
    parser.add_argument("--note", action="append", default=[], metavar="SIZE:TEXT",
                        help="add a remark to the results of SIZE (kept in results.json; implies "
                             "--report-only)")
    parser.add_argument("--report-only", action="store_true",
                        help="only rewrite RESULTS.md from bench/results.json")
    return parser.parse_args(argv)


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def save(results: dict, measured: tuple[str, ...] = ()) -> None:
    """Write the results: the sizes ``measured`` now, the others as they are on disk
    (another run, or a ``--note``, may have changed them in the meantime)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if RESULTS.is_file():
        on_disk = json.loads(RESULTS.read_text()).get("sizes", {})
        results["sizes"] = on_disk | {n: results["sizes"][n] for n in measured}
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- the machine and the versions ---------------------------------------------------

SNAPSHOT = generate.WORK / "snapshot"


def use_snapshot() -> None:
    """Copy rolebook's code and theme as they are now and run that copy.

    The checkout may change while a long benchmark runs (others work in it);
    a copy keeps every run of this benchmark on the same version. Children
    find the copy first on PYTHONPATH; the theme is found beside it, as in a
    source checkout.
    """
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "src" / "rolebook", SNAPSHOT / "src" / "rolebook", ignore=skip)
    shutil.copytree(REPO / "templates", SNAPSHOT / "templates", ignore=skip)
    compileall.compile_dir(SNAPSHOT / "src", quiet=1)  # no first run pays for compiling
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(SNAPSHOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


def snapshot_digest() -> str:
    """A short hash of the code under test (the snapshot's files), to tell versions apart."""
    if not SNAPSHOT.is_dir():
        return ""
    sha = hashlib.sha256()
    for path in sorted(p for p in SNAPSHOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        sha.update(path.relative_to(SNAPSHOT).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:12]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), "unknown")
    memory = next((line.split()[1] for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), "0")
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(int(memory) / 2**20, 1),
            "python": python_version(), "rolebook": capture([script("rolebook"), "--version"]),
            "rolebook_commit": commit(), "hugo": capture([hugo_binary(), "version"]),
            "mkdocs": capture([script("mkdocs"), "--version"])}


def commit() -> str:
    """HEAD of the repository, and whether the code under test has uncommitted changes."""
    head = capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    changed = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src", "templates"],
                             capture_output=True, text=True).stdout.strip()
    digest = snapshot_digest()
    return (head + (" with uncommitted changes in src/ or templates/" if changed else "")
            + (f" (code under test: snapshot {digest})" if digest else ""))


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


# -- one size -------------------------------------------------------------------------

def prepare(n: int) -> SizeDir:
    """The generated handbook of ``n`` roles, generated now if missing or stale."""
    root = generate.WORK / f"roles-{n}"
    info_path = root / "bench.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    if info.get("generator") != generate.GENERATOR_VERSION or info.get("roles") != n:
        log(f"generating {n} roles into {root}")
        info = generate.generate(n, root)
    return SizeDir(root, info)


def bench_size(size: SizeDir, args: argparse.Namespace) -> dict:
    n = size.roles
    reps = args.reps or (3 if n <= 1000 else 1)
    tools = [TOOLS[name](size) for name in args.tools]
    rolebook = next((t for t in tools if isinstance(t, Rolebook)), None)
    result = {"roles": n, "reps": reps, "date": dt.datetime.now().isoformat(timespec="seconds"),
              "load_before": [round(x, 2) for x in os.getloadavg()], "commit": args.code,
              "template": args.template, "runs": {}, "outputs": {}, "notes": []}
    template_ok = rolebook is not None and theme_has(args.template)
    if rolebook is not None and not template_ok:
        result["notes"].append(f"the theme has no {args.template}: no rolebook template override")
    try:
        if template_ok:
            edit_template(rolebook, 0)  # the override exists for every build, as Hugo's layouts do
        measure_all(size, tools, rolebook, template_ok, reps, args, result)
    finally:
        restore(size, tools, rolebook, template_ok)
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def measure_all(size: SizeDir, tools: list, rolebook, template_ok: bool, reps: int,
                args: argparse.Namespace, result: dict) -> None:
    n, marker, runs = size.roles, size.info["marker"], result["runs"]
    # Hugo with the search index rolebook's build makes takes its turn with the cold builds.
    # So does Hugo without the salary charts (its role pages as they were before they drew them).
    hugo = any(isinstance(t, Hugo) for t in tools)
    variants = [variant(size) for variant, wanted in ((HugoSearch, "search"),
                                                      (HugoWithoutCharts, "nocharts"))
                if hugo and wanted in args.only]
    runs["cold"] = alternate(f"{n}: cold build", tools + variants, reps, lambda t: t.cold(), args)
    result["outputs"] = {t.name: outputs(size.out(t.name)) for t in tools}
    if rolebook is not None and "pagefind" in args.only:
        runs["pagefind"] = {"rolebook": [search_index_alone(size, rolebook, args)]}
    built = [t for t in tools if any(r["ok"] for r in runs["cold"][t.name])]
    for t in tools:
        if t not in built:
            result["notes"].append(f"{t.name}: every cold build failed; its rebuilds were not run")
    if "noop" in args.only:
        runs["noop"] = alternate(f"{n}: no-op rebuild", built, reps, lambda t: t.rebuild(), args)
    if "role" in args.only:
        runs["role"] = alternate(f"{n}: one role changed", built, reps, lambda t: t.rebuild(), args,
                                 prepare=lambda t, k: edit_role(t, marker, k + 1))
    edited = [t for t in built if template_ok or not isinstance(t, Rolebook)]
    if "template" in args.only:
        runs["template"] = alternate(f"{n}: template changed", edited, reps,
                                     lambda t: t.after_template_edit(), args,
                                     prepare=lambda t, k: edit_template(t, k + 1))
    if rolebook is not None and n in args.pdf_sizes and rolebook in built:
        result["pdf"] = measure_pdfs(size, rolebook, args)


def search_index_alone(size: SizeDir, rolebook: Rolebook, args: argparse.Namespace) -> dict:
    """Pagefind's command line indexing the pages of rolebook's cold build that rolebook
    indexes (role pages, articles): the part of the cold build neither Hugo nor MkDocs does."""
    bundle = size.cache("pagefind-alone")
    shutil.rmtree(bundle, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(size.out(rolebook.name)),
               "--glob", "{roles,articles}/*/index.html", "--output-path", str(bundle), "--quiet"]
    return timed(f"{size.roles}: Pagefind alone on rolebook's pages", command, dict(os.environ),
                 args.timeout)


def measure_pdfs(size: SizeDir, rolebook: Rolebook, args: argparse.Namespace) -> dict:
    """Cold builds with PDFs on one core and on two, then a no-op rebuild with PDFs."""
    n, runs = size.roles, {}
    for k in range(args.pdf_reps):
        for jobs in (1, 2):
            command = rolebook.cold(pdf=True, jobs=jobs)
            runs.setdefault(f"cold_j{jobs}", []).append(
                timed(f"{n}: cold build with PDFs -j {jobs} ({k + 1}/{args.pdf_reps})", command,
                      rolebook.env(), args.timeout))
    pdfs = sorted((size.out("rolebook") / "pdf").glob("*.pdf"))
    before = {p.name: p.stat().st_mtime_ns for p in pdfs}
    runs["noop"] = [timed(f"{n}: no-op rebuild with PDFs ({k + 1}/{args.reps or 3})",
                          rolebook.build(pdf=True), rolebook.env(), args.timeout)
                    for k in range(args.reps or 3)]
    # A reused PDF keeps its modification time (hard link or copy2); a rendered one gets a new one.
    after = {p.name: p.stat().st_mtime_ns for p in (size.out("rolebook") / "pdf").glob("*.pdf")}
    rendered = sum(1 for name, mtime in after.items() if before.get(name) != mtime)
    return {"runs": runs, "pdf_files": len(pdfs), "pdf_bytes": sum(p.stat().st_size for p in pdfs),
            "pdfs_rendered_by_noop": rendered}


def alternate(label: str, tools: list, reps: int, command, args: argparse.Namespace,
              prepare=None) -> dict[str, list[dict]]:
    """Run every tool ``reps`` times, the tools taking turns; ``prepare`` edits before a run."""
    runs: dict[str, list[dict]] = {t.name: [] for t in tools}
    for k in range(reps):
        for tool in tools:
            if prepare is not None:
                prepare(tool, k)
            runs[tool.name].append(timed(f"{label}, {tool.name} ({k + 1}/{reps})", command(tool),
                                         tool.env(), args.timeout))
    return runs


def timed(label: str, command: list[str], env: dict, timeout: float) -> dict:
    result = run(command, env=env, timeout=timeout)
    status = "ok" if result.ok else f"FAILED (exit {result.returncode})"
    log(f"{label}: {result.seconds:.2f} s, {result.max_rss_kib / 1024:.0f} MiB, {status}")
    if not result.ok:
        print("    " + "\n    ".join(result.output.strip().splitlines()[-5:]), file=sys.stderr)
    return result.as_dict()


def restore(size: SizeDir, tools: list, rolebook, template_ok: bool) -> None:
    """Put the generated sources back as generate.py wrote them."""
    for tool in tools:
        edit_role(tool, size.info["marker"], 0)
        if not isinstance(tool, Rolebook):
            edit_template(tool, 0)
    if rolebook is not None and template_ok:
        override = rolebook.template_file()
        override.unlink(missing_ok=True)
        for folder in override.parents:
            if folder == rolebook.source() or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def theme_has(template: str) -> bool:
    if SNAPSHOT.is_dir() and "PYTHONPATH" in os.environ and str(SNAPSHOT) in os.environ["PYTHONPATH"]:
        return (SNAPSHOT / "templates" / template).is_file()
    try:
        from rolebook.theme import packaged_theme
    except ImportError:
        return False
    return (packaged_theme() / template).is_file()


def outputs(folder: Path) -> dict:
    """Files, bytes and the largest HTML pages of a built site."""
    if not folder.is_dir():
        return {}
    files = [p for p in folder.rglob("*") if p.is_file()]
    html = sorted(((p.stat().st_size, p.relative_to(folder).as_posix()) for p in files
                   if p.suffix == ".html"), reverse=True)
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files), "html_pages": len(html),
            "largest_html": [{"path": path, "bytes": size} for size, path in html[:3]]}


# -- start-up -----------------------------------------------------------------------------

def startup(count: int, timeout: float) -> dict:
    """`rolebook --help`, after three warm-up runs, ``count`` times; Python's own start for scale."""
    log(f"rolebook --help x {count}")
    result = {}
    for name, command in (("rolebook_help", [script("rolebook"), "--help"]),
                          ("python", [sys.executable, "-c", "pass"])):
        for _ in range(3):
            run(command, timeout=timeout)
        runs = [run(command, timeout=timeout) for _ in range(count)]
        ok = [r.seconds for r in runs if r.ok]
        result[name] = {"runs": count, "failed": count - len(ok),
                        "median": statistics.median(ok) if ok else None,
                        "min": min(ok) if ok else None, "max": max(ok) if ok else None,
                        "error": next((r.output[-500:] for r in runs if not r.ok), "")}
    return result


if __name__ == "__main__":
    main()
