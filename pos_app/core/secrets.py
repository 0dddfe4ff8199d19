"""Service secrets (tokens, client secrets, passwords) in the operating system's keyring.

The keyring backend is chosen explicitly per platform: Windows Credential Locker
(``WinVaultKeyring``), the macOS Keychain, the Secret Service on Linux (GNOME Keyring, KWallet
5.97+, KeePassXC). The ``keyring`` library's automatic choice is not used, so that a "fail",
"null", chained or plaintext backend is never picked by accident. A backend set explicitly with
``keyring.set_keyring`` (an integrator's or a test's) is used when it is a real store.

When no keyring works, :func:`status` says so in a sentence the settings dialog and
``pos-app check`` can show, and the settings file keeps the secrets (created mode 0600).
``POS_APP_NO_KEYRING=1`` forces the file (the tests set it).

In the settings file a secret kept in the keyring reads ``token = "keyring:"``. ``keyring``
(and, through its Secret Service backend, ``cryptography``) is imported on first use only: a
command whose secrets are all in the file never loads it.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pos_app.core.i18n import _

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

#: The keyring "service" every secret of the app is stored under.
KEYRING_SERVICE = "pos-app"
#: What the settings file holds in place of a secret kept in the keyring.
PLACEHOLDER = "keyring:"
NO_KEYRING_ENV = "POS_APP_NO_KEYRING"

#: Backends that are not a real store: never used, even when set.
_REJECTED_MODULES = ("keyring.backends.fail", "keyring.backends.null",
                     "keyring.backends.chainer", "keyrings.alt")


@dataclass(frozen=True)
class KeyringStatus:
    """Whether secrets go to a keyring, and a sentence to show the shop owner."""

    available: bool
    backend: str
    message: str


def _platform_backend() -> KeyringBackend | None:
    """The platform's own keyring, chosen by name, if it works here; else ``None``."""
    try:
        backend: KeyringBackend
        if sys.platform == "win32":
            from keyring.backends.Windows import WinVaultKeyring

            backend = WinVaultKeyring()
        elif sys.platform == "darwin":
            from keyring.backends.macOS import Keyring as MacKeyring

            backend = MacKeyring()
        else:
            from keyring.backends.SecretService import Keyring as SecretServiceKeyring

            backend = SecretServiceKeyring()
        if backend.priority <= 0:  # the property raises when the platform store is missing
            return None
        return backend
    except Exception as exc:  # any failure means "no keyring here"
        log.info("no system keyring: %s", type(exc).__name__)
        return None


def _usable(backend: object) -> bool:
    from keyring.backend import KeyringBackend

    module = type(backend).__module__
    return isinstance(backend, KeyringBackend) and not module.startswith(_REJECTED_MODULES)


def backend() -> KeyringBackend | None:
    """The keyring to use now, or ``None`` when secrets must stay in the settings file."""
    if os.environ.get(NO_KEYRING_ENV, "").strip() not in ("", "0"):
        return None
    import keyring.core

    chosen = getattr(keyring.core, "_keyring_backend", None)  # set by keyring.set_keyring
    if chosen is not None and _usable(chosen):
        return chosen  # type: ignore[no-any-return]
    return _platform_backend()


def status() -> KeyringStatus:
    """What happens to secrets here, in words for the settings dialog and ``pos-app check``."""
    if os.environ.get(NO_KEYRING_ENV, "").strip() not in ("", "0"):
        return KeyringStatus(False, "", _("The system keyring is switched off ({variable}): "
                                          "service secrets are kept in the settings file, "
                                          "readable by your user account only.").format(
                                              variable=NO_KEYRING_ENV))
    found = backend()
    if found is None:
        return KeyringStatus(False, "", _("No system keyring works on this computer: service "
                                          "secrets are kept in the settings file, readable by "
                                          "your user account only. Install or unlock a "
                                          "keyring (Windows Credential Manager, macOS "
                                          "Keychain, GNOME Keyring or KWallet) to keep them "
                                          "there instead."))
    name = getattr(found, "name", type(found).__name__)
    return KeyringStatus(True, name, _("Service secrets are kept in the system keyring "
                                       "({name}).").format(name=name))


def _user(service: str, key: str) -> str:
    return f"{service}.{key}"


def load(service: str, key: str) -> str | None:
    """A secret from the keyring, or ``None`` (not there, or no keyring works)."""
    keeper = backend()
    if keeper is None:
        return None
    try:
        value = keeper.get_password(KEYRING_SERVICE, _user(service, key))
    except Exception as exc:  # a locked or broken keyring is "not there"
        log.info("keyring: cannot read %s.%s: %s", service, key, type(exc).__name__)
        return None
    return value or None


def store(service: str, key: str, value: str) -> bool:
    """Keep a secret in the keyring; ``False`` when no keyring took it."""
    keeper = backend()
    if keeper is None:
        return False
    try:
        keeper.set_password(KEYRING_SERVICE, _user(service, key), value)
    except Exception as exc:  # fall back to the settings file
        log.info("keyring: cannot store %s.%s: %s", service, key, type(exc).__name__)
        return False
    return True


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == PLACEHOLDER
