"""Where tests find reference inputs: ``tests/data/`` (see its SOURCES.md), never outside the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"
PACKAGE_DATA = ROOT / "nutssim" / "data"
NUTS_REFERENCE = TEST_DATA / "nuts-reference"
REFERENCE_POLICIES = NUTS_REFERENCE / "policies"
DIF_EXAMPLES = TEST_DATA / "dif-pex" / "examples"
PACKAGE_CONTEXTS = PACKAGE_DATA / "contexts"
PEX_SCHEMAS = PACKAGE_DATA / "pex-schemas"
