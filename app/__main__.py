"""``python -m app`` is the ``newsdesk`` command."""

import sys

from app.cli import main

sys.exit(main())
