"""Mews Connector API: loyalty memberships of a hotel chain, points written as a whole value."""

from __future__ import annotations

import argparse

from pos_app.core.i18n import N_
from pos_app.core.services.spec import (
    BASE_URL,
    PATTERN,
    ServiceSpec,
    SettingField,
    dashed_may_take,
    lazy,
)


def _cli(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from pos_app.core.services.mews.cli import add_commands

    add_commands(commands)


SERVICE = ServiceSpec(
    name="mews", title="Mews",  # i18n-skip
    fields=(BASE_URL, SettingField("client_token", N_("Client token"), required=True, secret=True),
            SettingField("access_token", N_("Access token"), required=True, secret=True),
            SettingField("program_id", N_("Loyalty program id (optional)")), PATTERN),
    build=lazy(f"{__name__}.adapter:MewsBackend.from_settings"),
    sandbox=lazy(f"{__name__}.sandbox:MewsApp"), order=50, cli=_cli, may_take=dashed_may_take,
    templates_note=N_("Mews's are its loyalty programs (`pos-app mews programs`)."),
)
