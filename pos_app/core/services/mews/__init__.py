"""Mews Connector API: loyalty memberships of a hotel chain, points written as a whole value."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pos_app.core.services.spec import BASE_URL, PATTERN, ServiceSpec, SettingField

if TYPE_CHECKING:
    from pos_app.core.backends.base import Backend
    from pos_app.core.sandbox.app import ServiceApp


def _build(table: Mapping[str, Any], **options: Any) -> Backend:
    from pos_app.core.services.mews.adapter import MewsBackend

    return MewsBackend.from_settings(table, **options)


def _sandbox() -> ServiceApp:
    from pos_app.core.services.mews.sandbox import MewsApp

    return MewsApp()


def _cli(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from pos_app.core.services.mews.cli import add_commands

    add_commands(commands)


SERVICE = ServiceSpec(
    name="mews", title="Mews",
    fields=(BASE_URL, SettingField("client_token", "Client token", required=True, secret=True),
            SettingField("access_token", "Access token", required=True, secret=True),
            SettingField("program_id", "Loyalty program id (optional)"), PATTERN),
    build=_build, sandbox=_sandbox, order=50, cli=_cli,
    templates_note="Mews's are its loyalty programs (`pos-app mews programs`).",
)
