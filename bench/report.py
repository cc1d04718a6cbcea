"""The report: raw results (``bench/results.json``) in, ``bench/RESULTS.md`` out.

A table per size with the median of each measurement per tool (the range of
the runs beside it) and the ratio rolebook / Hugo, the PDF measurements, the
start-up time, then every target of the performance issue marked met or not
met with the numbers that decide it, and the errors of failed runs.
"""

from __future__ import annotations

import statistics
from pathlib import Path

TOOLS = [("rolebook", "rolebook"), ("hugo", "Hugo"), ("mkdocs", "MkDocs")]
SCENARIOS = [("cold", "cold build, HTML only"), ("noop", "no-op rebuild"),
             ("role", "rebuild after one role changed"), ("template", "rebuild after a template changed")]
# Hugo's cold build followed by Pagefind on its role pages and articles (tools.HugoSearch):
# the same site as rolebook's, search index included.
SEARCHED = "cold build with a search index (rolebook's own; Hugo's: Pagefind after it)"
# Hugo's cold build without the salary charts on its role pages (tools.HugoWithoutCharts).
UNCHARTED = "cold build, Hugo's role pages without the salary charts"
# The cold-build variants of Hugo: (tool name, row label).
VARIANTS = [("hugo+pagefind", SEARCHED), ("hugo-no-charts", UNCHARTED)]
MB = 1_000_000
GIB = 2**30


def stat(runs: list[dict] | None) -> dict | None:
    """Median, min and max seconds and peak memory of the successful runs, or the failure."""
    if not runs:
        return None
    ok = [r for r in runs if r["ok"]]
    seconds = [r["seconds"] for r in ok]
    return {"n": len(runs), "ok": len(ok), "median": statistics.median(seconds) if ok else None,
            "min": min(seconds, default=None), "max": max(seconds, default=None),
            "rss": max((r["max_rss_kib"] for r in ok), default=None),
            "cpu": statistics.median(cpu) if (cpu := [r["cpu_seconds"] for r in ok if "cpu_seconds" in r])
            else None,
            "error": next((_last_lines(r["output"]) for r in runs if not r["ok"]), ""),
            "failed_seconds": max((r["seconds"] for r in runs if not r["ok"]), default=None),
            "failed_rss": max((r["max_rss_kib"] for r in runs if not r["ok"]), default=None)}


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:])[-400:]


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def cell(s: dict | None) -> str:
    if s is None:
        return "not run"
    if not s["ok"]:
        return f"**failed** ({s['n']} of {s['n']}; after {seconds(s['failed_seconds'])})"
    text = seconds(s["median"])
    if s["ok"] > 1:
        text += f" ({seconds(s['min']).removesuffix(' s')}–{seconds(s['max'])})"
    if s["ok"] < s["n"]:
        text += f", {s['n'] - s['ok']} of {s['n']} failed"
    return text


def ratio(a: dict | None, b: dict | None) -> float | None:
    if not a or not b or a["median"] is None or not b["median"]:
        return None
    return a["median"] / b["median"]


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:,.0f} MiB"


def size_table(size: dict) -> list[str]:
    runs = size["runs"]
    head = ["| measurement | " + " | ".join(label for _, label in TOOLS) + " | rolebook / Hugo |",
            "|---|" + "---|" * (len(TOOLS) + 1)]
    rows = []
    for key, label in SCENARIOS:
        stats = {name: stat(runs.get(key, {}).get(name)) for name, _ in TOOLS}
        rows.append(f"| {label} | " + " | ".join(cell(stats[name]) for name, _ in TOOLS)
                    + f" | {fmt_ratio(ratio(stats['rolebook'], stats['hugo']))} |")
    cold = {name: stat(runs.get("cold", {}).get(name)) for name, _ in TOOLS}
    for name, label in VARIANTS:
        variant = stat(runs.get("cold", {}).get(name))
        if variant:
            rows.append(f"| {label} | {cell(cold['rolebook'])} | "
                        f"{cell(variant)} | — | {fmt_ratio(ratio(cold['rolebook'], variant))} |")
    rss = {name: (cold[name] or {}).get("rss") for name, _ in TOOLS}
    failed_rss = {name: (cold[name] or {}).get("failed_rss") for name, _ in TOOLS}
    rows.append("| peak memory (max RSS, cold build) | " + " | ".join(
        mib(rss[n]) if rss[n] or not failed_rss[n] else f"{mib(failed_rss[n])} when it failed"
        for n, _ in TOOLS)
                + f" | {fmt_ratio(rss['rolebook'] / rss['hugo'] if rss['rolebook'] and rss['hugo'] else None)} |")
    out = size.get("outputs", {})
    rows.append("| output: files / MB | " + " | ".join(
        f"{out[n]['files']:,} / {out[n]['bytes'] / MB:,.1f}" if out.get(n) else "—" for n, _ in TOOLS) + " | |")
    rows.append("| largest HTML page | " + " | ".join(
        f"{out[n]['largest_html'][0]['bytes'] / MB:.2f} MB" if out.get(n) and out[n]["largest_html"] else "—"
        for n, _ in TOOLS) + " | |")
    alone = stat(runs.get("pagefind", {}).get("rolebook"))
    if alone:
        rows.append("| of rolebook's cold build: the search index alone (Pagefind's command line "
                    f"on the same pages; wall / CPU) | {seconds(alone['median'])} / "
                    f"{seconds(alone.get('cpu'))} | — | — | |")
    return head + rows


