"""Build the configured service adapters, in the order the router asks them."""

from __future__ import annotations

from typing import Any

from pos_app.core.backends.base import Backend
from pos_app.core.errors import ConfigError

#: Router order: services with recognisable codes first, catch-alls last.
ORDER = ("luna", "loona")


def build_backends(tables: dict[str, dict[str, Any]]) -> list[Backend]:
    """Adapters for every service table that has a ``base_url``."""
    backends: list[Backend] = []
    for name in ORDER:
        table = tables.get(name)
        if not table or not str(table.get("base_url") or "").strip():
            continue
        backends.append(_build(name, table))
    return backends


def _build(name: str, t: dict[str, Any]) -> Backend:
    pattern = str(t["pattern"]) if t.get("pattern") else None
    try:
        if name == "luna":
            from pos_app.core.backends.luna import LunaBackend

            return LunaBackend(str(t["base_url"]), str(t["token"]), pattern=pattern)
        if name == "loona":
            from pos_app.core.backends.loona import LoonaBackend

            return LoonaBackend(str(t["base_url"]), str(t["token_url"]), str(t["client_id"]),
                                str(t["client_secret"]), pattern=pattern,
                                templates=t.get("templates"))
    except KeyError as exc:
        raise ConfigError(f"[{name}] is missing {exc.args[0]}.") from None
    raise ConfigError(f"Unknown service [{name}].")
