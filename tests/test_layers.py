"""The import contracts of pyproject.toml (`make lint` runs them) hold, and break on a
wrong-way import: a copy of the package with one bad import fails the check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the copy's `app`, not the installed one
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def copy_project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold(tmp_path):
    result = lint_imports(copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    root = copy_project(tmp_path)
    words = root / "app" / "text" / "words.py"
    words.write_text(words.read_text() + "\nfrom app.search import fusion  # noqa: E402, F401\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "app.text.words -> app.search.fusion" in result.stdout


def test_gradio_outside_the_ui_breaks_the_contract(tmp_path):
    root = copy_project(tmp_path)
    retriever = root / "app" / "search" / "retriever.py"
    retriever.write_text(retriever.read_text() + "\nimport gradio  # noqa: E402, F401\n")
    result = lint_imports(root)
    assert result.returncode != 0 and "app.search is not allowed to import gradio" in result.stdout


def test_fastapi_or_altair_outside_the_ui_breaks_the_contract(tmp_path):
    root = copy_project(tmp_path)
    payloads = root / "app" / "answer" / "payloads.py"
    payloads.write_text(
        payloads.read_text() + "\nimport altair  # noqa: E402, F401\nimport fastapi  # noqa: E402, F401\n"
    )
    result = lint_imports(root)
    assert result.returncode != 0
    assert "app.answer is not allowed to import altair" in result.stdout
    assert "app.answer is not allowed to import fastapi" in result.stdout
