"""A linter for Nuts policy files: the mistakes that load fine and then grant too much or leak.

``lint(policy)`` reads a policy (a file, a directory of files, a dict or a loaded
``Policy``) as the reference node does (PROTOCOL.md §3.8) and returns ``Finding``s, each
with a severity, a code, the place (file, scope, JSON pointer) and a fix hint. The rules
are data (``RULES``: code, severity, message, hint, reference); a clean policy gives no
warnings and no errors. Section numbers without a document are PROTOCOL.md's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nutssim.lint.checks import Linter
from nutssim.lint.rules import RULES, SEVERITIES, Finding, Rule, Severity, Where
from nutssim.specs.nuts_policy import Policy
from nutssim.specs.pex import DEFAULT_LIMITS, Limits, semantics_for

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "Severity", "Where", "has_errors", "lint"]


def lint(
    policy_or_path: Policy | Mapping[str, Any] | str | Path,
    *,
    as_metadata: Mapping[str, Any] | None = None,
    authzen_endpoint: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    semantics: bool = False,
    profile: str = "nuts-node",
) -> list[Finding]:
    """Lint a policy (file, directory, dict or ``Policy``) against a node's metadata (default: 4 formats).

    ``profile`` is whose reading of Presentation Exchange decides whether a definition loads
    (``pex.semantics_for``: ``nuts-node`` as the reference's ``vcr/pe``, ``strict`` as the DIF
    PE v2.0.0 text). ``semantics=True`` adds ``semantics-differ``: filters a reference node
    (``pex.NUTS_NODE``) and a spec-exact verifier (``pex.STRICT``) read differently.
    """
    linter = Linter(
        as_metadata, authzen_endpoint, limits, semantics=semantics, reading=semantics_for(profile)
    )
    if isinstance(policy_or_path, Policy):
        linter.file(policy_or_path.to_dict(), "<policy>")
    elif isinstance(policy_or_path, Mapping):
        linter.file(dict(policy_or_path), "<dict>")
    else:
        path = Path(policy_or_path)
        files = (
            sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
            if path.is_dir()
            else [path]
        )
        for file in files:
            linter.path(file, file.name if path.is_dir() else str(file))
    linter.across_scopes()
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(linter.findings, key=lambda f: (order[f.severity], f.where.file, f.where.scope))


def has_errors(findings: list[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(f.severity == "error" for f in findings)
