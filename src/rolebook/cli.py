"""The ``rolebook`` command: a thin click shell over the library.

Each command imports what it needs inside its function so that
``rolebook --help`` starts without loading pydantic, Jinja or WeasyPrint.
Errors the library reports (``RolebookError``) are printed without a
traceback and end the program with exit code 1.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from pathlib import Path

import click

HANDBOOK = click.argument("root", metavar="[DIR]", default=".",
                          type=click.Path(file_okay=False, path_type=Path))


def reports_errors(command):
    """Turn library errors into a message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import ContentError, RolebookError

        try:
            return command(*args, **kwargs)
        except ContentError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            click.secho(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
                        err=True, fg="red")
            sys.exit(1)
        except RolebookError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
            sys.exit(1)
        except KeyboardInterrupt:
            click.secho("interrupted: nothing was changed.", err=True, fg="red")
            sys.exit(130)

    return wrapper


# What the program holds until it ends (``run``), not freed one object at a time: the
# catalog of a large handbook is millions of objects (half a second at 10,000 roles).
_kept: list | None = None


def _keep(value) -> None:
    if _kept is not None:
        _kept.append(value)


def run() -> None:
    """The ``rolebook`` program: ``main``, then the process ends at once, leaving what it
    held (``_keep``) to the system. Its own exit handlers are not needed: a build waits
    for the processes it starts and writes its files before it returns."""
    global _kept
    _kept = []
    try:
        main()
        code = 0
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            code = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # output closed early (``rolebook build | head``)
        code = code or 1
    os._exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rolebook")
@click.option("-v", "--verbose", is_flag=True, help="Show what each stage does.")
def main(verbose: bool) -> None:
    """rolebook: a handbook of roles and official job descriptions from YAML files.

    DIR is the handbook folder (it holds content/ and optionally templates/);
    it defaults to the current folder.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    # SIGTERM (kill, a CI timeout) unwinds like Ctrl-C, so a build drops its staging folder.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@HANDBOOK
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reports_errors
def check(root: Path, strict: bool) -> None:
    """Validate the handbook's content without writing anything."""
    from .pipeline import check as check_handbook

    catalog = check_handbook(root)
    for warning in catalog.warnings:
        click.echo(f"{warning} (warning)", err=True)
    if strict and catalog.warnings:
        click.secho(f"{_count(catalog.warnings, 'warning')} with --strict.", err=True, fg="red")
        sys.exit(1)
    click.echo(f"OK: {_count(catalog.roles, 'role')}, {_count(catalog.regions, 'region')}, "
               f"{_count(catalog.pages, 'article')}, {_count(catalog.warnings, 'warning')}.")


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


@main.command()
@HANDBOOK
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: DIR/site).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF job descriptions.")
@click.option("--force", is_flag=True, help="Render everything, reusing nothing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="PDF worker processes.")
@reports_errors
def build(root: Path, out: Path | None, no_pdf: bool, force: bool, jobs: int | None) -> None:
    """Build the HTML handbook and the PDF job descriptions into DIR/site."""
    from .pipeline import BuildOptions, build as build_handbook

    report = build_handbook(root, BuildOptions(out=out, pdf=not no_pdf, force=force, jobs=jobs,
                                               progress=sys.stderr.isatty()))
    click.echo(f"Built {report.out}: {len(report.written)} files written, "
               f"{len(report.reused)} unchanged.")
    _keep(report)


@main.command()
@HANDBOOK
@click.argument("roles", nargs=-1, required=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: DIR/site).")
@click.option("--force", is_flag=True, help="Render even if nothing changed.")
@reports_errors
def pdf(root: Path, roles: tuple[str, ...], out: Path | None, force: bool) -> None:
    """Render the PDF job descriptions of the chosen ROLES into DIR/site/pdf."""
    from .pipeline import BuildOptions, build as build_handbook

    report = build_handbook(root, BuildOptions(out=out, roles=roles, force=force,
                                               progress=sys.stderr.isatty()))
    for role in roles:
        name = f"pdf/{role}.pdf"
        state = "rendered" if name in report.written else "unchanged, not rendered again" \
            if name in report.reused else "not written"
        click.echo(f"{report.out / name}: {state}")


@main.command()
@HANDBOOK
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--pdf", is_flag=True, help="Also render the PDF job descriptions.")
@reports_errors
def serve(root: Path, port: int, pdf: bool) -> None:
    """Preview the handbook on 127.0.0.1, rebuilding and reloading on every change."""
    from .serve import serve as serve_handbook

    serve_handbook(root, port=port, pdf=pdf, announce=click.echo)


@main.command()
@click.argument("target", metavar="NEWDIR", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def init(target: Path) -> None:
    """Create a new handbook in NEWDIR from the starter content."""
    from .starter import create

    create(target)
    click.echo(f"Created a handbook in {target}. Next: rolebook check {target}")


@main.command()
@HANDBOOK
@reports_errors
def schema(root: Path) -> None:
    """Write the JSON Schema of the content files into DIR/schema/."""
    from .schema import write_schemas

    for path in write_schemas(root):
        click.echo(path)
