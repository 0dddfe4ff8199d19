"""Start the window: ``pos-app`` with no command runs :func:`run_app`.

The window is shown at once and the services are opened behind it (off the GUI thread).
Nothing heavy is imported here: the QR decoder and OpenCV stay out of the window's start.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QRect, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from pos_app import __version__
from pos_app.core.errors import PosError
from pos_app.core.i18n import SOURCE_LANGUAGE
from pos_app.core.logs import setup_logging, shutdown_logging
from pos_app.core.settings import Settings, apply_display, display_choices
from pos_app.qt import theme
from pos_app.qt.controller import Controller
from pos_app.qt.main_window import MainWindow
from pos_app.qt.scanning.integration import ScanningHandle, install_scanning

log = logging.getLogger(__name__)

def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), styled, with the app's names set."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setApplicationName("pos-app")
        QCoreApplication.setOrganizationName("pos-app")
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


_qt_translators: list[QTranslator] = []


def install_language(app: QApplication, config: str | None = None) -> str:
    """Choose the language (``[app] language``, else the system's, :mod:`pos_app.core.i18n`)
    and load Qt's own translation for its standard buttons and menus; the language in use."""
    language, currency = display_choices(config)
    code = apply_display(language, currency, system=QLocale.system().uiLanguages())
    for old in _qt_translators:
        app.removeTranslator(old)
    _qt_translators.clear()
    QLocale.setDefault(QLocale(code))
    if code != SOURCE_LANGUAGE:
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QTranslator(app)
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            _qt_translators.append(translator)
        else:
            log.info("Qt's own %s translation is not in %s", code, folder)
        from pos_app.qt.qt_gaps import QtGaps

        gaps = QtGaps(app)  # asked first: it answers only for the words Qt's file lacks
        app.installTranslator(gaps)
        _qt_translators.append(gaps)
    return code


def resource(name: str) -> Path | None:
    """A file of ``resources/``: beside the code in a checkout, in the bundle when frozen."""
    roots = [Path(getattr(sys, "_MEIPASS", "")) / "resources"] if hasattr(sys, "_MEIPASS") \
        else []
    roots.append(Path(__file__).resolve().parents[2] / "resources")
    return next((root / name for root in roots if (root / name).is_file()), None)


def create_window(config: str | None = None, *, mode: theme.Mode | str = theme.Mode.SYSTEM,
                  size: tuple[int, int] | None = (1024, 768)) -> MainWindow:
    """Build the window on a new controller and show it; call ``window.start()`` next."""
    app = ensure_app()
    install_language(app, config)
    theme.apply_theme(app, mode)
    icon = resource("icon.png")
    if icon is not None and app.windowIcon().isNull():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    window = MainWindow(Controller(config))
    if size is not None:
        window.resize(*size)
    return window


#: The window's size on a large screen; smaller screens get what they have.
PREFERRED_SIZE = (1280, 860)


def fit_to_screen(window: QWidget, area: QRect, frame: tuple[int, int] | None = None) -> None:
    """Size and place ``window`` so that all of it, its title bar and borders included, is
    inside ``area`` (the screen less its panels): the status bar is never off-screen.

    ``frame`` is the (width, height) the title bar and borders add; by default what the
    window has now, or the style's title bar height before it is first shown.
    """
    if frame is None:
        outer, inner = window.frameGeometry(), window.geometry()
        frame = (outer.width() - inner.width(), outer.height() - inner.height())
        if frame == (0, 0) and not window.isVisible():
            frame = (0, window.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight) + 8)
    width = max(window.minimumWidth(), min(PREFERRED_SIZE[0], area.width() - frame[0]))
    height = max(window.minimumHeight(), min(PREFERRED_SIZE[1], area.height() - frame[1]))
    window.resize(width, height)
    outer = window.frameGeometry()
    if not area.contains(outer):
        window.move(max(area.left(), min(outer.left(), area.right() - width - frame[0])),
                    max(area.top(), min(outer.top(), area.bottom() - height - frame[1])))


def setup_file_log(settings: Settings | None = None) -> None:
    """Log to the app's log file with secrets redacted and personal data masked
    (:mod:`pos_app.core.logs`); called again once the settings are read, for their secrets."""
    try:
        setup_logging(settings)
    except (OSError, PosError) as exc:  # said again, plainly, when the journal cannot open
        log.info("no log file: %s", exc)


def install_scanners(app: QApplication, window: MainWindow) -> ScanningHandle:
    """Scanner inputs (keyboard wedge, camera, serial; :mod:`pos_app.qt.scanning`): each code
    they read is scanned in the window, as if typed into the code field and Enter pressed.
    (Light to import: OpenCV, the decoder and QtMultimedia load when an input needs them.)"""
    def router() -> object | None:
        counter = window.controller.counter
        return None if counter is None else counter.router

    handle = install_scanning(app, window, lambda code, _source: window.scanned(code), None,
                              router=router)  # type: ignore[arg-type]
    handle.code_rejected.connect(lambda code, _source, reason: window.scan_rejected(code,
                                                                                    reason))
    handle.feedback.say_reason = False  # the window's banner says it, once
    window.controller.opened.connect(lambda info: handle.configure(info.settings))
    window.closing.connect(handle.stop)
    window.scanning = handle
    return handle


def _excepthook(window: MainWindow, kind: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> None:
    """An exception escaping a Qt slot: logged, said plainly (never raw); the app goes on."""
    log.error("unexpected error in the window", exc_info=(kind, value, tb))
    try:
        window.show_fault()
    except Exception:  # the window itself is broken: the log has it
        log.exception("could not show the fault")


def run_app(config: str | None = None) -> int:
    """Show the cashier window and run until it is closed; the exit code."""
    app = ensure_app(sys.argv[:1])
    setup_file_log()
    window = create_window(config, size=None)
    window.controller.opened.connect(lambda info: setup_file_log(info.settings))
    window.scanning = install_scanners(app, window)
    sys.excepthook = functools.partial(_excepthook, window)
    screen = app.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        fit_to_screen(window, area)
        window.show()
        # The title bar's real height is known once the window manager has framed it.
        for delay in (0, 400):
            QTimer.singleShot(delay, window, lambda: fit_to_screen(window, area))
    window.show()
    if os.environ.get("POS_APP_SMOKE") == "1":
        _arm_smoke(app, window)
    window.start()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Ctrl+C in a terminal or a service manager's stop: close as the window's X does.
        # (Python runs the handler at the next Python call: the collector's timer is one.)
        signal.signal(signum, lambda *_: window.close())
    log.info("pos-app %s window started", __version__)
    try:
        return app.exec()
    finally:
        shutdown_logging()


def _arm_smoke(app: QApplication, window: MainWindow) -> None:
    """``POS_APP_SMOKE=1`` (``packaging/smoke.py``): once the services are open, print
    ``window ready`` and quit with 0; quit with 1 if they cannot open or take over 45 s."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        print("window ready", flush=True)  # i18n-skip: read by packaging/smoke.py
        # Qt's own standard buttons: Russian when qtbase_ru.qm loaded (the bundle keeps it).
        print("qt cancel:", QCoreApplication.translate("QPlatformTheme", "Cancel"),  # i18n-skip
              flush=True)
        window.close()
        app.quit()

    def failed(message: str) -> None:
        print(f"window not ready: {message}", file=sys.stderr, flush=True)  # i18n-skip: smoke
        app.exit(1)

    window.ready.connect(lambda: QTimer.singleShot(0, ready))
    window.controller.open_failed.connect(failed)
    QTimer.singleShot(45_000, lambda: failed("nothing after 45 s"))  # i18n-skip
