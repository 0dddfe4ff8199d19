"""Build the configured service adapters, in the order the router asks them."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pos_app.core.backends.addresses import check_addresses
from pos_app.core.backends.base import Backend
from pos_app.core.errors import ConfigError
from pos_app.core.i18n import _
from pos_app.core.services import SERVICES, ServiceSpec


def build_backends(tables: Mapping[str, Mapping[str, Any]], *, lazy: bool = False,
                   **options: Any) -> list[Backend]:
    """Adapters for every service table that has a ``base_url``, in the router's order
    (``options`` such as ``timeout=`` go to every adapter). ``lazy``: each is a
    :class:`LazyBackend`, its adapter imported and built on first use."""
    backends: list[Backend] = []
    for spec in SERVICES:
        table = tables.get(spec.name)
        if not table or not str(table.get("base_url") or "").strip():
            continue
        if lazy:
            backends.append(LazyBackend(spec, table, options))  # type: ignore[arg-type]
        else:
            backends.append(build_backend(spec, table, **options))
    return backends


def build_backend(spec: ServiceSpec, table: Mapping[str, Any], **options: Any) -> Backend:
    """One service's adapter; :class:`ConfigError` names a required key that is missing or
    an address that may not be used (see :mod:`~pos_app.core.backends.addresses`)."""
    _check(spec, table)
    backend = spec.build(table, **options)
    try:
        hold = _max_hold(spec, table)
    except ConfigError:
        backend.close()
        raise
    if hold is not None:
        backend.max_hold = hold
    return backend


def _check(spec: ServiceSpec, table: Mapping[str, Any]) -> None:
    missing = [k for k in spec.required_keys if not str(table.get(k) or "").strip()]
    if missing:
        raise ConfigError(_("[{table}] is missing {keys}.").format(table=spec.name,
                                                                  keys=", ".join(missing)))
    check_addresses(spec, table)


def _max_hold(spec: ServiceSpec, table: Mapping[str, Any]) -> float | None:
    hold = table.get("max_hold")
    if hold is None:
        return None
    try:
        seconds = float(hold)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ConfigError(_("[{table}] max_hold must be a number of seconds from 0 to "
                            "3600.").format(table=spec.name))
    return seconds


class LazyBackend:
    """A service's adapter imported and built on first use (a command that asks one service
    of five builds one). The router's :meth:`claim` passes the service by without building it
    when the spec's ``may_take`` rules the code out; anything else is the adapter's own. The
    settings the spec can check without the adapter are checked at once."""

    def __init__(self, spec: ServiceSpec, table: Mapping[str, Any],
                 options: Mapping[str, Any]) -> None:
        _check(spec, table)
        self._hold = _max_hold(spec, table)
        self._spec, self._table, self._options = spec, table, dict(options)
        self._built: Backend | None = None
        self._lock = threading.Lock()
        self.name, self.title = spec.name, spec.title

    @property
    def backend(self) -> Backend:
        """The adapter (built now if it was not yet)."""
        with self._lock:
            if self._built is None:
                backend = self._spec.build(self._table, **self._options)
                if self._hold is not None:
                    backend.max_hold = self._hold
                self._built = backend
            return self._built

    def claim(self, code: str) -> str | None:
        may_take = self._spec.may_take
        if self._built is None and may_take is not None:
            text = code.strip() if isinstance(code, str) else ""
            if not text or not may_take(self._table, text):
                return None
        return self.backend.claim(code)

    def close(self) -> None:
        with self._lock:
            built = self._built
        if built is not None:
            built.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not the adapter's (and never during __init__)
            raise AttributeError(name)
        return getattr(self.backend, name)

    def __repr__(self) -> str:
        return f"LazyBackend({self._spec.name!r}, built={self._built is not None})"
