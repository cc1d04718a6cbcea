"""``rolebook init``: a new handbook folder with starter content.

The starter holds the handbook config, the regions and one example role. The
new handbook has no templates of its own: it uses the packaged theme, and a
file put into its ``templates/`` overrides the theme's file of that name.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from ..errors import RolebookError
from ..schema import write_schemas


def create(target: Path) -> None:
    """Create a handbook in ``target`` (which must not exist or be empty)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise RolebookError(f"{target} is not empty; choose a new folder")
    source = Path(str(resources.files(__package__) / "content"))
    shutil.copytree(source, target / "content", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    write_schemas(target)
    (target / ".gitignore").write_text("site/\n", encoding="utf-8")
