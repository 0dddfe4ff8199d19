"""Which tables and keys a settings file may have, so that a typo is an error that names it
instead of a till silently running on demo data.

The tables are each service's (its keys are its spec's fields), ``[scanner]`` (the scanner
inputs, :mod:`pos_app.core.scanning.options`), ``[sandbox]`` (``enabled = true`` runs the
built-in sandbox although a settings file exists), ``[shop]`` (slips, the currency sign),
``[export]`` (CSV) and ``[app]`` (the language).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pos_app.core.errors import ConfigError
from pos_app.core.i18n import _
from pos_app.core.scanning import options as scanner_options
from pos_app.core.services import SERVICES

SANDBOX_TABLE = "sandbox"
SANDBOX_KEY = "enabled"
#: The shop's name and address on slips (:mod:`pos_app.core.slip`), and the CSV export's
#: options (:mod:`pos_app.core.export`).
SHOP_TABLE, SHOP_KEYS = "shop", ("name", "address", "slip_width", "currency")
#: The app's own options: ``language`` (``system``, ``en``, ``ru``; :mod:`pos_app.core.i18n`).
APP_TABLE, APP_KEYS = "app", ("language",)
EXPORT_TABLE, EXPORT_KEYS = "export", ("separator",)


def known_tables() -> dict[str, tuple[str, ...]]:
    """Every table the app reads, with the keys it may have."""
    tables = {spec.name: tuple(f.key for f in spec.fields) for spec in SERVICES}
    tables["scanner"] = scanner_options.KEYS
    tables[SANDBOX_TABLE] = (SANDBOX_KEY,)
    tables[APP_TABLE] = APP_KEYS
    tables[SHOP_TABLE] = SHOP_KEYS
    tables[EXPORT_TABLE] = EXPORT_KEYS
    return tables


def _guess(word: str, choices: tuple[str, ...] | list[str], form: str = "{}") -> str:
    import difflib  # only for a misspelt name

    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    # i18n: added after a settings problem: " (did you mean [shop]?)".
    return _(" (did you mean {name}?)").format(name=form.format(close[0])) if close else ""


def check_schema(path: Path, data: Mapping[str, Any]) -> None:
    """:class:`ConfigError` naming every table and key of ``data`` the app does not know."""
    tables = known_tables()
    problems: list[str] = []
    for name, table in data.items():
        if name not in tables:
            # i18n: one of the problems listed in "The settings file … has …".
            problem = (_("a table the app does not know: [{name}]") if isinstance(table, dict)
                       else _("a setting outside any table the app does not know: [{name}]"))
            problems.append(problem.format(name=name) + _guess(name, list(tables), "[{}]"))
            continue
        if not isinstance(table, dict):
            # i18n: one of the problems listed in "The settings file … has …".
            problems.append(_("{name} is not a table (write it as [{name}])").format(name=name))
            continue
        unknown = [k for k in table if k not in tables[name]]
        for key in unknown:
            # i18n: one of the problems listed in "The settings file … has …".
            problems.append(_("[{table}] has {key}, which the app does not know").format(
                table=name, key=key) + _guess(key, tables[name]))
    sandbox = data.get(SANDBOX_TABLE)
    if isinstance(sandbox, dict) and not isinstance(sandbox.get(SANDBOX_KEY, False), bool):
        # i18n: one of the problems listed in "The settings file … has …".
        problems.append(_("[{table}] {key} must be true or false").format(table=SANDBOX_TABLE,
                                                                         key=SANDBOX_KEY))
    problems.extend(_display_problems(data))
    if problems:
        known = ", ".join(f"[{t}]" for t in tables)
        # i18n: {problems} lists what is wrong, separated by semicolons.
        raise ConfigError(_("The settings file {path} has {problems}.").format(
            path=path, problems="; ".join(problems)),
            _("Fix the file (names are lower case; the tables are {tables}); nothing was "
              "sent.").format(tables=known))


def _display_problems(data: Mapping[str, Any]) -> list[str]:
    """Problems with ``[app] language`` and ``[shop] currency``."""
    from pos_app.core import i18n

    problems: list[str] = []
    app = data.get(APP_TABLE)
    if isinstance(app, dict) and "language" in app:
        try:
            i18n.parse_choice(app["language"])
        except ValueError:
            choices = ", ".join([i18n.SYSTEM, *i18n.LANGUAGES])
            # i18n: one of the problems listed in "The settings file … has …".
            problems.append(_("[{table}] language must be one of {choices}").format(
                table=APP_TABLE, choices=choices))
    shop = data.get(SHOP_TABLE)
    if isinstance(shop, dict) and "currency" in shop:
        value = shop["currency"]
        if not isinstance(value, str) or (value.strip() and not _currency_known(value)):
            # i18n: one of the problems listed in "The settings file … has …".
            problems.append(_("[{table}] currency must be a currency code such as \"RUB\" or "
                              "\"EUR\" (or \"\" for none)").format(table=SHOP_TABLE))
    return problems


def _currency_known(code: str) -> bool:
    from pos_app.core.formatting import valid_currency

    return valid_currency(code)
