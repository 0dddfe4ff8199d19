"""Loona (loona.ai): OAuth client credentials, passes, transactions with an Idempotence-Key."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from pos_app.core.i18n import N_
from pos_app.core.services.spec import (
    ALLOW_INSECURE_HTTP,
    BASE_URL,
    HOLD,
    PATTERN,
    ServiceSpec,
    SettingField,
    lazy,
)


def _basic_credentials(table: Mapping[str, Any]) -> list[str]:
    """The Basic credential the token request carries, built from id and secret."""
    client, secret = table.get("client_id"), table.get("client_secret")
    if isinstance(client, str) and isinstance(secret, str) and secret:
        return [base64.b64encode(f"{client}:{secret}".encode()).decode("ascii")]
    return []


SERVICE = ServiceSpec(
    name="loona", title="Loona",  # i18n-skip
    fields=(BASE_URL, SettingField("token_url", N_("Token address"), required=True, url=True),
            SettingField("client_id", N_("Client id"), required=True),
            SettingField("client_secret", N_("Client secret"), required=True, secret=True),
            PATTERN, HOLD, SettingField("templates", N_("Card templates"), shown=False),
            ALLOW_INSECURE_HTTP),
    build=lazy(f"{__name__}.adapter:LoonaBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:LoonaApp"), order=90, derived_secrets=_basic_credentials,
    templates_note=N_("Loona's are set in the settings ([loona] templates): its API cannot "
                      "list them."),
)