def cpu_table(size: dict) -> list[str]:
    """CPU time of the same runs: less sensitive than wall time to other work on the machine."""
    runs = size["runs"]
    out = ["| CPU time (user + system), median | " + " | ".join(label for _, label in TOOLS) + " |",
           "|---|" + "---|" * len(TOOLS)]
    for key, label in SCENARIOS:
        stats = {name: stat(runs.get(key, {}).get(name)) for name, _ in TOOLS}
        out.append(f"| {label} | " + " | ".join(seconds((stats[n] or {}).get("cpu")) for n, _ in TOOLS) + " |")
    cold = stat(runs.get("cold", {}).get("rolebook"))
    for name, label in VARIANTS:
        variant = stat(runs.get("cold", {}).get(name))
        if variant:
            out.append(f"| {label} | {seconds((cold or {}).get('cpu'))} | "
                       f"{seconds(variant.get('cpu'))} | — |")
    return out


def pdf_table(pdf: dict) -> list[str]:
    runs = pdf["runs"]
    j1, j2, noop = stat(runs.get("cold_j1")), stat(runs.get("cold_j2")), stat(runs.get("noop"))
    speedup = ratio(j1, j2)
    written = [_written(r["output"]) for r in runs.get("noop", []) if r["ok"]]
    return ["| measurement (rolebook) | time |", "|---|---|",
            f"| cold build with PDFs, `-j 1` | {cell(j1)} |",
            f"| cold build with PDFs, `-j 2` | {cell(j2)} |",
            f"| speed-up of `-j 2` over `-j 1` | {fmt_ratio(speedup)} × |",
            f"| no-op rebuild with PDFs | {cell(noop)} |",
            f"| files written by the no-op rebuilds (of all files) | {', '.join(map(str, written)) or '—'} |",
            f"| PDFs rendered again by the no-op rebuilds | {pdf.get('pdfs_rendered_by_noop', '—')} |",
            f"| peak memory (max RSS of the largest process) | {mib((j2 or {}).get('rss'))} |",
            f"| PDFs in the output | {pdf['pdf_files']} ({pdf['pdf_bytes'] / MB:.1f} MB) |"]


def _written(output: str) -> str:
    """'N files written' from rolebook's last line, or '?'."""
    for line in reversed(output.splitlines()):
        if "files written" in line:
            return line.split(":")[-1].split("files written")[0].strip()
    return "?"


def _unchanged(output: str) -> int | None:
    """'M unchanged' from rolebook's last line."""
    for line in reversed(output.splitlines()):
        if line.rstrip(".").endswith("unchanged"):
            try:
                return int(line.rstrip(".").split(",")[-1].split()[0])
            except ValueError:
                return None
    return None


# -- targets -----------------------------------------------------------------------------

