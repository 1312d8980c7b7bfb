"""``python -m nutssim`` is the ``nutssim`` command."""

from nutssim.cli import main

raise SystemExit(main())
