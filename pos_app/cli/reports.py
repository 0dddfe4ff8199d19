"""``pos-app journal``, ``shift`` and ``slip``: they read the journal only (no service is
contacted, no sandbox started)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pos_app.core import formatting
from pos_app.core.errors import ConfigError, InvalidInput
from pos_app.core.i18n import _, ngettext, pgettext
from pos_app.core.journal import Journal, JournalFilter, State


def add_journal_arguments(p: argparse.ArgumentParser) -> None:
    """Filters and export for ``pos-app journal``."""
    p.add_argument("--csv", metavar="FILE", help=_("write the matching entries to FILE (CSV, "
                   "UTF-8 with BOM, oldest first)"))
    p.add_argument("--sep", metavar="SEP", default=None,
                   help=_("CSV separator: , ; or tab (default: [export] separator, else ,); "
                   "with ; figures get a decimal comma, as Excel expects in Russian"))
    p.add_argument("--since", metavar="DATE",
                   help=_("from this local date (or date and time)"))
    p.add_argument("--until", metavar="DATE", help=_("up to and including this local date"))
    p.add_argument("--service", default="", help=_("only this service"))
    p.add_argument("--card", default="", help=_("only this card (code or id)"))
    p.add_argument("--operation", default="",
                   help=_("only this operation (purchase, stamp...)"))
    p.add_argument("--kind", default="", help=_("only this card kind (points, gift...)"))
    p.add_argument("--state", action="append", default=[],
                   help=_("only this state: done, failed, unknown, pending (repeatable)"))
    p.add_argument("--search", default="", metavar="TEXT",
                   help=_("card code or holder's name containing TEXT"))


def add_parsers(sub: Any) -> None:
    """``shift`` and ``slip``."""
    p = sub.add_parser("shift",
                       help=_("the open (or last) shift's summary; open or close one"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p.add_argument("--id", type=int, default=None, help=_("another shift, by its number"))
    what = p.add_mutually_exclusive_group()
    what.add_argument("--open", action="store_true", help=_("open a shift now"))
    what.add_argument("--close", action="store_true", help=_("close the open shift now"))
    p = sub.add_parser("slip", help=_("print a journal row's slip again, or save it as PDF"))
    p.add_argument("journal_id", type=int, metavar="JOURNAL_ID")
    p.add_argument("--pdf", metavar="FILE", help=_("save as PDF instead of printing"))
    p.add_argument("--text", action="store_true", help=_("show the slip's text instead"))
    p.add_argument("--width", type=int, choices=(58, 80), default=None,
                   help=_("paper width in mm (default: [shop] slip_width, else 58)"))


def _journal() -> Journal:
    """This till's journal; a damaged one found on the way is said on stderr (once)."""
    from pos_app.core.counter import JOURNAL_FILE
    from pos_app.core.paths import data_dir

    journal = Journal(data_dir() / JOURNAL_FILE)
    if journal.moved_aside is not None:
        print(journal.moved_aside.message(), file=sys.stderr)
    return journal


def journal_filter(args: argparse.Namespace) -> JournalFilter:
    from pos_app.core.export import parse_when

    states = []
    for word in args.state:
        for part in word.split(","):
            try:
                states.append(State(part.strip().lower()))
            except ValueError:
                raise InvalidInput(_("Unknown state {state!r}.").format(state=part),
                                   _("Use done, failed, unknown or pending.")) from None
    return JournalFilter(
        service=args.service.strip().lower(), card=args.card, operation=args.operation.strip(),
        kind=args.kind.strip().lower(), states=tuple(states), text=args.search,
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until, end=True) if args.until else None)


