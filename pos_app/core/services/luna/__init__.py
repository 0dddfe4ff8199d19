"""Luna Loyalty Cards: serial numbers, an ``x-access-token``, no idempotency key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pos_app.core.services.spec import (
    ALLOW_INSECURE_HTTP,
    BASE_URL,
    HOLD,
    PATTERN,
    ServiceSpec,
    SettingField,
)

if TYPE_CHECKING:
    from pos_app.core.backends.base import Backend
    from pos_app.core.sandbox.app import ServiceApp


def _build(table: Mapping[str, Any], **options: Any) -> Backend:
    from pos_app.core.services.luna.adapter import LunaBackend

    return LunaBackend.from_settings(table, **options)


def _sandbox() -> ServiceApp:
    from pos_app.core.services.luna.sandbox import LunaApp

    return LunaApp()


SERVICE = ServiceSpec(
    name="luna", title="Luna",
    fields=(BASE_URL, SettingField("token", "Access token", required=True, secret=True),
            PATTERN, HOLD, ALLOW_INSECURE_HTTP),
    build=_build, sandbox=_sandbox, order=10,
    templates_note="Luna lists its own card templates.",
)
