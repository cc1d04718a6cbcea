"""The installed package: a wheel carries the theme and the starter, and works from anywhere."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtual environment with rolebook installed from a freshly built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(base / "dist"), str(REPO)], check=True)
    wheel = next((base / "dist").glob("rolebook-*.whl"))
    env = base / "venv"
    # The dependencies come from this interpreter's packages (a path in a .pth file: the
    # .pth files there, such as the editable install of rolebook, are not run); rolebook
    # itself only from the wheel.
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    packages = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                               "['purelib'])"], check=True, capture_output=True, text=True)
    Path(packages.stdout.strip(), "dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    return env / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "rolebook"), *args], cwd=cwd, text=True,
                          capture_output=True)


def test_wheel_holds_the_theme(installed, tmp_path):
    code = ("import rolebook, rolebook.theme as t; "
            "print(rolebook.__file__); print(t.packaged_theme())")
    out = subprocess.run([installed / "python", "-c", code], cwd=tmp_path, text=True,
                         capture_output=True, check=True).stdout.splitlines()
    assert not out[0].startswith(str(REPO)), "the test must use the installed wheel"
    theme = Path(out[1])
    assert theme.name == "theme" and (theme / "html").is_dir()


def test_init_then_check_outside_the_repository(installed, tmp_path):
    created = run(installed, "init", "my-handbook", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    checked = run(installed, "check", "my-handbook", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: 2 roles")
    assert (tmp_path / "my-handbook" / "schema" / "role.schema.json").is_file()


def test_init_refuses_a_folder_that_is_not_empty(installed, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = run(installed, "init", "busy", cwd=tmp_path)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"
