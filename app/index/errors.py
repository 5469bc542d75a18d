"""The index layer's own exception."""

from __future__ import annotations


class IndexUnavailable(RuntimeError):
    """The index folder is missing, damaged, locked by another build, or was built
    differently than asked. The message names the folder or file and the fix."""
