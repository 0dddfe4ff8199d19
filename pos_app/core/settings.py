"""Settings: a TOML file with one table per service (its keys are the fields of the
service's :class:`~pos_app.core.services.spec.ServiceSpec`) and tables for other parts of the
app (``[scanner]``...).

A service is configured when its table has a ``base_url``. The built-in sandbox runs only
when there is no settings file at all or the file says ``[sandbox] enabled = true``; a file
that configures no service otherwise is an error, and so is any table or key the app does not
know (:mod:`pos_app.core.settings_schema`), so that a typo never puts a till on demo data.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_app.core.errors import ConfigError
from pos_app.core.file_modes import exposure, make_private_fd
from pos_app.core.i18n import _
from pos_app.core.paths import config_path
from pos_app.core.services import SERVICES
from pos_app.core.settings_schema import SANDBOX_KEY, SANDBOX_TABLE, check_schema, known_tables

log = logging.getLogger(__name__)

@dataclass
class Settings:
    """The parsed settings file (``data`` keeps everything, known or not)."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    #: Problems found on reading that do not stop the app (a file readable by others...).
    warnings: list[str] = field(default_factory=list)
    #: Whether the file existed when it was read (or has been saved since).
    found: bool = False

    def service(self, name: str) -> dict[str, Any] | None:
        """The table of a configured service, or ``None`` when it has no ``base_url``."""
        table = self.data.get(name)
        if isinstance(table, dict) and str(table.get("base_url") or "").strip():
            return table
        return None

    @property
    def configured(self) -> list[str]:
        return [s.name for s in SERVICES if self.service(s.name) is not None]

    @property
    def sandbox_requested(self) -> bool:
        """``[sandbox] enabled = true``."""
        table = self.data.get(SANDBOX_TABLE)
        return isinstance(table, dict) and table.get(SANDBOX_KEY) is True

    @property
    def uses_sandbox(self) -> bool:
        """On the built-in sandbox: asked for, or no settings file at all."""
        return self.sandbox_requested or (not self.found and not self.configured)

    @property
    def sandbox_reason(self) -> str:
        """Why the app is on the sandbox, in words (for the command line's notice)."""
        if self.sandbox_requested:
            return _("[{table}] {key} = true in {path}").format(table=SANDBOX_TABLE,
                                                               key=SANDBOX_KEY, path=self.path)
        return _("no settings file at {path}").format(path=self.path)

    def nothing_configured(self) -> ConfigError:
        """The error for a settings file that configures no service and no sandbox."""
        services = ", ".join(f"[{s.name}]" for s in SERVICES)
        return ConfigError(_("The settings file {path} configures no service (no base_url in "
                             "{tables}).").format(path=self.path, tables=services),
                           _("Set a service's base_url, or add [{table}] {key} = true to run "
                             "on the built-in sandbox with demo cards.").format(
                               table=SANDBOX_TABLE, key=SANDBOX_KEY))

    @property
    def language(self) -> str:
        """``[app] language``: ``system`` (the default), ``en`` or ``ru``."""
        from pos_app.core import i18n

        table = self.data.get("app")
        try:
            return i18n.parse_choice(table.get("language", i18n.SYSTEM)
                                     if isinstance(table, dict) else i18n.SYSTEM)
        except ValueError:
            return i18n.SYSTEM

    @property
    def currency(self) -> str | None:
        """``[shop] currency`` (``RUB``); ``""`` is none; unset is the system territory's."""
        from pos_app.core.formatting import UNSET

        table = self.data.get("shop")
        if not isinstance(table, dict) or "currency" not in table:
            return UNSET
        return str(table["currency"]).strip().upper() or None

    def section(self, name: str) -> dict[str, Any]:
        """A table (created empty if missing) for other parts of the app to keep options in;
        only the tables :func:`~pos_app.core.settings_schema.known_tables` lists (a file
        saved with another would not load again)."""
        if name not in known_tables():
            raise ValueError(f"[{name}] is not a settings table the app knows")
        table = self.data.setdefault(name, {})
        if not isinstance(table, dict):
            raise ConfigError(_("[{table}] in {path} is not a table.").format(
                table=name, path=self.path))
        return table

    def save(self) -> None:
        """Write the file atomically, readable by the user alone.

        Secrets go to the system keyring when one works (the file then says ``"keyring:"``);
        otherwise they stay in the file (see :mod:`pos_app.core.secrets`). A till on the
        sandbox for want of a file gets ``[sandbox] enabled = true``: it stays on it.
        """
        if self.uses_sandbox and not self.sandbox_requested:
            self.data[SANDBOX_TABLE] = {**(self.data.get(SANDBOX_TABLE) or {}),
                                        SANDBOX_KEY: True}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        import tomli_w  # only to save: reading the settings does not need it

        with os.fdopen(fd, "wb") as fh:
            make_private_fd(fh.fileno())  # a stale temp file keeps its old mode otherwise
            tomli_w.dump(_secrets_to_keyring(self.data), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self.found = True


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    """Read the settings file; a missing file means no services (the sandbox)."""
    path = config_path(explicit)
    if not path.exists():
        return Settings(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except UnicodeDecodeError as exc:
        raise ConfigError(_("The settings file {path} is not UTF-8 text (byte {byte} at "
                            "position {position}).").format(
                              path=path, byte=f"0x{exc.object[exc.start]:02x}",
                              position=exc.start),
                          _("Save it as UTF-8, or move it away to start on the sandbox.")
                          ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("The settings file {path} is not valid TOML ({error}).").format(
            path=path, error=exc), _("Fix the file or move it away to start on the sandbox.")
                          ) from None
    except OSError as exc:
        raise ConfigError(_("The settings file {path} cannot be read ({error}).").format(
            path=path, error=exc.strerror)) from None
    check_schema(path, data)
    settings = Settings(path, data, found=True)
    if _secrets_in_file(data):
        warning = exposure(path, _("The settings file {path}, which holds service secrets, "
                                   "can be read by other users of this computer (mode "
                                   "{mode})."))
        if warning:
            log.warning("%s", warning)
            settings.warnings.append(warning)
    _secrets_from_keyring(settings)
    _validate(settings)
    return settings


def _secrets_in_file(data: dict[str, Any]) -> bool:
    """Whether the file itself holds a secret (not a keyring marker)."""
    from pos_app.core import secrets

    for spec in SERVICES:
        table = data.get(spec.name)
        if isinstance(table, dict) and any(
                isinstance(table.get(k), str) and table[k].strip()
                and not secrets.is_placeholder(table[k]) for k in spec.secret_keys):
            return True
    return False


def _secrets_from_keyring(settings: Settings) -> None:
    """Fill in secrets the file keeps in the keyring (``"keyring:"``), or leaves out when the
    service requires them."""
    from pos_app.core import secrets

    for spec in SERVICES:
        name = spec.name
        table = settings.service(name)
        if table is None:
            continue
        for key in spec.secret_keys:
            value = table.get(key)
            if value not in (None, "") and not secrets.is_placeholder(value):
                continue
            setting = spec.field(key)
            if value in (None, "") and not (setting is not None and setting.required):
                continue  # an optional secret not used here (the keyring is not even loaded)
            found = secrets.load(name, key)
            if found is not None:
                table[key] = found
            elif secrets.is_placeholder(value):
                raise ConfigError(_("[{table}] {key} in {path} is kept in the system keyring, "
                                    "which cannot be read here.").format(
                                      table=name, key=key, path=settings.path),
                                  # i18n: {keyring} says what happens to secrets here (a
                                  # whole sentence); {key} is a settings key ("token").
                                  _("{keyring} Type the {key} again in the settings.").format(
                                      keyring=secrets.status().message, key=key))


def _secrets_to_keyring(data: dict[str, Any]) -> dict[str, Any]:
    """What the file gets: ``data`` with each secret the keyring took replaced by a marker."""
    from pos_app.core import secrets

    out = dict(data)
    for spec in SERVICES:
        name = spec.name
        table = data.get(name)
        if not isinstance(table, dict):
            continue
        for key in spec.secret_keys:
            value = table.get(key)
            if isinstance(value, str) and value and not secrets.is_placeholder(value) \
                    and secrets.store(name, key, value):
                out[name] = {**out[name], key: secrets.PLACEHOLDER}
    return out


def _validate(settings: Settings) -> None:
    if settings.sandbox_requested and settings.configured:
        raise ConfigError(_("The settings file {path} says [{table}] {key} = true and "
                            "configures {tables} too.").format(
                              path=settings.path, table=SANDBOX_TABLE, key=SANDBOX_KEY,
                              tables=", ".join(f"[{n}]" for n in settings.configured)),
                          _("Remove [{table}] to use the service, or its base_url to stay on "
                            "the sandbox.").format(table=SANDBOX_TABLE))
    for spec in SERVICES:
        name = spec.name
        table = settings.service(name)
        if table is None:
            continue
        missing = [k for k in spec.required_keys
                   if k != "base_url" and not str(table.get(k) or "").strip()]
        if missing:
            raise ConfigError(_("[{table}] in {path} has a base_url but no {keys}.").format(
                table=name, path=settings.path, keys=", ".join(missing)),
                _("Fill in the missing keys."))


def mask_secret(value: str) -> str:
    """``'abcdef123456'`` -> ``'••••••••3456'`` for display; short values fully masked."""
    if len(value) <= 6:
        return "•" * len(value)
    return "•" * (len(value) - 4) + value[-4:]


def display_choices(explicit: str | os.PathLike[str] | None = None) -> tuple[str, str | None]:
    """``[app] language`` and ``[shop] currency`` of the settings file, read cheaply before
    anything else (the command line's help and the window's first texts need them):
    ``("system", UNSET)`` when the file or the keys are missing or bad."""
    from pos_app.core import i18n
    from pos_app.core.formatting import UNSET

    try:
        with config_path(explicit).open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return i18n.SYSTEM, UNSET
    settings = Settings(Path(), data)
    return settings.language, settings.currency


def apply_display(language: str, currency: str | None, *, system: Iterable[str] = ()) -> str:
    """Show texts, numbers and money as the settings say (:func:`display_choices`); the
    language in use. ``system`` is the window's list of the system's languages."""
    from pos_app.core import formatting, i18n

    formatting.set_currency(currency)
    return i18n.setup(language, system=system)
