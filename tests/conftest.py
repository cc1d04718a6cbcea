"""Shared fixtures: the bundled handbook, checked once and built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import rolebook

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog():
    """The bundled handbook, loaded and resolved."""
    return rolebook.check(REPO)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The bundled handbook built once (HTML, data and PDFs) into a temporary folder."""
    out = tmp_path_factory.mktemp("build") / "site"
    rolebook.build(REPO, rolebook.BuildOptions(out=out))
    return out


@pytest.fixture
def handbook_copy(tmp_path) -> Path:
    """A private copy of the bundled handbook's content, to break or change."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path
