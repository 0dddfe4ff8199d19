"""What the rest of the app knows of a service: one :class:`ServiceSpec` per service package.

A spec names the service, lists its settings fields (which also draw the settings dialog and
tell the log redactor what to hide), builds its adapter from its settings table and its
sandbox from nothing, and says where the router asks it. It imports neither the adapter nor
the sandbox until they are needed, so reading the list of services costs nothing at start-up.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pos_app.core.i18n import N_, _

if TYPE_CHECKING:
    from pos_app.core.backends.base import Backend
    from pos_app.core.sandbox.app import ServiceApp


@dataclass(frozen=True)
class SettingField:
    """One key of a service's settings table.

    ``shown`` fields are edited in the settings dialog as one line of text; the others
    (lists, numbers, switches) are kept from the file as they are. ``url`` fields are the
    service's addresses: https (plain http only to loopback or with ``allow_insecure_http``),
    never with a user name or password in them. ``caption`` is the field's name in English,
    marked with ``N_()``; :attr:`label` gives it in the chosen language.
    """

    key: str
    caption: str
    required: bool = False
    secret: bool = False
    shown: bool = True
    url: bool = False

    @property
    def label(self) -> str:
        """The field's name as the settings dialog shows it, in the chosen language."""
        return _(self.caption) if self.caption else ""


#: Every service's table has these; ``base_url`` switches the service on.
BASE_URL = SettingField("base_url", N_("Address (base URL)"), required=True, url=True)
PATTERN = SettingField("pattern", N_("Code pattern (optional)"))
#: Seconds a request may be held by the service and still land (the adapter's ``max_hold``).
HOLD = SettingField("max_hold", N_("Longest a request may be held, in seconds"), shown=False)
#: ``true`` lets the service's addresses be plain ``http://`` to hosts other than loopback:
#: credentials then cross the network unencrypted (a test rig behind a trusted proxy only).
ALLOW_INSECURE_HTTP = SettingField("allow_insecure_http",
                                   N_("Allow plain HTTP (credentials sent unencrypted)"),
                                   shown=False)


#: Fields every service has, added to a spec that does not list them.
COMMON = (HOLD, ALLOW_INSECURE_HTTP)


def lazy(target: str) -> Callable[..., Any]:
    """A callable that imports ``"package.module:Name.attr"`` on its first call and calls it:
    a spec names its adapter's builder and its sandbox without importing them."""
    module, _sep, path = target.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        found: Any = importlib.import_module(module)
        for part in path.split("."):
            found = getattr(found, part)
        return found(*args, **kwargs)

    call.__qualname__ = f"lazy({target})"
    return call


def _no_secrets(_table: Mapping[str, Any]) -> list[str]:
    return []


def fullmatch_may(pattern: str, text: str) -> bool:
    """Whether a code pattern setting may take ``text``: ``False`` only when it surely does
    not (a pattern with spaces around it, or that is not a regex, is left to the adapter)."""
    if pattern != pattern.strip():
        return True
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return True


def pattern_may_take(table: Mapping[str, Any], text: str, key: str = "pattern") -> bool | None:
    """What the code pattern setting ``key`` says of ``text`` (see :func:`fullmatch_may`);
    ``None`` when it is not set and the service's own rule decides."""
    value = table.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        return True  # read differently by different adapters: theirs to judge
    return fullmatch_may(value, text)


def dashed_may_take(table: Mapping[str, Any], text: str) -> bool:
    """``may_take`` of a service whose own codes all have a dash (a serial, bare or in a URL;
    ``HC-000123``) unless its ``pattern`` setting says otherwise."""
    by_pattern = pattern_may_take(table, text)
    return "-" in text if by_pattern is None else by_pattern


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
    #: New customers need both a first and a last name (not either).
    both_names: bool = False
    #: Where new customers' card templates come from, said when there are none (marked with
    #: ``N_()``; :func:`~pos_app.core.services.templates_notes` translates it).
    templates_note: str = ""
    #: Adds the service's own back-office commands to ``pos-app``'s subcommands; each sets
    #: ``run=(counter, args) -> exit code`` as its parser default.
    cli: Callable[[argparse._SubParsersAction], None] | None = None  # type: ignore[type-arg]
    #: ``may_take(table, text)``: ``False`` only for a code (trimmed, not empty) the adapter
    #: built from ``table`` surely refuses, so that the router can pass the service by without
    #: importing its adapter; a looser test than the adapter's own. ``None``: any code may be.
    may_take: Callable[[Mapping[str, Any], str], bool] | None = None
    #: Where an operation the till cannot finish is finished (a system's name, not
    #: translated); empty: the service's own back office, under its :attr:`title`.
    back_office: str = ""

    def __post_init__(self) -> None:
        # Every service's table takes the delivery and transport settings all adapters share.
        missing = tuple(f for f in COMMON if f.key not in {g.key for g in self.fields})
        if missing:
            object.__setattr__(self, "fields", self.fields + missing)

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
