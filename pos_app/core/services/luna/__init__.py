"""Luna Loyalty Cards: serial numbers, an ``x-access-token``, no idempotency key."""

from __future__ import annotations

from pos_app.core.i18n import N_
from pos_app.core.services.spec import (
    ALLOW_INSECURE_HTTP,
    BASE_URL,
    HOLD,
    PATTERN,
    ServiceSpec,
    SettingField,
    dashed_may_take,
    lazy,
)

SERVICE = ServiceSpec(
    name="luna", title="Luna",  # i18n-skip
    fields=(BASE_URL, SettingField("token", N_("Access token"), required=True, secret=True),
            PATTERN, HOLD, ALLOW_INSECURE_HTTP),
    build=lazy(f"{__name__}.adapter:LunaBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:LunaApp"), order=10, both_names=True,
    templates_note=N_("Luna lists its own card templates."),
    may_take=dashed_may_take,
)
