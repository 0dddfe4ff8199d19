"""A service's addresses as the settings give them: checked before any byte is sent.

An address must be ``https://``; plain ``http://`` only to loopback (``localhost``,
127.0.0.0/8, ``::1``: the sandbox, a local proxy) or when the service's table says
``allow_insecure_http = true``. A user name or password in an address is always refused:
credentials have their own settings, and an address ends up in logs and screenshots.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pos_app.core.errors import ConfigError
from pos_app.core.i18n import _
from pos_app.core.services.spec import ALLOW_INSECURE_HTTP, ServiceSpec

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1``."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_addresses(spec: ServiceSpec, table: Mapping[str, Any]) -> None:
    """:class:`ConfigError` naming the setting when one of ``spec``'s address fields is not
    a usable address (the message never repeats what the address holds)."""
    allow = table.get(ALLOW_INSECURE_HTTP.key, False)
    if not isinstance(allow, bool):
        raise ConfigError(_("[{table}] {key} must be true or false.").format(
            table=spec.name, key=ALLOW_INSECURE_HTTP.key))
    for setting in spec.fields:
        value = table.get(setting.key)
        if setting.url and isinstance(value, str) and value.strip():
            _check(spec.name, setting.key, value.strip(), allow)


def _not_an_address(setting: str) -> str:
    # i18n: {setting} is a settings key with its table ("[service] base_url").
    return _("{setting} is not a web address.").format(setting=setting)


def _type_it() -> str:
    return _("Type it as https://host/path.")


def _check(service: str, key: str, url: str, allow_insecure: bool) -> None:
    where = f"[{service}] {key}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise ConfigError(_not_an_address(where), _type_it()) from None
    if "@" in parts.netloc:
        raise ConfigError(_("{setting} has a user name or password in the address; it was not "
                            "used.").format(setting=where),
                          _("Remove it from the address: the service's credentials have "
                            "their own settings."))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise ConfigError(_not_an_address(where), _type_it())
    if scheme == "http" and not is_loopback(host):
        if not allow_insecure:
            raise ConfigError(_("{setting} uses plain http:// to {host}: the credentials would "
                                "cross the network unencrypted.").format(setting=where,
                                                                         host=host),
                              _("Use https://, or set {key} = true in [{table}] if this "
                                "network is trusted.").format(key=ALLOW_INSECURE_HTTP.key,
                                                              table=service))
        log.warning("[%s] %s = true: credentials go to %s over plain HTTP, unencrypted.",
                    service, ALLOW_INSECURE_HTTP.key, host)
