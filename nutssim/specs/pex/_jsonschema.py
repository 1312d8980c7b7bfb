"""Import jsonschema without the seconds-long ``rfc3987_syntax`` grammar build.

jsonschema imports ``rfc3987_syntax`` at load time, when it is installed (JupyterLab's
jsonschema extras bring it), only to check the ``iri`` format; building its grammar
costs 2–9 s per process, which every CLI call and sweep worker would pay. PEX filters
never use that format, so jsonschema is loaded once with the module hidden, and the
module is visible again right after: nothing else in the process is affected.
"""

from __future__ import annotations

import sys

if "jsonschema" not in sys.modules:
    _hidden = "rfc3987_syntax" not in sys.modules
    if _hidden:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import jsonschema  # noqa: F401
    finally:
        if _hidden:
            del sys.modules["rfc3987_syntax"]
