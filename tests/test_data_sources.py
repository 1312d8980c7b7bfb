"""The repository stands alone (ARCHITECTURE principle 12): data files accounted for, nothing read outside."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_data import PACKAGE_DATA, ROOT, TEST_DATA

#: Files that describe a folder rather than being data of it.
META = {"SOURCES.md", "NOTICE.md", "LICENSE"}
SKIP_DIRS = {".git", ".venv", "build", "dist", "node_modules", "test-output", "__pycache__"}
TEXT_SUFFIXES = {".py", ".md", ".ipynb", ".toml", ".yml", ".yaml", ".json", ".cfg", ".txt", ".sh", ""}

ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def git_blob_id(path: Path) -> str:
    """The Git object id of a file, as ``git hash-object`` prints it."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sources_rows(sources: Path) -> dict[str, list[str]]:
    """File (relative to the SOURCES.md's folder) → the remaining cells of its table row."""
    rows: dict[str, list[str]] = {}
    for line in sources.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match and not match.group(1).endswith("/"):  # a folder's row is an index, not a file
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def data_files(root: Path) -> list[Path]:
    """Every data file under ``root`` (descriptions of folders excluded)."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.name not in META and "__pycache__" not in p.parts
    )


def listing_for(path: Path, root: Path) -> tuple[Path, list[str]] | None:
    """The SOURCES.md row of ``path``: in its folder's SOURCES.md or an ancestor's within ``root``."""
    folder = path.parent
    while True:
        sources = folder / "SOURCES.md"
        if sources.is_file():
            row = sources_rows(sources).get(path.relative_to(folder).as_posix())
            if row is not None:
                return sources, row
        if folder == root:
            return None
        folder = folder.parent


@pytest.mark.parametrize("root", [PACKAGE_DATA, TEST_DATA], ids=["nutssim-data", "tests-data"])
def test_every_data_file_is_listed_with_its_origin(root):
    unlisted = [str(p.relative_to(ROOT)) for p in data_files(root) if listing_for(p, root) is None]
    assert not unlisted, f"add these to a SOURCES.md (repository, path, commit, blob, licence): {unlisted}"


@pytest.mark.parametrize("root", [PACKAGE_DATA, TEST_DATA], ids=["nutssim-data", "tests-data"])
def test_every_copy_is_unchanged_from_the_commit_it_names(root):
    for path in data_files(root):
        sources, (repository, origin, commit, blob, licence, _what) = listing_for(path, root)  # type: ignore[misc]
        assert repository and licence, f"{path}: repository and licence must be named in {sources}"
        if blob != "—":  # a third-party copy: its bytes must be the upstream object's
            assert re.fullmatch(r"[0-9a-f]{40}", commit.split()[0]), f"{path}: commit in {sources}"
            assert origin.startswith("`"), f"{path}: upstream path in {sources}"
            assert git_blob_id(path) == blob, f"{path} differs from {repository} {origin} at {commit}"


def test_every_listed_file_exists():
    for sources in [*PACKAGE_DATA.rglob("SOURCES.md"), *TEST_DATA.rglob("SOURCES.md")]:
        for name in sources_rows(sources):
            assert (sources.parent / name).is_file(), f"{sources} lists {name}, which is not there"


def project_text_files() -> list[Path]:
    """Every text file of the project, as a fresh clone has it (no venv, no build output)."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        found += [Path(folder, f) for f in files if Path(f).suffix in TEXT_SUFFIXES]
    return found


def test_no_project_file_points_outside_the_repository():
    # Whatever stands beside this checkout (a maintainer's machine may have folders there; a
    # user's clone has none) must not be named as ``../<name>`` by any file of the project.
    beside = sorted(p.name for p in ROOT.parent.iterdir() if p.resolve() != ROOT)
    needles = [f"../{name}" for name in beside]
    offenders = [
        str(p.relative_to(ROOT))
        for p in project_text_files()
        if any(n in p.read_text("utf-8", errors="ignore") for n in needles)
    ]
    assert not offenders, f"these files refer to a folder beside the repository: {offenders}"


#: Run in a child interpreter: refuse (and report) any file access beside the repository.
GUARD = """
import os, sys
repo = os.path.realpath(sys.argv[1]); beside = os.path.dirname(repo)
def inside(p):
    p = os.path.realpath(p); return p == repo or p.startswith(repo + os.sep)
def hook(event, args):
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    if isinstance(args[0], (str, bytes, os.PathLike)):
        p = os.path.realpath(os.fsdecode(args[0]))
        if p.startswith(beside + os.sep) and not inside(p):
            raise PermissionError("read outside the repository: " + p)
sys.addaudithook(hook)
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[2:]]))
"""

#: The modules that once read reference data from beside the repository.
READERS = [
    "tests/specs/pex/test_check.py",
    "tests/specs/test_nuts_policy.py",
    "tests/trust/test_issuer_trust.py",
    "tests/specs/test_jsonld.py",
]


def test_reader_modules_pass_with_nothing_beside_the_repository():
    result = subprocess.run(
        [sys.executable, "-c", GUARD, str(ROOT), *READERS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "read outside the repository" not in result.stdout + result.stderr
