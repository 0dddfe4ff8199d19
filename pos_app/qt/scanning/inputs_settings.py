"""Settings page for the scanner inputs: choose and test each one.

* Keyboard scanner: on/off, the timing rules, the suffix keys, US or as-typed keyboard, and a
  "scan something now" test that shows what was read and how fast.
* Camera: on/off, the camera by name (or a video file / stream URL), resolution, the camera
  system (Qt's, or OpenCV's when installed) and OpenCV's API on
  Windows, when to read the same code again, and a live preview test.
* Serial scanner: on/off, port (listed by the system), speed, suffix, and a read test.
* Feedback: sound and flash.

:meth:`InputsSettingsPage.values` is the ``[scanner]`` table to save. While a camera or serial
test runs, the live input of that kind is suspended (the device can be opened once only);
:meth:`ScanningHandle.configure` after saving or cancelling starts it again.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.scanning.serial import SUFFIXES
from pos_app.core.scanning.wedge import WedgeOptions
from pos_app.core.settings import Settings
from pos_app.qt.scanning.integration import ScanningHandle, scanner_table

__all__ = ["InputsSettingsPage", "ScannerSettingsDialog"]

#: The serial suffixes, by the keys' names (translated where shown).
SUFFIX_LABELS = {"cr": "CR (Enter)", "lf": "LF", "crlf": "CR + LF",  # i18n-skip: key names
                 "tab": "Tab", "none": N_("None (pause ends a code)")}  # i18n-skip: key name
#: How a test scan ended, in words (the English is the machine word itself).
ENDINGS = {"enter": N_("enter"), "tab": N_("tab"), "pause": N_("pause"), "key": N_("key")}
FILE_CHOICE = "__file__"


def _narrow_combo(chars: int = 28) -> QComboBox:
    """A combo box as wide as the form gives it (at least ``chars`` characters), not as its
    longest choice: long choices (in Russian) never push the page off the screen."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def _combo_select(combo: QComboBox, data: Any) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


