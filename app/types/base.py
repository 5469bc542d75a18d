"""What every record of ``app.types`` shares: ``to_dict``, every field JSON-ready."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any


def _jsonable(value: Any) -> Any:
    """A dataclass's ``asdict`` made JSON-ready: datetimes as ISO 8601, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class _Record:
    """``to_dict`` for the frozen dataclasses below: every field, JSON-ready."""

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))
