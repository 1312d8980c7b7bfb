"""Import jsonschema without the seconds-long ``rfc3987_syntax`` grammar build.

jsonschema imports ``rfc3987_syntax`` at load time, when it is installed (JupyterLab's
jsonschema extras bring it), only to check the ``iri`` format; building its grammar
costs 2–9 s per process, which every CLI call and sweep worker would pay. PEX filters
never use that format, so jsonschema is loaded once with the module hidden, and the
module is visible again right after: nothing else in the process is affected.
"""

from __future__ import annotations

import sys

#: The optional ``format`` checkers jsonschema imports when installed. PEX filters check no
#: format (``FormatChecker(formats=())``) and the schema validators take no format checker, so
#: none is ever used; importing them (arrow, isoduration, …) costs ~50 ms per CLI call (issue #19).
FORMAT_MODULES = (
    "rfc3987_syntax", "fqdn", "idna", "rfc3987", "rfc3986_validator", "rfc3339_validator",
    "webcolors", "jsonpointer", "uri_template", "isoduration",
)  # fmt: skip

if "jsonschema" not in sys.modules:
    _hidden = [name for name in FORMAT_MODULES if name not in sys.modules]
    for _name in _hidden:
        sys.modules[_name] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import jsonschema  # noqa: F401
    finally:
        for _name in _hidden:
            del sys.modules[_name]
