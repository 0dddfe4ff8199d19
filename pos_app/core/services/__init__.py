"""The services the app speaks. :data:`SERVICES` is the one place that names them all.

Each service is a package here that owns every wire name of its service: ``wire`` (one method
per reference call), ``adapter`` (claim, card, plan, execute, refresh), ``sandbox`` and
``seed`` (the loopback service with its demo cards), and in its ``__init__`` the
:class:`~pos_app.core.services.spec.ServiceSpec` the rest of the app reads. Adding a service
is one package and one line below.
"""

from __future__ import annotations

from pos_app.core.errors import ConfigError
from pos_app.core.i18n import _
from pos_app.core.services import cpextender, loona, luna, mews, vmob
from pos_app.core.services.spec import ServiceSpec, SettingField

__all__ = ["SERVICES", "ServiceSpec", "SettingField", "get", "names", "templates_notes"]

#: Every service, in the router's order (specific codes first, catch-alls last).
SERVICES: tuple[ServiceSpec, ...] = tuple(sorted((luna.SERVICE, loona.SERVICE, vmob.SERVICE,
                                                  mews.SERVICE, cpextender.SERVICE),
                                                 key=lambda s: s.order))


def names() -> tuple[str, ...]:
    """The services' machine names, in the router's order."""
    return tuple(s.name for s in SERVICES)


def get(name: str) -> ServiceSpec:
    """The spec of service ``name``; :class:`ConfigError` for a name the app does not know."""
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise ConfigError(_("Unknown service {name}.").format(name=repr(name)),
                      _("The app knows: {names}.").format(names=", ".join(names())))


def templates_notes() -> str:
    """Where each service's card templates for new customers come from (in the chosen
    language)."""
    return " ".join(_(s.templates_note) for s in SERVICES if s.templates_note)
