"""vmob (Plexure) merchant API: points to a consumer's loyalty card by access token, one
``transactionId`` per operation, offer codes reported with Redemption Advice."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from pos_app.core.i18n import N_
from pos_app.core.services.spec import (
    BASE_URL,
    PATTERN,
    ServiceSpec,
    SettingField,
    lazy,
    pattern_may_take,
)


def _decoded_secret(table: Mapping[str, Any]) -> list[str]:
    """The secret inside the merchant key when it is base64 of ``identifier:secret``."""
    key = table.get("merchant_key")
    if not isinstance(key, str) or not key.strip():
        return []
    try:
        text = base64.b64decode(key.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return []
    _identifier, sep, secret = text.partition(":")
    return [secret] if sep and len(secret) >= 4 else []


def _may_take(table: Mapping[str, Any], text: str) -> bool:
    """An offer code (``offer_pattern``), else a consumer token: 24 characters or more."""
    if pattern_may_take(table, text, "offer_pattern"):
        return True
    by_pattern = pattern_may_take(table, text)
    return len(text) >= 24 if by_pattern is None else by_pattern


SERVICE = ServiceSpec(
    name="vmob", title="vmob",
    fields=(BASE_URL,
            SettingField("merchant_key", N_("Merchant key (x-vmob-authorization)"), required=True,
                         secret=True),
            SettingField("loyalty_card_id", N_("Loyalty card id"), required=True),
            SettingField("fill_multiple_cards", N_("Fill further cards (true/false)")),
            SettingField("auto_activate_reward", N_("Activate rewards (true/false)")),
            SettingField("earn_rate", N_("Points per currency unit (optional)")),
            PATTERN,
            SettingField("offer_pattern", N_("Offer code pattern (optional)"))),
    build=lazy(f"{__name__}.adapter:VmobBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:VmobApp"), order=50, derived_secrets=_decoded_secret,
    may_take=_may_take,
)
