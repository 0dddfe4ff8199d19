"""The app's version, read from its one place: ``__version__`` in ``pos_app/__init__.py``.

The spec, the build and smoke scripts and the release workflow read it from the source text
(no import, so it works before the app is installed). ``python packaging/appversion.py``
prints it; ``--numeric`` prints the four-part form Windows version resources need.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VERSION_RE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def read_version(root: Path = ROOT) -> str:
    """``__version__`` from ``pos_app/__init__.py`` under ``root``."""
    text = (root / "pos_app" / "__init__.py").read_text("utf-8")
    match = _VERSION_RE.search(text)
    if not match:
        raise SystemExit(f"No __version__ = '...' line in {root / 'pos_app' / '__init__.py'}.")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``: the leading numbers, padded to four parts."""
    lead = re.match(r"\d+(\.\d+)*", version)
    parts = [int(p) for p in lead.group(0).split(".")] if lead else []
    a, b, c, d = (*parts, 0, 0, 0, 0)[:4]
    return a, b, c, d


if __name__ == "__main__":
    v = read_version()
    print(".".join(map(str, numeric_version(v))) if "--numeric" in sys.argv[1:] else v)
