"""Regenerate the README's screenshots from the real window on the sandbox.

``python -m pos_app.qt.screenshots [--lang ru] [--out docs/screenshots]`` (or ``pos-app
screenshots``) starts the window on fresh sandbox data, offscreen (or on ``$DISPLAY`` when one
is set, e.g. under ``xvfb-run``), drives it through its main states with the keyboard and saves
one PNG per state (``widget.grab()``; a dialog is drawn over the dimmed window). ``--lang ru``
shows it in Russian with ``[shop] currency = "RUB"`` (written to ``docs/screenshots/ru``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from pos_app.core.i18n import LANGUAGES, SOURCE_LANGUAGE, _
from pos_app.core.operations import OpName
from pos_app.core.services import SERVICES
from pos_app.qt import theme
from pos_app.qt.app import create_window, ensure_app
from pos_app.qt.drive import fresh_dirs, pump, type_text, wait_until
from pos_app.qt.operations_panel import SHORTCUTS

DEFAULT_OUT = Path("docs/screenshots")
#: The shop's currency in each language's screenshots (none: a bare number, as before).
CURRENCY = {"ru": "RUB"}


def default_out(lang: str) -> Path:
    """``docs/screenshots`` for English, ``docs/screenshots/<lang>`` for another language."""
    return DEFAULT_OUT if lang == SOURCE_LANGUAGE else DEFAULT_OUT / lang


def write_settings(path: str, lang: str) -> None:
    """A settings file for the sandbox in ``lang`` (with the shop's currency), as a shop in
    that country writes it; English keeps the sandbox's defaults (no file)."""
    if lang == SOURCE_LANGUAGE:
        return
    from pos_app.core.settings_schema import SANDBOX_KEY, SANDBOX_TABLE

    lines = [f"[{SANDBOX_TABLE}]", f"{SANDBOX_KEY} = true", "", "[app]", f'language = "{lang}"']
    if lang in CURRENCY:
        lines += ["", "[shop]", f'currency = "{CURRENCY[lang]}"']
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def showcase() -> dict[str, str]:
    """The sandbox's demo codes by role, the first service that has a role giving it."""
    found: dict[str, str] = {}
    for spec in SERVICES:
        for role, code in spec.sandbox().showcase().items():
            found.setdefault(role, code)
    return found


class Shooter:
    """Drives one window through the main states and saves each as a PNG."""

    def __init__(self, out: Path, size: tuple[int, int]) -> None:
        self.out = out
        self.size = size
        self.window = create_window(size=size)
        self.saved: list[Path] = []
        #: Text each state cuts or draws over other text (:mod:`pos_app.qt.text_fit`).
        self.cut: dict[str, list[str]] = {}

    # -- helpers -----------------------------------------------------------------------------

    def wait(self, predicate: Callable[[], object], what: str, timeout: float = 15.0) -> None:
        wait_until(predicate, timeout, what=what)
        pump(60)  # layouts settle, the window paints

    def idle(self) -> None:
        self.wait(lambda: not self.window.controller.busy_text, what="the services to answer")

    def save(self, name: str, dialog: QDialog | None = None) -> Path:
        """The window (with ``dialog`` centred over it, the window dimmed) as ``name.png``."""
        image = self.window.grab().toImage()
        if dialog is not None:
            shot = dialog.grab().toImage()
            painter = QPainter(image)
            painter.fillRect(image.rect(), QColor(0, 0, 0, 90))
            x = max(0, (image.width() - shot.width()) // 2)
            y = max(0, (image.height() - shot.height()) // 2)
            painter.drawImage(x, y, shot)
            painter.setPen(QColor(0, 0, 0, 140))
            painter.drawRect(x - 1, y - 1, shot.width() + 1, shot.height() + 1)
            painter.end()
        from pos_app.qt.text_fit import cut_texts

        problems = [*cut_texts(self.window), *(cut_texts(dialog) if dialog is not None else [])]
        if problems:
            self.cut[name] = problems
        path = self.out / f"{name}.png"
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
        self.saved.append(path)
        print(f"saved {path}  ({image.width()}x{image.height()})")
        return path

    def scan(self, code: str) -> None:
        """Type the code into the code field and press Enter, as a keyboard scanner does."""
        w = self.window
        w.code.setFocus()
        w.code.selectAll()
        type_text(w.code, code, enter=True)
        self.idle()

    def press(self, op: OpName) -> None:
        """Press the operation's function key."""
        QTest.keyClick(self.window, getattr(Qt.Key, f"Key_{SHORTCUTS[op]}"))
        self.wait(lambda: self.window.actions.currentWidget() is not self.window.ops_panel,
                  f"the {op.value} entry")

    def enter(self, widget: object) -> None:
        QTest.keyClick(widget, Qt.Key.Key_Return)  # type: ignore[arg-type]

    def set_look(self, mode: theme.Mode) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply_theme(app, mode)
        self.window.journal.set_entries(self.window.journal.entries)

    # -- the tour ----------------------------------------------------------------------------

    def run(self) -> list[Path]:
        w = self.window
        w.show()
        w.activateWindow()
        w.start()
        self.wait(lambda: w.controller.ready, what="the window to be ready")
        self.save("01-ready-demo-cards")
        w.shift.toggle()  # the cashier opens the shift
        self.wait(lambda: w.shift_view.summary is not None, what="the shift to open")

        show = showcase()
        self.scan(show["stamps"])
        self.save("02-stamp-card")

        self.scan(show["purchase_spend"])
        self.press(OpName.PURCHASE_SPEND)
        type_text(w.entry.edits[0], "500", enter=True)
        self.wait(lambda: w.entry.edits[1].text(), what="the spend limit")
        self.save("03-points-purchase-with-spending")
        self.enter(w.entry.edits[1])
        self.wait(lambda: w.actions.currentWidget() is w.confirm_panel, what="the confirmation")
        self.save("04-points-confirm")
        QTest.keyClick(w.confirm_panel.confirm_button, Qt.Key.Key_Escape)
        QTest.keyClick(w.entry.edits[0], Qt.Key.Key_Escape)

        self.scan(show["discount"])
        self.press(OpName.PURCHASE)
        type_text(w.entry.edits[0], "1240.50", enter=True)
        # A service that records whole sums: the cashier is told (1 241) and confirms first.
        self.wait(lambda: w.actions.currentWidget() is w.confirm_panel, what="the confirmation")
        self.enter(w.confirm_panel.confirm_button)
        self.wait(w.banner.isVisible, what="the result")
        self.idle()
        self.save("05-discount-purchase-result")

        self.scan(show["foreign"])
        self.save("06-error-foreign-card")

        w.tabs.setCurrentWidget(w.journal)
        w.open_customer_lookup()
        lookup = w._dialogs[-1]
        type_text(lookup.query, show["phone"], enter=True)  # type: ignore[attr-defined]
        self.wait(lambda: lookup.refs, what="the customer's cards")  # type: ignore[attr-defined]
        self.save("07-customer-lookup", lookup)
        lookup.close()

        w.open_settings()
        settings = w._dialogs[-1]
        self.wait(settings.isVisible, what="the settings")
        self.wait(lambda: not w.controller.runner.busy("keyring"), what="the keyring status")
        settings.resize(settings.sizeHint())  # adjustSize() caps it to the offscreen screen
        self.wait(lambda: True, what="the settings")
        self.save("08-settings", settings)
        settings.close()

        self.set_look(theme.Mode.DARK)
        self.scan(show["reward"])
        self.press(OpName.REWARD)
        self.enter(w.entry.edits[0])
        self.wait(lambda: w.actions.currentWidget() is w.confirm_panel, what="the confirmation")
        self.enter(w.confirm_panel.confirm_button)
        self.wait(w.banner.isVisible, what="the result")
        self.idle()
        self.save("09-dark-chop-card-reward")

        self.set_look(theme.Mode.LIGHT)
        w.resize(1920, 1080)
        self.scan(show["gift"])
        self.press(OpName.SPEND)
        type_text(w.entry.edits[0], "250")
        self.wait(lambda: True, what="the keypad")
        self.save("10-touchscreen-1920x1080-gift-spend")
        w.resize(*self.size)
        self.enter(w.entry.edits[0])
        self.wait(lambda: w.actions.currentWidget() is w.confirm_panel, what="the confirmation")
        self.enter(w.confirm_panel.confirm_button)
        self.wait(w.banner.isVisible, what="the result")
        self.idle()
        self.shift_and_slip()

        w.open_enrol()
        enrol = w._dialogs[-1]
        self.wait(lambda: enrol.templates, what="the card templates")  # type: ignore[attr-defined]
        enrol.template.setCurrentIndex(0)  # type: ignore[attr-defined]
        # i18n: a sample customer's first and last name, typed in the enrol screenshot
        first, last = _("Vera"), _("Lind")
        for field, text in ((enrol.first, first), (enrol.last, last),  # type: ignore
                            (enrol.phone, "+7 900 111 22 33")):  # type: ignore[attr-defined]
            type_text(field, text)
        self.enter(enrol.first)  # type: ignore[attr-defined]
        self.wait(lambda: w.banner.qr.isVisible(), what="the new card")
        self.idle()
        self.save("13-enrolled-card-issued")
        if "hold" in show:
            self.hold_tour(show["hold"])
        w.close()
        return self.saved

    def shift_and_slip(self) -> None:
        """The shift's summary (with one operation the service refused) and a slip."""
        from pos_app.core.sandbox.faults import FaultKind, FaultRule
        from pos_app.core.slip import Shop, build_slip
        from pos_app.qt.slip_print import slip_image

        w = self.window
        counter = w.controller.counter
        code = showcase()["stamps"]
        server = counter.sandbox.server(counter.lookup(code).service)
        server.faults.add(FaultRule(FaultKind.ERROR, route=server.app.exercise().writes,
                                    status=400, times=None))
        self.scan(code)
        self.press(OpName.STAMP)
        self.enter(w.entry.edits[0])
        self.wait(w.banner.isVisible, what="the result")
        self.idle()
        server.faults.clear()
        w.tabs.setCurrentWidget(w.shift_view)
        w.shift.refresh()
        self.wait(lambda: w.shift_view.summary is not None and any(
            line.operation == "purchase" for line in w.shift_view.summary.lines),
            what="the shift summary")
        self.save("11-shift-summary")
        entry = next(e for e in counter.journal.entries() if e.operation == "purchase")
        # i18n: a sample shop's name and address on the slip of the screenshots
        shop = Shop(_("Coffee & Co"), (_("12 Market Street"),))
        path = self.out / "12-slip-58mm.png"
        if not slip_image(build_slip(entry, shop), 58).save(str(path)):
            raise OSError(f"cannot write {path}")
        self.saved.append(path)
        print(f"saved {path}")

    def hold_tour(self, code: str) -> None:
        """A card with points on hold, a new hold waiting in the journal, then finished;
        named after the card's service."""
        w = self.window
        w.banner.clear()
        self.scan(code)
        service = w.card.service if w.card is not None else "hold"
        w.tabs.setCurrentWidget(w.demo if w.tabs.indexOf(w.demo) >= 0 else w.journal)
        self.save(f"{service}-card")
        self.press(OpName.HOLD)
        type_text(w.entry.edits[0], "200", enter=True)
        self.wait(lambda: w.actions.currentWidget() is w.confirm_panel, what="the confirmation")
        self.enter(w.confirm_panel.confirm_button)
        self.wait(lambda: w.journal.chosen() is not None, what="the waiting hold")
        w.tabs.setCurrentWidget(w.journal)
        self.idle()
        self.save(f"{service}-open-hold")
        w.journal.finish_button.click()
        self.wait(lambda: w.journal.chosen() is None, what="the hold to be finished")
        self.idle()
        self.save(f"{service}-hold-confirmed")


def shoot(out: Path, size: tuple[int, int], language: str) -> Shooter:
    """Every state in ``language`` as PNGs in ``out`` on fresh sandbox data (the real settings
    and data untouched); the shooter, with what each state cut (``.cut``)."""
    tmp = fresh_dirs("pos-app-shots-")
    saved = {name: os.environ.get(name) for name in ("POS_APP_LANGUAGE", "POS_APP_CONFIG",
                                                      "POS_APP_DATA_DIR")}
    os.environ["POS_APP_LANGUAGE"] = language
    try:
        write_settings(os.environ["POS_APP_CONFIG"], language)
        ensure_app()
        out.mkdir(parents=True, exist_ok=True)
        shooter = Shooter(out, size)
        shooter.run()
        return shooter
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tmp.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pos-app screenshots",  # i18n-skip: a command
                                     description=__doc__)
    parser.add_argument("--out", type=Path, default=None,
                        help=_("folder for the PNGs (docs/screenshots, docs/screenshots/ru)"))
    parser.add_argument("--size", default="1024x768", help=_("window size, WIDTHxHEIGHT"))
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=SOURCE_LANGUAGE,
                        help=_("the window's language (Russian shows money in roubles)"))
    args = parser.parse_args(argv)
    out: Path = args.out or default_out(args.lang)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    width, height = (int(v) for v in args.size.lower().split("x"))
    shooter = shoot(out, (width, height), args.lang)
    print(f"{len(shooter.saved)} screenshots in {out}")
    for name, problems in shooter.cut.items():
        for problem in problems:
            print(f"cut in {name}: {problem}", file=sys.stderr)  # i18n-skip: for developers
    return 1 if shooter.cut else 0


if __name__ == "__main__":
    sys.exit(main())
