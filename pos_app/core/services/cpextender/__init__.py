"""CP Extender (The Red Rook's middleware for NCR Counterpoint): loyalty points, a login
token, two-phase redeeming (Authorize, then Confirm or Cancel)."""

from __future__ import annotations

from pos_app.core.services.spec import (
    BASE_URL,
    PATTERN,
    ServiceSpec,
    SettingField,
    dashed_may_take,
    lazy,
)

SERVICE = ServiceSpec(
    name="cpextender", title="CP Extender",
    fields=(BASE_URL, SettingField("username", "User name (SSO/Login)"),
            SettingField("password", "Password", secret=True),
            SettingField("token", "Permanent token (instead of a login)", secret=True),
            PATTERN, SettingField("earn_rate", "Points per currency unit (purchase)",
                                  shown=False)),
    build=lazy(f"{__name__}.adapter:CpExtenderBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:CpExtenderApp"), order=40, may_take=dashed_may_take,
)
