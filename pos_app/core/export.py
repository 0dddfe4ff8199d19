"""Journal rows to CSV (UTF-8 with a BOM, so that Excel shows Cyrillic names right) and back.

The header is in the chosen language (English: the column names below, which scripts use);
the values stay machine-friendly in every language: ISO dates, plain decimals, the journal's
state and operation names (only ``what``, the operation in words as its button names it on
that card, is in the language).

``time`` is the till's local time (as a spreadsheet reads a date and time), ``utc`` the same
moment in UTC (ISO 8601). Effects are plain decimals with a point; with ``;`` as the separator
(what Excel expects where the comma is the decimal separator: Russian, German...) they get a
decimal comma instead. Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
``@`` at the start) is written with a leading apostrophe, which :func:`read_csv` removes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pos_app.core import i18n
from pos_app.core.effects import effect_names
from pos_app.core.entry_text import entry_what
from pos_app.core.errors import InvalidInput
from pos_app.core.i18n import N_, _
from pos_app.core.journal import Entry

#: Columns in order; the figures follow these.
BASE_COLUMNS = ("id", "time", "utc", "service", "card", "card_id", "card_kind", "holder",
                "operation", "args", "what", "state", "error")
COLUMNS = (*BASE_COLUMNS, *effect_names())
#: Free text from services or cashiers (guarded against spreadsheet formulas).
_TEXT_COLUMNS = frozenset({"card", "card_id", "holder", "what", "error"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIGURES = frozenset(effect_names()) - {"balance_unit"}
#: Field separators by the name a setting or option gives them.
SEPARATORS = {",": ",", ";": ";", "tab": "\t"}

DATE_HINT = N_("Type a date as YYYY-MM-DD (or YYYY-MM-DD HH:MM).")


def column_titles(pgettext: Callable[[str, str], str] = i18n.pgettext) -> dict[str, str]:
    """Each column's header in the chosen language, by column name (English: the name).

    ``pgettext`` may be another language's catalogue's, to read a file written in it.
    """
    # i18n: headers of the journal's CSV export (spreadsheet columns)
    return {
        "id": pgettext("CSV column", "id"), "time": pgettext("CSV column", "time"),
        "utc": pgettext("CSV column", "utc"), "service": pgettext("CSV column", "service"),
        "card": pgettext("CSV column", "card"), "card_id": pgettext("CSV column", "card_id"),
        "card_kind": pgettext("CSV column", "card_kind"),
        "holder": pgettext("CSV column", "holder"),
        "operation": pgettext("CSV column", "operation"),
        "args": pgettext("CSV column", "args"), "what": pgettext("CSV column", "what"),
        "state": pgettext("CSV column", "state"), "error": pgettext("CSV column", "error"),
        "to_pay": pgettext("CSV column", "to_pay"),
        "discount": pgettext("CSV column", "discount"),
        "points_earned": pgettext("CSV column", "points_earned"),
        "points_spent": pgettext("CSV column", "points_spent"),
        "money_added": pgettext("CSV column", "money_added"),
        "money_spent": pgettext("CSV column", "money_spent"),
        "stamps_given": pgettext("CSV column", "stamps_given"),
        "stamps_taken": pgettext("CSV column", "stamps_taken"),
        "rewards_used": pgettext("CSV column", "rewards_used"),
        "held": pgettext("CSV column", "held"),
        "balance_after": pgettext("CSV column", "balance_after"),
        "balance_unit": pgettext("CSV column", "balance_unit"),
        "stamps_after": pgettext("CSV column", "stamps_after"),
    }


def _names_by_title() -> dict[str, str]:
    """Column names by their header in any language the app speaks (and by name)."""
    found = {name: name for name in COLUMNS}
    for code in i18n.LANGUAGES:
        catalogue = None if code == i18n.SOURCE_LANGUAGE else i18n.load_catalogue(code)
        if catalogue is not None:
            found.update({title: name for name, title
                          in column_titles(catalogue.pgettext).items()})
    return found


def local_time(iso: str) -> str:
    """A UTC journal time in the local zone, to the second: ``2026-12-01 21:50:41``."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def separator(name: object) -> str:
    """The field separator a setting or option names (``,`` ``;`` or ``tab``)."""
    text = str(name or ",").strip().lower() or ","
    if text not in SEPARATORS:
        raise InvalidInput(_("{value} is not a CSV separator.").format(value=repr(text)),
                           _("Use , or ; or tab."))
    return SEPARATORS[text]


def row_of(entry: Entry) -> dict[str, Any]:
    """One CSV row (as text) for a journal entry."""
    row: dict[str, Any] = {
        "id": entry.id, "time": local_time(entry.created), "utc": entry.created,
        "service": entry.service,
        "card": entry.card, "card_id": entry.card_id, "card_kind": entry.kind,
        "holder": entry.holder, "operation": entry.operation, "args": " ".join(entry.args),
        "what": entry_what(entry), "state": entry.state.value, "error": entry.error or "",
    }
    for name, value in entry.effects.columns().items():
        row[name] = "" if value is None else value
    return row


def _guard(value: Any) -> Any:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else value


def write_csv(entries: Iterable[Entry], path: Path, *, sep: str = ",") -> int:
    """Write the entries to ``path`` (replaced atomically); return how many were written.

    ``sep`` is ``,`` ``;`` or a tab; with ``;`` figures get a decimal comma.
    """
    comma = sep == ";"
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=sep)
            writer.writerow(column_titles())
            for entry in entries:
                row = row_of(entry)
                writer.writerow({k: _cell(k, v, comma) for k, v in row.items()})
                count += 1
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InvalidInput(_("Cannot write {path}: {why}.").format(path=path,
                                                                   why=exc.strerror or exc),
                           _("Choose a folder you can write to; the journal is unchanged.")
                           ) from None
    return count


def _cell(key: str, value: Any, comma: bool) -> Any:
    if key in _TEXT_COLUMNS:
        return _guard(value)
    if comma and key in _FIGURES:
        return str(value).replace(".", ",")
    return value


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a file :func:`write_csv` wrote (any separator, a header in any language), by
    column name, as text with decimal points, the formula guard removed."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
        sep = next((c for c in (";", "\t") if c in header), ",")
        fh.seek(0)
        reader = csv.reader(fh, delimiter=sep)
        names = _names_by_title()
        header = [names.get(title, title) for title in next(reader, [])]
        rows = [dict(zip(header, cells, strict=False)) for cells in reader if cells]
    for row in rows:
        if sep == ";":
            for key in _FIGURES & row.keys():
                row[key] = row[key].replace(",", ".")
        for key in _TEXT_COLUMNS & row.keys():
            value = row[key]
            if value.startswith("'") and value[1:].startswith(_FORMULA_START):
                row[key] = value[1:]
    return rows


def parse_when(text: str, *, end: bool = False) -> dt.datetime:
    """A local date (``YYYY-MM-DD``) or date and time as an aware datetime.

    With ``end`` a bare date means the end of that day (the next midnight), so that
    ``--until 2026-12-01`` includes the whole of the 1st.
    """
    raw = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return (day + dt.timedelta(days=1 if end else 0)).astimezone()
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("{value} is not a date.").format(value=repr(raw)),
                           _(DATE_HINT)) from None
    return when if when.tzinfo else when.astimezone()
