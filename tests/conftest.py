"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import ScratchRepo


@pytest.fixture
def scratch(tmp_path: Path) -> ScratchRepo:
    """A git repository with one commit on `main` (a README)."""
    repo = ScratchRepo(tmp_path / "repo")
    repo.write("README.md", "# project\n")
    repo.commit("initial")
    return repo
