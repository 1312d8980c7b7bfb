"""A stand-in for lxml in the browser edition: importable, parses nothing (see lxml.html)."""
