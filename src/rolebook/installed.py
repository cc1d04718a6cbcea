"""What the installation gives a build: the packaged theme and the installed libraries.

Kept free of heavy imports: a build whose site is up to date reads only these,
its content and its theme, and stops.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path


def packaged_theme() -> Path:
    """The theme inside the installed package.

    A wheel carries it as ``rolebook/theme``. An editable install from a
    source checkout has no copy, so the checkout's ``templates/`` is used.
    """
    packaged = Path(str(resources.files("rolebook") / "theme"))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "html").is_dir():
        return checkout
    raise FileNotFoundError("rolebook's theme is missing from the installation; reinstall rolebook")


def libraries() -> list[str]:
    """Every installed distribution with its version (the names of their ``.dist-info``
    folders on ``sys.path``): installing or upgrading any of them changes the list, so a
    site built before is not taken as up to date with a library that renders otherwise."""
    found = set()
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        found.update(f"{folder}/{name}" for name in entries
                     if name.endswith((".dist-info", ".egg-info")))
    return sorted(found)
