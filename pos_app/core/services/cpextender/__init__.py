"""CP Extender (The Red Rook's middleware for NCR Counterpoint): loyalty points, a login
token, two-phase redeeming (Authorize, then Confirm or Cancel)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pos_app.core.services.spec import BASE_URL, PATTERN, ServiceSpec, SettingField

if TYPE_CHECKING:
    from pos_app.core.backends.base import Backend
    from pos_app.core.sandbox.app import ServiceApp


def _build(table: Mapping[str, Any], **options: Any) -> Backend:
    from pos_app.core.services.cpextender.adapter import CpExtenderBackend

    return CpExtenderBackend.from_settings(table, **options)


def _sandbox() -> ServiceApp:
    from pos_app.core.services.cpextender.sandbox import CpExtenderApp

    return CpExtenderApp()


SERVICE = ServiceSpec(
    name="cpextender", title="CP Extender",
    fields=(BASE_URL, SettingField("username", "User name (SSO/Login)"),
            SettingField("password", "Password", secret=True),
            SettingField("token", "Permanent token (instead of a login)", secret=True),
            PATTERN, SettingField("earn_rate", "Points per currency unit (purchase)",
                                  shown=False)),
    build=_build, sandbox=_sandbox, order=40,
)
