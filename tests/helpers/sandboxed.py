"""Adapters over a sandboxed service, for tests that call one adapter directly (the Russian
service and wire tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from pos_app.core.backends.base import Backend
from pos_app.core.backends.registry import build_backend
from pos_app.core.operations import Operation
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.spec import ServiceSpec


def op(name: str, *args: str) -> Operation:
    return Operation.parse(name, list(args))


@contextmanager
def backend_for(service: ServiceSpec, server: SandboxServer,
                **changes: Any) -> Iterator[Backend]:
    """The service's adapter built from the sandbox's settings (``changes`` override them),
    closed afterwards; loopback gets 10 s before a timeout."""
    made = build_backend(service, {**server.app.settings(server), **changes},
                         timeout=httpx.Timeout(10.0))
    try:
        yield made
    finally:
        made.close()


def served(app: Any, seed: int) -> Iterator[SandboxServer]:
    """A sandbox server for ``app``, stopped afterwards (for ``yield from`` in a fixture)."""
    server = SandboxServer(app, seed=seed).start()
    yield server
    server.stop()
