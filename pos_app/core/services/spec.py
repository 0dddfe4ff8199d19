"""What the rest of the app knows of a service: one :class:`ServiceSpec` per service package.

A spec names the service, lists its settings fields (which also draw the settings dialog and
tell the log redactor what to hide), builds its adapter from its settings table and its
sandbox from nothing, and says where the router asks it. It imports neither the adapter nor
the sandbox until they are needed, so reading the list of services costs nothing at start-up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos_app.core.backends.base import Backend
    from pos_app.core.sandbox.app import ServiceApp


@dataclass(frozen=True)
class SettingField:
    """One key of a service's settings table.

    ``shown`` fields are edited in the settings dialog as one line of text; the others
    (lists, numbers) are kept from the file as they are.
    """

    key: str
    label: str
    required: bool = False
    secret: bool = False
    shown: bool = True


#: Every service's table has these two; ``base_url`` switches the service on.
BASE_URL = SettingField("base_url", "Address (base URL)", required=True)
PATTERN = SettingField("pattern", "Code pattern (optional)")


def _no_secrets(_: Mapping[str, Any]) -> list[str]:
    return []


@dataclass(frozen=True)
class ServiceSpec:
    """A service as the app's generic parts see it."""

    #: Machine name: the settings table, the journal's and ``--json``'s ``service`` field.
    name: str
    #: Name shown to people.
    title: str
    #: The settings table's keys, in the order they are shown.
    fields: tuple[SettingField, ...]
    #: Builds the adapter from the service's settings table (its required keys are present);
    #: ``timeout=`` (an ``httpx.Timeout``) may be passed through.
    build: Callable[..., Backend]
    #: Builds the sandboxed service with its demo data.
    sandbox: Callable[[], ServiceApp]
    #: Where the router asks it: lower first. Services that claim any code go last.
    order: int = 50
    #: Secret values derived from the table (e.g. a Basic credential) for the log redactor.
    derived_secrets: Callable[[Mapping[str, Any]], list[str]] = field(default=_no_secrets)
    #: Where new customers' card templates come from, said when there are none.
    templates_note: str = ""
    #: Adds the service's own back-office commands to ``pos-app``'s subcommands; each sets
    #: ``run=(counter, args) -> exit code`` as its parser default.
    cli: Callable[[argparse._SubParsersAction], None] | None = None  # type: ignore[type-arg]

    @property
    def secret_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.secret)

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)

    def field(self, key: str) -> SettingField | None:
        return next((f for f in self.fields if f.key == key), None)

    def secrets_in(self, table: Mapping[str, Any]) -> list[str]:
        """Every secret value in ``table``, derived ones included (for the log redactor)."""
        values = [str(table[k]).strip() for k in self.secret_keys
                  if isinstance(table.get(k), str) and str(table[k]).strip()]
        return values + [v for v in self.derived_secrets(table) if v]
