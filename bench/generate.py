"""Generate a synthetic handbook three times over: as rolebook content, a Hugo site and an MkDocs site.

    python bench/generate.py --roles 1000            # -> bench/work/roles-1000/
    python bench/generate.py --roles 100 --verify    # also read every YAML file back

A role count and a seed in; a folder out with ``rolebook/`` (a handbook:
``content/handbook.yaml``, ``regions.yaml``, ``roles/*.yaml``, ``pages/*.md``),
``hugo/`` (the same roles as pages with the same fields in front matter, data
files, and the layouts of ``bench/hugo-site/``), ``mkdocs/`` (the same roles as
Markdown pages) and ``bench.json`` (what the benchmark needs to know, such
as which role the "one role changed" runs edit). The same arguments always
give the same bytes: everything is drawn from seeded random streams and
written in a fixed order, with no dates of the day.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import content as c  # noqa: E402
import hugo_site  # noqa: E402
import mkdocs_site  # noqa: E402
from yamlout import dump  # noqa: E402

WORK = BENCH / "work"
GENERATOR_VERSION = 4  # bump when the output changes, so that run.py regenerates


def generate(n: int, out: Path, seed: str = "rolebook-bench") -> dict:
    """Write the three sites for ``n`` roles into ``out``; return the contents of bench.json."""
    book = c.Handbook.make(n, seed)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("rolebook", "hugo", "mkdocs"):
        shutil.rmtree(out / name, ignore_errors=True)
    write_rolebook(book, out / "rolebook")
    hugo_site.write(book, out / "hugo")
    mkdocs_site.write(book, out / "mkdocs")
    first_duty = book.role(book.changed_role)["duties"][0]
    info = {"generator": GENERATOR_VERSION, "roles": n, "seed": seed,
            "changed_role": book.changed_role, "marker": first_duty,
            "files": {"rolebook": f"rolebook/content/roles/{book.changed_role}.yaml",
                      "hugo": f"hugo/content/roles/{book.changed_role}.md",
                      "mkdocs": f"mkdocs/docs/roles/{book.changed_role}.md"},
            "templates": {"hugo": "hugo/layouts/roles/page.html",
                          "mkdocs": "mkdocs/overrides/main.html"}}
    (out / "bench.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    return info


def write_rolebook(book: c.Handbook, root: Path) -> None:
    """The handbook folder rolebook reads: content/ only (the packaged theme is used)."""
    content = root / "content"
    (content / "roles").mkdir(parents=True)
    (content / "pages").mkdir()
    write(content / "handbook.yaml",
          dump(book.handbook, "# yaml-language-server: $schema=../schema/handbook.schema.json"))
    write(content / "regions.yaml",
          dump(book.regions, "# yaml-language-server: $schema=../schema/regions.schema.json"))
    for role in book.roles:
        write(content / "roles" / f"{role['id']}.yaml",
              dump(role, "# yaml-language-server: $schema=../../schema/role.schema.json"))
    for k, (front, body) in enumerate(book.pages):
        write(content / "pages" / f"article-{k + 1:02d}.md", f"---\n{dump(front)}---\n\n{body}")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def verify(out: Path, n: int, seed: str) -> None:
    """Read every YAML file back and compare it with the data it was written from."""
    import yaml

    book = c.Handbook.make(n, seed)
    content = out / "rolebook" / "content"
    expected = [(content / "handbook.yaml", book.handbook), (content / "regions.yaml", book.regions)]
    expected += [(content / "roles" / f"{r['id']}.yaml", r) for r in book.roles]
    for path, data in expected:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if loaded != _plain(data):
            raise SystemExit(f"{path}: does not read back as written")
    print(f"verified {len(expected)} files")


def _plain(value):
    """Data as yaml.safe_load returns it: no None values, plain dicts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", type=int, required=True, help="number of roles (at least 20)")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/work/roles-N)")
    parser.add_argument("--seed", default="rolebook-bench")
    parser.add_argument("--verify", action="store_true", help="read the YAML back and compare")
    args = parser.parse_args(argv)
    out = args.out or WORK / f"roles-{args.roles}"
    info = generate(args.roles, out, args.seed)
    print(f"{out}: {info['roles']} roles; edited role: {info['changed_role']}")
    if args.verify:
        verify(out, args.roles, args.seed)


if __name__ == "__main__":
    main()
