"""rolebook: YAML role definitions in, an HTML handbook and official PDF job descriptions out.

The public API. Names are imported on first use, so that ``rolebook --help``
does not pay for pydantic, Jinja and WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "build": "pipeline", "check": "pipeline", "BuildOptions": "pipeline", "BuildReport": "pipeline",
    "ContentError": "errors", "OutputError": "errors", "Problem": "errors",
    "RolebookError": "errors",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .pipeline import BuildOptions, BuildReport, build, check
    from .errors import ContentError, OutputError, Problem, RolebookError


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'rolebook' has no attribute {name!r}")
