"""rolebook: YAML role definitions in, an HTML handbook and official PDF job descriptions out."""

from .build import BuildOptions, BuildReport, build, check
from .errors import ContentError, OutputError, Problem, RolebookError

__all__ = ["BuildOptions", "BuildReport", "ContentError", "OutputError", "Problem",
           "RolebookError", "build", "check"]
__version__ = "0.1.0"
