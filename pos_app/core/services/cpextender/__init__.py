"""CP Extender (The Red Rook's middleware for NCR Counterpoint): loyalty points, a login
token, two-phase redeeming (Authorize, then Confirm or Cancel)."""

from __future__ import annotations

from pos_app.core.i18n import N_
from pos_app.core.services.spec import (
    BASE_URL,
    PATTERN,
    ServiceSpec,
    SettingField,
    dashed_may_take,
    lazy,
)

SERVICE = ServiceSpec(
    name="cpextender", title="CP Extender",  # i18n-skip
    fields=(BASE_URL, SettingField("username", N_("User name (SSO/Login)")),
            SettingField("password", N_("Password"), secret=True),
            SettingField("token", N_("Permanent token (instead of a login)"),
                         secret=True),
            PATTERN, SettingField("earn_rate", N_("Points per currency unit (purchase)"),
                                  shown=False)),
    build=lazy(f"{__name__}.adapter:CpExtenderBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:CpExtenderApp"), order=40, may_take=dashed_may_take,
    back_office="Counterpoint",  # i18n-skip
)