def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of the performance issue."""
    sizes = results.get("sizes", {})
    rows = []

    def s(n: int, key: str, tool: str) -> dict | None:
        return stat(sizes.get(str(n), {}).get("runs", {}).get(key, {}).get(tool))

    for n in (1000, 10000):
        rb, hugo = s(n, "cold", "rolebook"), s(n, "cold", "hugo")
        r = ratio(rb, hugo)
        target = f"cold HTML build at {n:,} roles no slower than Hugo (ratio ≤ 1.0)"
        if r is None and _unfinished_after(rb) and hugo and hugo["median"]:
            bound = rb["failed_seconds"] / hugo["median"]
            rows.append((target, f"> {bound:.2f} (rolebook stopped unfinished after "
                                 f"{seconds(rb['failed_seconds'])}, Hugo {seconds(hugo['median'])})",
                         "not met" if bound > 1.0 else "not measured"))
            continue
        rows.append((target, _measured(r, rb, hugo), _verdict(r, 1.0)))
    for n in sorted(map(int, sizes)):
        r = ratio(s(n, "noop", "rolebook"), s(n, "noop", "hugo"))
        rows.append((f"no-op rebuild ≤ 0.2 × Hugo's build of the same site ({n:,} roles)",
                     _measured(r, s(n, "noop", "rolebook"), s(n, "noop", "hugo")), _verdict(r, 0.2)))
    r = ratio(s(10000, "role", "rolebook"), s(10000, "cold", "rolebook"))
    rows.append(("one role changed at 10,000 roles ≤ 0.1 × rolebook's own cold build",
                 _measured(r, s(10000, "role", "rolebook"), s(10000, "cold", "rolebook"), "cold"),
                 _verdict(r, 0.1)))
    rows += pdf_targets(sizes)
    help_ = results.get("startup", {}).get("rolebook_help")
    median = help_.get("median") if help_ else None
    rows.append(("`rolebook --help` under 0.2 s",
                 f"median {seconds(median)} of {help_['runs']} runs" if help_ else "not measured",
                 "not measured" if median is None else "met" if median < 0.2 else "not met"))
    cold10k = s(10000, "cold", "rolebook")
    rss = cold10k["rss"] if cold10k else None
    if rss is None and _unfinished_after(cold10k) and cold10k["failed_rss"]:
        over = cold10k["failed_rss"] * 1024 >= GIB
        rows.append(("peak memory of a 10,000-role build under 1 GiB",
                     f"at least {mib(cold10k['failed_rss'])} (the build was stopped unfinished)",
                     "not met" if over else "not measured"))
    else:
        rows.append(("peak memory of a 10,000-role build under 1 GiB", mib(rss) if rss else "not measured",
                     "not measured" if rss is None else "met" if rss * 1024 < GIB else "not met"))
    largest = ((sizes.get("10000", {}).get("outputs", {}).get("rolebook") or {}).get("largest_html") or [None])[0]
    rows.append(("no HTML page of the 10,000-role handbook over 1 MB",
                 f"largest: {largest['path']}, {largest['bytes']:,} bytes" if largest else "not measured",
                 "not measured" if largest is None else "met" if largest["bytes"] < MB else "not met"))
    return rows


def pdf_targets(sizes: dict) -> list[tuple[str, str, str]]:
    pdf_sizes = [n for n in sorted(map(int, sizes)) if sizes[str(n)].get("pdf")]
    if not pdf_sizes:
        return [("PDFs: both cores ≥ 1.7 × faster than one", "not measured", "not measured"),
                ("PDFs: unchanged PDFs cost nothing", "not measured", "not measured")]
    n = pdf_sizes[0]
    runs = sizes[str(n)]["pdf"]["runs"]
    speedup = ratio(stat(runs.get("cold_j1")), stat(runs.get("cold_j2")))
    rows = [(f"PDFs: `-j 2` ≥ 1.7 × faster than `-j 1` ({n:,} roles)",
             f"{fmt_ratio(speedup)} × ({cell(stat(runs.get('cold_j1')))} vs {cell(stat(runs.get('cold_j2')))})",
             "not measured" if speedup is None else "met" if speedup >= 1.7 else "not met")]
    noop_pdf, noop_html = stat(runs.get("noop")), stat(sizes[str(n)]["runs"].get("noop", {}).get("rolebook"))
    written = [_written(r["output"]) for r in runs.get("noop", []) if r["ok"]]
    pdfs = sizes[str(n)]["pdf"]["pdf_files"]
    if noop_pdf is None or noop_pdf["median"] is None or noop_html is None or noop_html["median"] is None:
        rows.append(("PDFs: unchanged PDFs cost nothing", "not measured", "not measured"))
    else:
        extra = noop_pdf["median"] - noop_html["median"]
        rendered = sizes[str(n)]["pdf"].get("pdfs_rendered_by_noop")
        if rendered is None:  # older results: at most the PDFs that were not reported unchanged
            unchanged = [_unchanged(r["output"]) for r in runs.get("noop", []) if r["ok"]]
            rendered = max(0, pdfs - min(unchanged)) if unchanged and None not in unchanged else None
        # "Nothing": no PDF rendered again, and no more time than the noise of a no-op
        # rebuild (10 % of it, at least 0.25 s).
        ok = rendered == 0 and extra <= max(0.25, 0.1 * noop_html["median"])
        rows.append((f"PDFs: unchanged PDFs cost nothing ({n:,} roles, {pdfs} PDFs)",
                     f"no-op with PDFs {seconds(noop_pdf['median'])} vs without {seconds(noop_html['median'])} "
                     f"({extra:+.2f} s); PDFs rendered again: {rendered if rendered is not None else '?'}; "
                     f"files written (of all): {', '.join(written)}", "met" if ok else "not met"))
    return rows


def _unfinished_after(s: dict | None) -> bool:
    """Every run failed (stopped or crashed), so only a lower bound is known."""
    return bool(s) and not s["ok"] and s["failed_seconds"] is not None


def _measured(r: float | None, a: dict | None, b: dict | None, b_label: str = "Hugo") -> str:
    if r is None:
        return "not measured" if not a or not b else f"rolebook {cell(a)}, {b_label} {cell(b)}"
    return f"{r:.2f} (rolebook {seconds(a['median'])}, {b_label} {seconds(b['median'])})"


def _verdict(r: float | None, limit: float) -> str:
    return "not measured" if r is None else "met" if r <= limit else "not met"


# -- the document -------------------------------------------------------------------------

def write(results: dict, path: Path) -> None:
    path.write_text(render(results), encoding="utf-8")


def render(results: dict) -> str:
    m = results.get("machine", {})
    sizes = sorted(map(int, results.get("sizes", {})))
    lines = ["# Benchmark results", "",
             "Written by `python bench/run.py` (see `bench/README.md` for what each measurement means). "
             "Times are medians of the runs, the range of the runs in brackets; the tools took turns. "
             "The machine may have been shared with other work: each size gives the load average "
             "before and after its runs (a quiet 2-core machine shows less than 1), and the CPU "
             "times below each table are less affected by other work than the wall times.", "",
             f"- machine: {m.get('cores')} cores, {m.get('cpu')}, {m.get('memory_gib')} GiB",
             f"- rolebook: {m.get('rolebook')}, commit {m.get('rolebook_commit')}",
             f"- Hugo: {m.get('hugo')}", f"- MkDocs: {m.get('mkdocs')}", f"- Python: {m.get('python')}", ""]
    for n in sizes:
        size = results["sizes"][str(n)]
        lines += [f"## {n:,} roles", "",
                  f"Run {size['date']}, {size['reps']} run(s) per tool and measurement, commit {size['commit']}; "
                  f"load average before {size['load_before']}, after {size.get('load_after')}.", ""]
        lines += size_table(size) + [""] + cpu_table(size) + [""]
        if size.get("pdf"):
            lines += [f"PDFs ({n:,} roles):", ""] + pdf_table(size["pdf"]) + [""]
        lines += [f"- {note}" for note in size.get("notes", [])]
        lines += _errors(size) + [""]
    startup = results.get("startup")
    if startup:
        h, p = startup["rolebook_help"], startup["python"]
        lines += ["## Start-up", "",
                  f"`rolebook --help`: median {seconds(h['median'])} (min {seconds(h['min'])}, "
                  f"max {seconds(h['max'])}, {h['runs']} runs, {h['failed']} failed); "
                  f"`python -c pass` alone: median {seconds(p['median'])}.", ""]
    lines += ["## Targets (issue 6)", "", "| target | measured | result |", "|---|---|---|"]
    lines += [f"| {t} | {measured} | {'**' + v + '**' if v == 'not met' else v} |"
              for t, measured, v in targets(results)]
    return "\n".join(lines) + "\n"


def _errors(size: dict) -> list[str]:
    seen, out = set(), []
    groups = list(size["runs"].items()) + list((size.get("pdf") or {}).get("runs", {}).items())
    for key, by_tool in groups:
        pairs = by_tool.items() if isinstance(by_tool, dict) else [("rolebook", by_tool)]
        for tool, runs in pairs:
            s = stat(runs)
            if s and s["error"] and (tool, s["error"]) not in seen:
                seen.add((tool, s["error"]))
                out.append(f"- {tool}, {key}: failed: `{s['error']}`")
    return out
