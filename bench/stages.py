"""Where the time of one build goes, stage by stage, without a profiler's overhead.

    python bench/stages.py bench/work/roles-1000/rolebook OUT          # cold: caches and OUT removed
    python bench/stages.py bench/work/roles-1000/rolebook OUT --warm   # a rebuild into OUT

Wraps the pipeline's stage functions and each page kind's ``render`` with a wall-clock
timer, runs one HTML build in this process and prints the seconds of each. The search
index is built in a background thread while the pages render, so its time shows in no
stage of its own; "write" is putting the site together (links, hashes, signatures: most of
it while Pagefind indexes the last pages), the manifest and the swap.
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handbook", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--warm", action="store_true", help="keep the caches and the output")
    args = parser.parse_args()
    if not args.warm:
        shutil.rmtree(args.handbook / ".rolebook-cache", ignore_errors=True)
        shutil.rmtree(args.out, ignore_errors=True)
        for leftover in args.out.parent.glob(f".{args.out.name}.*"):  # its spare folder
            shutil.rmtree(leftover, ignore_errors=True)

    import rolebook.load as load
    import rolebook.pipeline as pipeline
    import rolebook.resolve as resolve
    import rolebook.write as write
    from rolebook.render import data
    from rolebook.render.pages import PAGE_KINDS

    seconds: dict[str, float] = {}
    timed(seconds, "up to date? (inputs hashed, site checked)", pipeline, "build_inputs")
    from rolebook.render.pages import search

    timed(seconds, "output opened (lock, previous manifest)", write.Output, "__init__")
    timed(seconds, "load", load, "load")
    timed(seconds, "model (within resolve)", resolve, "model")
    timed(seconds, "resolve", resolve, "resolve")
    for kind in PAGE_KINDS:
        timed(seconds, "pages: " + kind.__name__.rsplit(".", 1)[1], kind, "render")
    # The data files are handed to the helper process after the pages the index reads: their
    # time shows in the other pages' (a batch of pages ends when the helper's files are done).
    timed(seconds, "data files (handed to the helper process)", data, "render_data")
    timed(seconds, "write: the site put together while Pagefind indexes the last pages",
          write.Output, "prepare")
    timed(seconds, "search: waiting for Pagefind after the pages", search.Indexer, "__exit__")
    timed(seconds, "write: the rest (the last files, manifest, swap)", write.Output, "commit")

    start = time.perf_counter()
    pipeline.build(args.handbook, pipeline.BuildOptions(out=args.out, pdf=False))
    total = time.perf_counter() - start
    for label, value in seconds.items():
        print(f"{value:8.2f}  {label}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{total:8.2f}  whole build (peak memory of this process: {peak} MiB)")


def timed(seconds: dict, label: str, owner, name: str) -> None:
    """Replace ``owner.name`` with a wrapper adding its wall time to ``seconds[label]``."""
    function = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start

    setattr(owner, name, wrapper)


if __name__ == "__main__":
    main()
