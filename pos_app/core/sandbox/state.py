"""One JSON file that keeps every sandboxed service's data across restarts (``--state``)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class StateFile:
    """``{"<service>": {...}, ...}``, rewritten atomically after every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text("utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                self._data = data
            except (OSError, ValueError) as exc:
                log.warning("sandbox state file %s unreadable (%s); starting fresh", path,
                            type(exc).__name__)

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved data of service ``name``, if any."""
        with self._lock:
            section = self._data.get(name)
        return section if isinstance(section, dict) else None

    def save(self, name: str, state: dict[str, Any]) -> None:
        """Replace service ``name``'s data and write the whole file."""
        with self._lock:
            self._data[name] = state
            text = json.dumps(self._data, ensure_ascii=False, indent=1)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