def journal(args: argparse.Namespace) -> int:
    from pos_app.core.export import separator, write_csv
    from pos_app.core.settings import load_settings

    where = journal_filter(args)
    sep = separator(args.sep if args.sep is not None else
                    (load_settings(args.config).data.get("export") or {}).get("separator"))
    book = _journal()
    try:
        if args.csv:
            entries = book.search(where, oldest_first=True, limit=args.limit)
            n = write_csv(entries, Path(args.csv).expanduser(), sep=sep)
            print(ngettext("{count} entry written to {path}.",
                           "{count} entries written to {path}.", n).format(
                count=formatting.number(n), path=args.csv))
            return 0
        entries = book.search(where, limit=args.limit)
    finally:
        book.close()
    if args.json:
        _print_json([e.to_json() for e in entries])
        return 0
    if not entries:
        print(_("No journal entries match.") if where != JournalFilter()
              else _("The journal is empty."))
    for line in _journal_lines(entries):
        print(line)
    return 0


def _state_words() -> dict[str, str]:
    """The states the journal list shows (and ``--state`` takes in English)."""
    return {"done": pgettext("journal state", "done"),
            "failed": pgettext("journal state", "failed"),
            "unknown": pgettext("journal state", "unknown"),
            "pending": pgettext("journal state", "pending"),
            "waiting": pgettext("journal state", "waiting")}


def _journal_lines(entries: list[Any]) -> list[str]:
    """One line per entry: number, local time, state, service, card, operation, error."""
    words = _state_words()
    width = max(len(w) for w in words.values())
    lines = []
    for e in entries:
        state = "waiting" if e.waiting_step is not None else e.state.value
        line = (f"#{e.id:<5} {formatting.iso_datetime(e.created)}  "
                f"{words.get(state, state):<{width}} {e.service:<6} {e.card:<16} "
                f"{' '.join([e.operation, *e.args])}")
        if e.error:
            line += f"  — {e.error}"
        lines.append(line)
    return lines


def shift(args: argparse.Namespace) -> int:
    from pos_app.core.paths import data_dir
    from pos_app.core.shift import LOCK_FILE, ShiftBook, summary_text

    book = _journal()
    shifts = ShiftBook(book, data_dir() / LOCK_FILE)
    try:
        note = shifts.start(resume=False)
        if note and not args.json:
            print(note, file=sys.stderr)
        if args.open:
            shifts.open()
        elif args.close:
            shifts.close()
        chosen = shifts.last() if args.id is None else book.shift(args.id)
        if chosen is None:
            if args.id is not None:
                raise InvalidInput(_("There is no shift #{id}.").format(id=args.id))
            if args.json:
                _print_json({"shift": None})
            else:
                print(_("No shift yet: the cashier opens one in the window."))
            return 0
        summary = shifts.summary(chosen)
    finally:
        shifts.stop()
        book.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        print("\n".join(summary_text(summary)))
    return 0


def slip(args: argparse.Namespace) -> int:
    from pos_app.core.settings import load_settings
    from pos_app.core.slip import Shop, build_slip

    book = _journal()
    try:
        entry = book.get(args.journal_id)
    finally:
        book.close()
    if entry is None:
        raise InvalidInput(_("There is no journal entry #{id}.").format(id=args.journal_id))
    shop = Shop.from_settings(load_settings(args.config).data.get("shop"))
    made = build_slip(entry, shop, copy=True)
    if args.text:
        print("\n".join(made.lines()))
        return 0
    width = args.width or shop.width
    _gui()
    from pos_app.qt import slip_print

    if args.pdf:
        path = slip_print.save_pdf(made, Path(args.pdf).expanduser(), width)
        print(_("Slip #{id} saved as {path}.").format(id=entry.id, path=path))
        return 0
    printer = slip_print.default_printer()
    slip_print.print_slip(made, printer, width)
    print(_("Slip #{id} sent to {printer}.").format(id=entry.id, printer=printer.printerName()))
    return 0


def _gui() -> None:
    """A QGuiApplication for fonts and printers (offscreen when there is no display)."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        _gui.app = QGuiApplication(["pos-app"])  # type: ignore[attr-defined]
    except RuntimeError as exc:  # pragma: no cover - a broken Qt install
        raise ConfigError(_("Qt cannot start: {why}").format(why=exc)) from None


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


COMMANDS = {"journal": journal, "shift": shift, "slip": slip}
