"""Wire every scanner input to the window: :func:`install_scanning`.

Each code, from any input, goes through one path (:meth:`ScanningHandle.deliver`): cleaned
(:func:`~pos_app.core.router.clean_code`), checked with the router when one is given (no
network: each service's ``claim`` only), then either a good read (beep, green flash,
``on_code(code, source)``) or a code no service claims (low tone, red flash with the router's
reason, ``code_rejected``; ``on_code`` is not called). ``source`` is ``"wedge"``, ``"camera"``
or ``"serial"``.

Options live in ``settings.section("scanner")`` (see :data:`DEFAULTS`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QLineEdit, QMainWindow, QWidget

from pos_app.core.errors import InvalidCode, InvalidInput
from pos_app.core.i18n import _
from pos_app.core.router import Router, clean_code
from pos_app.core.scanning.options import DEFAULTS
from pos_app.core.scanning.wedge import Judge, WedgeOptions, field_judge
from pos_app.core.settings import Settings
from pos_app.qt.scanning.feedback import Feedback

__all__ = ["DEFAULTS", "ScanningHandle", "install_scanning", "scanner_table"]

log = logging.getLogger(__name__)


RouterSource = Router | Callable[[], Router | None] | None


def scanner_table(settings: Settings | dict[str, Any] | None) -> dict[str, Any]:
    """The ``[scanner]`` options with defaults filled in (the settings are not changed)."""
    if settings is None:
        table: dict[str, Any] = {}
    elif isinstance(settings, Settings):
        raw = settings.data.get("scanner")
        table = raw if isinstance(raw, dict) else {}
    else:
        table = settings
    return {**DEFAULTS, **table}


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class ScanningHandle(QObject):
    """The installed inputs. ``code_read(code, source)`` after each good read (also given to
    ``on_code``), ``code_rejected(code, source, reason)``, ``status_changed(source, state,
    message)`` for camera and serial problems (to show in a status bar)."""

    code_read = Signal(str, str)
    code_rejected = Signal(str, str, str)
    status_changed = Signal(str, str, str)

    def __init__(self, app: QApplication, window: QWidget,
                 on_code: Callable[[str, str], None], *, router: RouterSource = None,
                 camera_preview: str = "dock") -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self.on_code = on_code
        self.router = router
        self.camera_preview = camera_preview
        self.table: dict[str, Any] = dict(DEFAULTS)
        self.feedback = Feedback(window, parent=self)
        self.wedge: Any = None
        self.camera: Any = None
        self.camera_view: Any = None
        self.camera_dock: QDockWidget | None = None
        self.serial: Any = None
        self._divert: Callable[[str, str], None] | None = None
        self._stopped = False
        #: Inputs stopped by :meth:`suspend` until the next :meth:`configure`.
        self.suspended: set[str] = set()

    # -- configuration ------------------------------------------------------------------------

    def configure(self, settings: Settings | dict[str, Any] | None) -> None:
        """(Re)build the inputs from the settings; inputs switched off are stopped."""
        table = scanner_table(settings)
        self.table = table
        self.suspended.clear()
        self.feedback.sound = str(table["feedback_sound"])
        self.feedback.flash_enabled = _bool(table["feedback_flash"])
        self._configure_wedge(table)
        self._stop_camera()
        self._stop_serial()
        if not self._stopped:
            # Started from the event loop: the window is up first.
            if _bool(table["camera_enabled"]):
                QTimer.singleShot(0, self, lambda: self._start_camera(table))
            if _bool(table["serial_enabled"]):
                QTimer.singleShot(0, self, lambda: self._start_serial(table))

    def _configure_wedge(self, table: dict[str, Any]) -> None:
        from pos_app.qt.scanning.wedge_filter import WedgeFilter

        enabled = _bool(table["wedge_enabled"])
        options = WedgeOptions.from_settings(table)
        mode = "as-typed" if table["wedge_keyboard"] == "as-typed" else "us"
        layout = table.get("wedge_layout") or "auto"
        if self.wedge is None:
            if not enabled:
                return
            self.wedge = WedgeFilter(options, mode=mode,
                                     layout=None if layout == "auto" else str(layout),
                                     parent=self)
            self.wedge.code_scanned.connect(lambda code: self.deliver(code, "wedge"))
            self.wedge.field_judge = self.field_judge
            self.wedge.install(self.app)
            return
        self.wedge.set_options(options, mode=mode)
        self.wedge.set_enabled(enabled)

    def _start_camera(self, table: dict[str, Any]) -> None:
        if self._stopped or self.camera is not None:
            return
        from pos_app.core.scanning.camera import CameraConfig
        from pos_app.qt.scanning.camera_view import CameraInput, CameraView, resolve_source

        extra: dict[str, Any] = {"source": resolve_source(table)}
        if "camera_file_speed" in table:
            extra["file_speed"] = float(table["camera_file_speed"])
        config = CameraConfig.from_settings(table, **extra)
        self.camera = CameraInput(config, parent=self)
        self.camera.code_scanned.connect(lambda code: self.deliver(code, "camera"))
        self.camera.status_changed.connect(
            lambda state, msg: self.status_changed.emit("camera", state, msg))
        if _bool(table["camera_preview"]) and self.camera_preview == "dock" \
                and isinstance(self.window, QMainWindow):
            if self.camera_view is None:
                self.camera_view = CameraView()
                dock = QDockWidget(_("Camera"), self.window)
                dock.setObjectName("cameraDock")
                dock.setWidget(self.camera_view)
                dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                 | QDockWidget.DockWidgetFeature.DockWidgetMovable
                                 | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
                dock.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
                self.camera_dock = dock
            self.camera_dock.show()  # type: ignore[union-attr]
        elif self.camera_view is None and self.camera_preview == "widget":
            self.camera_view = CameraView()
        if self.camera_view is not None:
            self.camera_view.set_camera(self.camera)
        self.camera.start()

    def _stop_camera(self) -> None:
        camera, self.camera = self.camera, None
        if camera is not None:
            if self.camera_view is not None:
                self.camera_view.set_camera(None)
            camera.stop()
            camera.deleteLater()
        if self.camera_dock is not None:
            self.camera_dock.hide()

    def _start_serial(self, table: dict[str, Any]) -> None:
        if self._stopped or self.serial is not None:
            return
        from pos_app.core.scanning.serial import SuffixFramer
        from pos_app.qt.scanning.serial_reader import SerialReader

        try:
            baud = int(table["serial_baud"])
        except (TypeError, ValueError):
            baud = 9600
        try:
            retry = max(50, int(table["serial_retry_ms"]))
        except (TypeError, ValueError):
            retry = 1000
        self.serial = SerialReader(str(table["serial_port"]), baud=baud,
                                   framer=SuffixFramer.from_settings(table),
                                   retry_first_ms=retry, parent=self)
        self.serial.code_scanned.connect(lambda code: self.deliver(code, "serial"))
        self.serial.status_changed.connect(
            lambda state, msg: self.status_changed.emit("serial", state, msg))
        self.serial.start()

    def _stop_serial(self) -> None:
        serial, self.serial = self.serial, None
        if serial is not None:
            serial.stop()
            serial.deleteLater()

    def suspend(self, source: str) -> None:
        """Stop one live input (``"camera"``, ``"serial"``) so that a settings test can use
        the device; :meth:`configure` starts it again."""
        if source == "camera":
            self._stop_camera()
        elif source == "serial":
            self._stop_serial()
        else:
            return
        self.suspended.add(source)

    # -- codes ------------------------------------------------------------------------------

    def shortest_code(self) -> int:
        """Below this, a burst in an entry field is typing: the setting, else the shortest
        code of the configured services."""
        try:
            wanted = int(self.table.get("wedge_field_min_length") or 0)
        except (TypeError, ValueError):
            wanted = 0
        if wanted > 0:
            return wanted
        router = self._router()
        lengths = [int(getattr(b, "min_code_length", 4)) for b in
                   (router.backends if router is not None else [])]
        return min(lengths) if lengths else WedgeOptions.min_length

    def field_judge(self, widget: QWidget) -> Judge:
        """How a burst typed into an entry field is judged (:func:`field_judge`): the
        field's kind is its ``entryKind`` property or comes from its object name
        (``field_money``...)."""
        name = widget.objectName()
        kind = str(widget.property("entryKind") or "") or (
            name.removeprefix("field_") if name.startswith("field_") else "")

        def typed() -> str:
            if not isinstance(widget, QLineEdit) or not shiboken6.isValid(widget):
                return ""
            text, cursor = widget.text(), widget.cursorPosition()
            if widget.hasSelectedText():  # typing replaces the selection
                start = widget.selectionStart()
                return text[:start]
            return text[:cursor]

        return field_judge(kind, self.shortest_code(), self._claimed, typed)

    def _claimed(self, code: str) -> bool:
        router = self._router()
        try:
            if router is not None:
                router.route(clean_code(code))
        except InvalidInput:
            return False
        return True

    def divert(self, receiver: Callable[[str, str], None] | None) -> None:
        """While set, codes go to ``receiver(code, source)`` only (the settings page's test)."""
        self._divert = receiver

    def _router(self) -> Router | None:
        router = self.router
        if router is None or isinstance(router, Router) or hasattr(router, "route"):
            return router  # type: ignore[return-value]
        try:
            return router()
        except Exception:
            log.exception("getting the router failed")
            return None

    def deliver(self, raw: str, source: str) -> None:
        """One code from one input: check it, give feedback, hand it to ``on_code``."""
        if self._stopped:
            return
        if self._divert is not None:
            self._divert(raw, source)
            return
        try:
            code = clean_code(raw)
            router = self._router()
            if router is not None:
                router.route(code)
        except InvalidCode as exc:
            reason = str(exc)
            log.info("%s read a code no service claims: %s", source, exc.message)
            self.feedback.bad(raw, reason)
            self.code_rejected.emit(raw, source, reason)
            return
        self.feedback.good(code)
        self.code_read.emit(code, source)
        self.on_code(code, source)

    # -- teardown ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every input and remove the filter (call before the window closes)."""
        self._stopped = True
        if self.wedge is not None:
            self.wedge.uninstall()
        self._stop_camera()
        self._stop_serial()


def install_scanning(app: QApplication, window: QWidget, on_code: Callable[[str, str], None],
                     settings: Settings | dict[str, Any] | None, *,
                     router: RouterSource = None,
                     camera_preview: str = "dock") -> ScanningHandle:
    """Install the scanner inputs the settings switch on and send their codes to ``on_code``.

    Call it once the window exists (its own application event filter must be installed before
    this one, so that the wedge filter sees keys first). ``router``: a
    :class:`~pos_app.core.router.Router` or a callable returning one (``None`` while the
    services are not open) to refuse codes no service claims before they reach ``on_code``.
    ``camera_preview``: ``"dock"`` (a hideable "Camera" dock on a QMainWindow), ``"widget"``
    (``handle.camera_view`` is created for the caller to place), ``"none"``.
    Nothing heavy is imported here; the camera and the serial port start from the event loop.
    """
    handle = ScanningHandle(app, window, on_code, router=router, camera_preview=camera_preview)
    handle.configure(settings)
    return handle
