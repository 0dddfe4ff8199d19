"""Loona (loona.ai): OAuth client credentials, passes, transactions with an Idempotence-Key."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

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
    name="loona", title="Loona",
    fields=(BASE_URL, SettingField("token_url", "Token address", required=True, url=True),
            SettingField("client_id", "Client id", required=True),
            SettingField("client_secret", "Client secret", required=True, secret=True),
            PATTERN, HOLD, SettingField("templates", "Card templates", shown=False),
            ALLOW_INSECURE_HTTP),
    build=lazy(f"{__name__}.adapter:LoonaBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:LoonaApp"), order=90, derived_secrets=_basic_credentials,
    templates_note="Loona's are set in the settings ([loona] templates): its API cannot "
                   "list them.",
)