class InputsSettingsPage(QWidget):
    """The scanner inputs' settings with a test per input. ``handle`` (optional) is the live
    :class:`ScanningHandle`: its inputs are suspended while a test needs the same device."""

    #: A test read a code: (source, code, details).
    test_read = Signal(str, str, str)

    def __init__(self, settings: Settings | dict[str, Any] | None,
                 handle: ScanningHandle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.handle = handle
        self.table = scanner_table(settings)
        self._test_wedge: Any = None
        self._test_camera: Any = None
        self._test_serial: Any = None
        self._cameras_listed = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Up and down only: the page is as wide as its widest row, and the dialog fits it.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll = scroll
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._wedge_box())
        layout.addWidget(self._camera_box())
        layout.addWidget(self._serial_box())
        layout.addWidget(self._feedback_box())
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.body = body

    def wanted_width(self) -> int:
        """The width the page needs so that nothing is cut or scrolls sideways."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return self.body.minimumSizeHint().width() + bar + 2 * self.scroll.frameWidth()

    # -- keyboard scanner ---------------------------------------------------------------------

    def _wedge_box(self) -> QGroupBox:
        t = self.table
        box = QGroupBox(_("Keyboard scanner (USB or Bluetooth, keyboard mode)"))
        form = QFormLayout(box)
        self.wedge_enabled = QCheckBox(_("Catch codes typed by a scanner, whatever field has "
                                         "the cursor"))
        self.wedge_enabled.setChecked(bool(t["wedge_enabled"]))
        form.addRow(self.wedge_enabled)
        self.wedge_gap = QSpinBox()
        self.wedge_gap.setRange(5, 300)
        # i18n: milliseconds, after a number in a spin box
        self.wedge_gap.setSuffix(_(" ms"))
        self.wedge_gap.setValue(int(float(t["wedge_max_gap_ms"])))
        self.wedge_gap.setToolTip(_("Keys further apart than this are typing. Raise it for "
                                    "a slow Bluetooth scanner."))
        form.addRow(_("Longest gap between a scanner's keys"), self.wedge_gap)
        self.wedge_min = QSpinBox()
        self.wedge_min.setRange(2, 64)
        self.wedge_min.setValue(int(t["wedge_min_length"]))
        self.wedge_min.setToolTip(_("Shorter fast sequences are typing. At most the length "
                                    "of the shortest code you scan."))
        form.addRow(_("Shortest code"), self.wedge_min)
        self.wedge_field_min = QSpinBox()
        self.wedge_field_min.setRange(0, 64)
        self.wedge_field_min.setSpecialValueText(_("the services' shortest code"))
        try:
            self.wedge_field_min.setValue(int(t.get("wedge_field_min_length") or 0))
        except (TypeError, ValueError):
            self.wedge_field_min.setValue(0)
        self.wedge_field_min.setToolTip(
            _("In an amount, a count or a date, faster keys than this many are still typing "
              "(an amount typed quickly is not taken for a scan)."))
        form.addRow(_("Shortest code in an amount"), self.wedge_field_min)
        ends = QHBoxLayout()
        suffixes = [str(s) for s in t["wedge_suffixes"]]
        self.wedge_enter = QCheckBox("Enter")  # i18n-skip: the key's name
        self.wedge_enter.setChecked("enter" in suffixes)
        self.wedge_tab = QCheckBox("Tab")  # i18n-skip: the key's name
        self.wedge_tab.setChecked("tab" in suffixes)
        ends.addWidget(self.wedge_enter)
        ends.addWidget(self.wedge_tab)
        ends.addWidget(QLabel(_("(or a pause)")))
        ends.addStretch(1)
        form.addRow(_("A scan ends with"), ends)
        self.wedge_keyboard = QComboBox()
        self.wedge_keyboard.addItem(_("US keyboard (scanner default): right whatever the "
                                      "layout"), "us")
        self.wedge_keyboard.addItem(_("Same as this computer's layout"), "as-typed")
        _combo_select(self.wedge_keyboard, t["wedge_keyboard"])
        form.addRow(_("Scanner's keyboard"), self.wedge_keyboard)
        self.wedge_test = QLabel(_("Scan something now to test: it shows here, and nothing "
                                   "is typed anywhere."))
        self.wedge_test.setObjectName("wedgeTest")
        self.wedge_test.setWordWrap(True)
        self.wedge_test.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Test"), self.wedge_test)
        self.typing_test = QLineEdit()
        self.typing_test.setPlaceholderText(_("Type here: what you type must appear"))
        form.addRow("", self.typing_test)
        for w in (self.wedge_gap, self.wedge_min):
            w.valueChanged.connect(self._wedge_changed)
        for c in (self.wedge_enter, self.wedge_tab):
            c.toggled.connect(self._wedge_changed)
        self.wedge_keyboard.currentIndexChanged.connect(self._wedge_changed)
        return box

    def wedge_options(self) -> WedgeOptions:
        suffixes = tuple(s for s, box in (("enter", self.wedge_enter), ("tab", self.wedge_tab))
                         if box.isChecked())
        return WedgeOptions(max_gap_ms=float(self.wedge_gap.value()),
                            min_length=self.wedge_min.value(), suffixes=suffixes,
                            field_min_length=self.wedge_field_min.value())

    def _wedge_changed(self) -> None:
        if self._test_wedge is not None:
            self._test_wedge.set_options(self.wedge_options(),
                                         mode=self.wedge_keyboard.currentData())

    def _wedge_read(self, code: str, ended: str, keys: int, span: float) -> None:
        details = ngettext("{count} key in {ms} ms, ended by {end}",
                           "{count} keys in {ms} ms, ended by {end}", keys).format(
            count=formatting.number(keys), ms=formatting.number(round(span)),
            end=_(ENDINGS[ended]) if ended in ENDINGS else ended)
        self.wedge_test.setText(_("Read “{code}” ({details}).").format(code=code,
                                                                       details=details))
        self.test_read.emit("wedge", code, details)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._test_wedge is None:
            from pos_app.qt.scanning.wedge_filter import WedgeFilter

            app = QApplication.instance()
            self._test_wedge = WedgeFilter(self.wedge_options(),
                                           mode=self.wedge_keyboard.currentData(), parent=self)
            self._test_wedge.burst_read.connect(self._wedge_read)
            if app is not None:
                self._test_wedge.install(app)
        if not self._cameras_listed:
            self._list_cameras()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.stop_tests()

    # -- camera -------------------------------------------------------------------------------

    def _camera_box(self) -> QGroupBox:
        t = self.table
        box = QGroupBox(_("Camera"))
        form = QFormLayout(box)
        self.camera_enabled = QCheckBox(_("Read QR codes with a camera"))
        self.camera_enabled.setChecked(bool(t["camera_enabled"]))
        form.addRow(self.camera_enabled)
        self.camera_choice = _narrow_combo()
        self.camera_choice.setObjectName("cameraChoice")
        self.camera_choice.currentIndexChanged.connect(self._camera_choice_changed)
        form.addRow(_("Camera"), self.camera_choice)
        self.camera_source = QLineEdit(str(t["camera_source"] or ""))
        self.camera_source.setPlaceholderText(
            _("Video file or stream URL (rtsp://, http://)"))
        form.addRow(_("File or URL"), self.camera_source)
        self.camera_resolution = QComboBox()
        form.addRow(_("Resolution"), self.camera_resolution)
        self.camera_system = QComboBox()
        self.camera_system.setObjectName("cameraSystem")
        self.camera_system.addItem(_("Qt (built in)"), "qt")
        opencv = _opencv_installed()
        self.camera_system.addItem("OpenCV" if opencv else _("OpenCV (not installed)"),
                                   "opencv")
        if not opencv:
            item = self.camera_system.model().item(1)  # type: ignore[attr-defined]
            item.setEnabled(False)
        _combo_select(self.camera_system, t["camera_system"] or "qt")
        self.camera_system.currentIndexChanged.connect(self._camera_system_changed)
        form.addRow(_("Camera system"), self.camera_system)
        self.camera_backend = QComboBox()
        self.camera_backend.addItem(_("DirectShow (opens fast)"), "dshow")
        self.camera_backend.addItem("Media Foundation", "msmf")  # i18n-skip: Windows's name
        _combo_select(self.camera_backend, t["camera_backend"] or "dshow")
        if sys.platform == "win32":
            form.addRow(_("OpenCV's Windows camera API"), self.camera_backend)
        else:
            self.camera_backend.hide()
        self._camera_system_changed()
        self.camera_repeat = QDoubleSpinBox()
        self.camera_repeat.setRange(0, 600)
        self.camera_repeat.setDecimals(0)
        # i18n: seconds, after a number in a spin box
        self.camera_repeat.setSuffix(_(" s"))
        self.camera_repeat.setSpecialValueText(_("only after it left the view"))
        self.camera_repeat.setValue(float(t["camera_repeat_after"] or 0))
        form.addRow(_("Read a code held in view again after"), self.camera_repeat)
        self.camera_preview = QCheckBox(_("Show the camera's picture in the window"))
        self.camera_preview.setChecked(bool(t["camera_preview"]))
        form.addRow(self.camera_preview)
        row = QHBoxLayout()
        self.camera_test_button = QPushButton(_("Start camera test"))
        self.camera_test_button.setAutoDefault(False)
        self.camera_test_button.clicked.connect(self.toggle_camera_test)
        self.camera_status = QLabel()
        self.camera_status.setWordWrap(True)
        row.addWidget(self.camera_test_button)
        row.addWidget(self.camera_status, 1)
        form.addRow(row)
        from pos_app.qt.scanning.camera_view import CameraView

        self.camera_view = CameraView()
        self.camera_view.setMinimumHeight(180)
        self.camera_view.hide()
        form.addRow(self.camera_view)
        return box

    def _camera_system_changed(self) -> None:
        self.camera_backend.setEnabled(self.camera_system.currentData() == "opencv")

    def _list_cameras(self) -> None:
        from pos_app.qt.scanning.camera_view import list_cameras

        self._cameras_listed = True
        t = self.table
        self.camera_choice.blockSignals(True)
        self.camera_choice.clear()
        self._cameras = list_cameras()
        for cam in self._cameras:
            self.camera_choice.addItem(cam.name, cam.id or str(cam.index))
        self.camera_choice.addItem(_("Video file or stream…"), FILE_CHOICE)
        source = str(t["camera_source"] or "")
        if source and not source.isdigit():
            _combo_select(self.camera_choice, FILE_CHOICE)
        else:
            key = t["camera_id"] or (source if source.isdigit() else "")
            names = [c.name for c in self._cameras]
            if key and self.camera_choice.findData(key) >= 0:
                _combo_select(self.camera_choice, key)
            elif t["camera_name"] in names:
                self.camera_choice.setCurrentIndex(names.index(t["camera_name"]))
        self.camera_choice.blockSignals(False)
        self._camera_choice_changed()

    def _camera_choice_changed(self) -> None:
        is_file = self.camera_choice.currentData() == FILE_CHOICE
        self.camera_source.setEnabled(is_file)
        pos = self.camera_choice.currentIndex()
        cams = getattr(self, "_cameras", [])
        sizes = cams[pos].resolutions if 0 <= pos < len(cams) else ()
        want = f"{int(self.table['camera_width'] or 0)}x{int(self.table['camera_height'] or 0)}"
        current = self.camera_resolution.currentData() or want
        self.camera_resolution.clear()
        for w, h in sizes or ((640, 480), (1280, 720), (1920, 1080)):
            self.camera_resolution.addItem(f"{w} × {h}", f"{w}x{h}")
        _combo_select(self.camera_resolution, current)

    def _camera_values(self) -> dict[str, Any]:
        data = self.camera_choice.currentData()
        pos = self.camera_choice.currentIndex()
        cams = getattr(self, "_cameras", [])
        values: dict[str, Any] = {"camera_enabled": self.camera_enabled.isChecked(),
                                  "camera_preview": self.camera_preview.isChecked(),
                                  "camera_repeat_after": float(self.camera_repeat.value()),
                                  "camera_system": self.camera_system.currentData() or "qt",
                                  "camera_backend": self.camera_backend.currentData()
                                  if sys.platform == "win32" else
                                  self.table.get("camera_backend", "")}
        if data == FILE_CHOICE:
            values.update(camera_source=self.camera_source.text().strip(), camera_id="",
                          camera_name="")
        elif 0 <= pos < len(cams):
            cam = cams[pos]
            values.update(camera_source=str(cam.index), camera_id=cam.id, camera_name=cam.name)
        else:
            values.update({k: self.table[k] for k in ("camera_source", "camera_id",
                                                       "camera_name")})
        size = str(self.camera_resolution.currentData() or "")
        if "x" in size:
            width, height = size.split("x", 1)
            values.update(camera_width=int(width), camera_height=int(height))
        return values

    def toggle_camera_test(self) -> None:
        if self._test_camera is not None:
            self._stop_camera_test()
            return
        from pos_app.core.scanning.camera import CameraConfig
        from pos_app.qt.scanning.camera_view import CameraInput, resolve_source

        if self.handle is not None:
            self.handle.suspend("camera")
        table = {**self.table, **self._camera_values()}
        config = CameraConfig.from_settings(table, source=resolve_source(
            table, lambda: getattr(self, "_cameras", [])))
        self._test_camera = CameraInput(config, parent=self)
        self._test_camera.status_changed.connect(self._camera_status)
        self._test_camera.code_scanned.connect(
            lambda code: self._test_code("camera", code, "camera"))
        self.camera_view.set_camera(self._test_camera)
        self.camera_view.show()
        self.camera_test_button.setText(_("Stop camera test"))
        self._test_camera.start()

    def _camera_status(self, state: str, message: str) -> None:
        self.camera_status.setText(message)

    def _stop_camera_test(self) -> None:
        camera, self._test_camera = self._test_camera, None
        if camera is not None:
            self.camera_view.set_camera(None)
            camera.stop()
            camera.deleteLater()
        self.camera_view.hide()
        self.camera_test_button.setText(_("Start camera test"))

    def _test_code(self, source: str, code: str, details: str) -> None:
        label = self.camera_status if source == "camera" else self.serial_status
        label.setText(_("Read “{code}”.").format(code=code))
        self.test_read.emit(source, code, details)

    # -- serial -------------------------------------------------------------------------------

    def _serial_box(self) -> QGroupBox:
        t = self.table
        box = QGroupBox(_("Serial scanner (COM port / USB serial mode)"))
        form = QFormLayout(box)
        self.serial_enabled = QCheckBox(_("Read codes from a serial scanner"))
        self.serial_enabled.setChecked(bool(t["serial_enabled"]))
        form.addRow(self.serial_enabled)
        ports = QHBoxLayout()
        self.serial_port = QComboBox()
        self.serial_port.setEditable(True)
        self.serial_port.setObjectName("serialPort")
        refresh = QPushButton(_("Refresh"))
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self._list_ports)
        ports.addWidget(self.serial_port, 1)
        ports.addWidget(refresh)
        form.addRow(_("Port"), ports)
        self.serial_baud = QComboBox()
        from pos_app.qt.scanning.serial_reader import BAUD_RATES

        for baud in BAUD_RATES:
            self.serial_baud.addItem(str(baud), baud)
        _combo_select(self.serial_baud, int(t["serial_baud"]))
        form.addRow(_("Speed (baud)"), self.serial_baud)
        self.serial_suffix = QComboBox()
        for key in SUFFIXES:
            self.serial_suffix.addItem(_(SUFFIX_LABELS[key]), key)
        _combo_select(self.serial_suffix, t["serial_suffix"])
        form.addRow(_("The scanner ends a code with"), self.serial_suffix)
        row = QHBoxLayout()
        self.serial_test_button = QPushButton(_("Start serial test"))
        self.serial_test_button.setAutoDefault(False)
        self.serial_test_button.clicked.connect(self.toggle_serial_test)
        self.serial_status = QLabel()
        self.serial_status.setWordWrap(True)
        row.addWidget(self.serial_test_button)
        row.addWidget(self.serial_status, 1)
        form.addRow(row)
        self._list_ports()
        return box

    def _list_ports(self) -> None:
        from pos_app.qt.scanning.serial_reader import available_ports, serial_supported

        current = self.serial_port.currentText().strip() or str(self.table["serial_port"])
        self.serial_port.clear()
        for port in available_ports():
            self.serial_port.addItem(port.label, port.name)
        if current and self.serial_port.findData(current) < 0:
            self.serial_port.addItem(current, current)
        _combo_select(self.serial_port, current)
        if not serial_supported():
            self.serial_status.setText(
                _("Serial scanners need QtSerialPort (PySide6-Addons)."))

    def _serial_port_name(self) -> str:
        text = self.serial_port.currentText().strip()
        index = self.serial_port.findText(text)
        data = self.serial_port.itemData(index) if index >= 0 else None
        return str(data) if data else text

    def toggle_serial_test(self) -> None:
        if self._test_serial is not None:
            self._stop_serial_test()
            return
        from pos_app.core.scanning.serial import SuffixFramer
        from pos_app.qt.scanning.serial_reader import SerialReader

        if self.handle is not None:
            self.handle.suspend("serial")
        framer = SuffixFramer.from_settings({"serial_suffix": self.serial_suffix.currentData(),
                                             "serial_idle_ms": self.table["serial_idle_ms"]})
        self._test_serial = SerialReader(self._serial_port_name(),
                                         baud=int(self.serial_baud.currentData()),
                                         framer=framer, parent=self)
        self._test_serial.status_changed.connect(lambda _s, m: self.serial_status.setText(m))
        self._test_serial.code_scanned.connect(
            lambda code: self._test_code("serial", code, "serial"))
        self.serial_test_button.setText(_("Stop serial test"))
        self.serial_status.setText(_("Scan something now…"))
        self._test_serial.start()

    def _stop_serial_test(self) -> None:
        reader, self._test_serial = self._test_serial, None
        if reader is not None:
            reader.stop()
            reader.deleteLater()
        self.serial_test_button.setText(_("Start serial test"))

    # -- feedback -----------------------------------------------------------------------------

    def _feedback_box(self) -> QGroupBox:
        t = self.table
        box = QGroupBox(_("After a read"))
        form = QFormLayout(box)
        self.feedback_sound = QComboBox()
        self.feedback_sound.addItem(_("Beep (generated tones; system beep without audio)"),
                                    "auto")
        self.feedback_sound.addItem(_("System beep"), "beep")
        self.feedback_sound.addItem(_("No sound"), "off")
        _combo_select(self.feedback_sound, t["feedback_sound"])
        form.addRow(_("Sound"), self.feedback_sound)
        self.feedback_flash = QCheckBox(_("Flash the window (green: read, red: not a card)"))
        self.feedback_flash.setChecked(bool(t["feedback_flash"]))
        form.addRow(self.feedback_flash)
        return box

    # -- result -------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The ``[scanner]`` table as it would be saved (unknown keys kept)."""
        options = self.wedge_options()
        values = dict(self.table)
        values.update(options.to_settings())
        values.update({
            "wedge_enabled": self.wedge_enabled.isChecked(),
            "wedge_keyboard": self.wedge_keyboard.currentData(),
            "serial_enabled": self.serial_enabled.isChecked(),
            "serial_port": self._serial_port_name(),
            "serial_baud": int(self.serial_baud.currentData()),
            "serial_suffix": self.serial_suffix.currentData(),
            "feedback_sound": self.feedback_sound.currentData(),
            "feedback_flash": self.feedback_flash.isChecked(),
        })
        values.update(self._camera_values())
        return values

    def stop_tests(self) -> None:
        """Stop the camera and serial tests and remove the test filter."""
        self._stop_camera_test()
        self._stop_serial_test()
        if self._test_wedge is not None:
            self._test_wedge.uninstall()
            self._test_wedge.deleteLater()
            self._test_wedge = None


