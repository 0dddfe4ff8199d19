"""Build the configured service adapters, in the order the router asks them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pos_app.core.backends.addresses import check_addresses
from pos_app.core.backends.base import Backend
from pos_app.core.errors import ConfigError
from pos_app.core.i18n import _
from pos_app.core.services import SERVICES, ServiceSpec


def build_backends(tables: Mapping[str, Mapping[str, Any]], **options: Any) -> list[Backend]:
    """Adapters for every service table that has a ``base_url``, in the router's order
    (``options`` such as ``timeout=`` go to every adapter)."""
    backends: list[Backend] = []
    for spec in SERVICES:
        table = tables.get(spec.name)
        if not table or not str(table.get("base_url") or "").strip():
            continue
        backends.append(build_backend(spec, table, **options))
    return backends


def build_backend(spec: ServiceSpec, table: Mapping[str, Any], **options: Any) -> Backend:
    """One service's adapter; :class:`ConfigError` names a required key that is missing or
    an address that may not be used (see :mod:`~pos_app.core.backends.addresses`)."""
    missing = [k for k in spec.required_keys if not str(table.get(k) or "").strip()]
    if missing:
        raise ConfigError(_("[{table}] is missing {keys}.").format(table=spec.name,
                                                                  keys=", ".join(missing)))
    check_addresses(spec, table)
    backend = spec.build(table, **options)
    hold = table.get("max_hold")
    if hold is not None:
        try:
            seconds = float(hold)
        except (TypeError, ValueError):
            seconds = -1.0
        if not 0 <= seconds <= 3600:
            backend.close()
            raise ConfigError(_("[{table}] max_hold must be a number of seconds from 0 to "
                                "3600.").format(table=spec.name))
        backend.max_hold = seconds
    return backend
