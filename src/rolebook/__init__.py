"""rolebook: YAML role definitions in, an HTML handbook and official PDF job descriptions out.

The public API. Names are imported on first use, so that ``rolebook --help``
does not pay for pydantic, Jinja and WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "build": "build", "check": "build", "BuildOptions": "build", "BuildReport": "build",
    "ContentError": "errors", "OutputError": "errors", "Problem": "errors",
    "RolebookError": "errors",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .build import BuildOptions, BuildReport, build, check
    from .errors import ContentError, OutputError, Problem, RolebookError


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        # Importing the submodule `build` set `rolebook.build` to the module: put the
        # names back, or the next `rolebook.build(...)` would call a module.
        globals().update({n: getattr(module, n) for n, m in _EXPORTS.items()
                          if m == _EXPORTS[name]})
        return globals()[name]
    raise AttributeError(f"module 'rolebook' has no attribute {name!r}")