class ScannerSettingsDialog(QDialog):
    """The page in a dialog of its own, saving ``[scanner]`` to the settings file and applying
    it to the live inputs. ``saved(settings)`` after a save."""

    saved = Signal(object)

    def __init__(self, settings: Settings, handle: ScanningHandle | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.handle = handle
        self._saved = False
        self.setWindowTitle(_("Scanners"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.page = InputsSettingsPage(settings, handle)
        layout.addWidget(self.page, 1)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        cancel = QPushButton(_("Cancel  (Esc)"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(_("Save  (Ctrl+S)"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.finished.connect(self._finished)
        self.page.setMinimumWidth(self.page.wanted_width())
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        height = 720 if screen is None else min(720, screen.height() - 48)
        width = 760 if screen is None else min(760, screen.width() - 24)
        self.resize(max(width, self.minimumSizeHint().width()), height)

    def save(self) -> None:
        values = self.page.values()
        self.page.stop_tests()
        old = self.settings.data.get("scanner")
        self.settings.data["scanner"] = values
        try:
            self.settings.save()
        except OSError as exc:
            if old is None:
                self.settings.data.pop("scanner", None)
            else:
                self.settings.data["scanner"] = old
            self.error.setText(_("The settings could not be saved to {path} ({error}).").format(
                path=self.settings.path, error=exc.strerror or exc))
            self.error.show()
            return
        self._saved = True
        self.saved.emit(self.settings)
        self.accept()

    def _finished(self, _result: int) -> None:
        """Saved: apply the new settings. Cancelled: restart only what a test suspended."""
        self.page.stop_tests()
        if self.handle is not None and (self._saved or self.handle.suspended):
            self.handle.configure(self.settings)


def _opencv_installed() -> bool:
    """Whether the optional OpenCV camera system can be chosen (found, not imported)."""
    import importlib.util

    return importlib.util.find_spec("cv2") is not None
