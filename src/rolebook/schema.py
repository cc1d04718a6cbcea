"""The JSON Schema of the content files, for editors (``rolebook schema``).

Content files name their schema in a first-line comment
(``# yaml-language-server: $schema=../../schema/role.schema.json``), so that
editors with the YAML language server autocomplete fields and flag mistakes.
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMAS = {"handbook": "Handbook", "regions": "Regions", "role": "Role", "page": "Page"}


def schemas() -> dict[str, dict]:
    """File stem -> JSON Schema of the model class."""
    from . import model

    return {stem: getattr(model, name).model_json_schema() for stem, name in SCHEMAS.items()}


def write_schemas(root: Path) -> list[Path]:
    """Write ``<root>/schema/<stem>.schema.json`` for every content file kind."""
    if not Path(root).is_dir():
        from .errors import RolebookError

        raise RolebookError(f"{root}: no such folder; give the handbook's folder")
    folder = Path(root) / "schema"
    folder.mkdir(exist_ok=True)
    written = []
    for stem, schema in schemas().items():
        path = folder / f"{stem}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
