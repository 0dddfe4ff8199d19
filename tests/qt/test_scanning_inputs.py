"""Scanner inputs with real Qt objects: the wedge filter with real key events, the serial
reader on a pseudo-terminal, the camera on a generated video file, each delivered to an
``on_code`` callback through ``install_scanning``, and the settings page's tests.

(The window-level test, scanner -> cashier window lookup, is added with the window wiring.)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QDoubleValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget

from pos_app.core.router import Router
from pos_app.core.scanning.layouts import _LAYOUT_ROWS, _MAC_KEYS, _SET1
from pos_app.core.scanning.wedge import WedgeOptions
from pos_app.core.settings import Settings
from pos_app.qt.scanning.integration import ScanningHandle, install_scanning
from pos_app.qt.scanning.wedge_filter import WedgeFilter

#: Qt's warning when a top-level widget is shown on the offscreen platform (harmless).
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

#: QtMultimedia's start-up complaints on a machine without PipeWire/VA-API/PulseAudio.
MULTIMEDIA_NOISE = pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) ", "PulseAudioService",
                                             "propagateSizeHints")

CODE = "LUNA-448234-808-346"
Shift = Qt.KeyboardModifier.ShiftModifier
NoMod = Qt.KeyboardModifier.NoModifier

# US character -> (set-1/evdev code, shift), and macOS kVK
US_KEYS: dict[str, tuple[int, bool]] = {}
for _code, (_lo, _hi) in sorted(_SET1.items()):
    US_KEYS.setdefault(_lo, (_code, False))
    US_KEYS.setdefault(_hi, (_code, True))
MAC_KEYS: dict[str, int] = {}
for _code, (_lo, _hi) in _MAC_KEYS.items():
    MAC_KEYS.setdefault(_lo, _code)
    MAC_KEYS.setdefault(_hi, _code)
_US_ROWS = (("`1234567890-=", "~!@#$%^&*()_+"), ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
            ("asdfghjkl;'", 'ASDFGHJKL:"'), ("zxcvbnm,./", "ZXCVBNM<>?"))


def typed_with(layout: str, us: str) -> str:
    """The character ``layout`` types where a US keyboard types ``us``."""
    for (lo, hi), (us_lo, us_hi) in zip(_LAYOUT_ROWS[layout], _US_ROWS, strict=True):
        for chars, us_chars in ((lo, us_lo), (hi, us_hi)):
            i = us_chars.find(us)
            if i >= 0:
                return chars[i].strip()
    return us


def native_events(code: str, layout: str, platform: str) -> list[QKeyEvent]:
    """The key events a US-mode scanner produces for ``code`` while the OS layout is
    ``layout``: Shift pressed around capitals, text as the layout types it, native codes of
    the physical key. Enter at the end."""
    events = []
    kp, kr = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    shift_code = {"x11": 50, "windows": 0x2A, "mac": 1}[platform]
    for ch in code:
        evdev, shift = US_KEYS[ch]
        if platform == "x11":
            scan, vk = evdev + 8, 0x1000 + evdev  # the keysym is layout-dependent: any value
        elif platform == "windows":
            scan, vk = evdev, 0x41  # the VK is layout-dependent too
        else:
            scan, vk = 1, MAC_KEYS[ch]
        text = typed_with(layout, ch)
        mods = Shift if shift else NoMod
        key = ord(text.upper()) if len(text.upper()) == 1 else ord(text) if text else 0
        if shift:
            events.append(QKeyEvent(kp, Qt.Key.Key_Shift, Shift, shift_code, 0, 0, ""))
        events.append(QKeyEvent(kp, key, mods, scan, vk, 0, text))
        events.append(QKeyEvent(kr, key, mods, scan, vk, 0, text))
        if shift:
            events.append(QKeyEvent(kr, Qt.Key.Key_Shift, NoMod, shift_code, 0, 0, ""))
    enter = {"x11": 36, "windows": 0x1C, "mac": 1}[platform]
    events.append(QKeyEvent(kp, Qt.Key.Key_Return, NoMod, enter, 0, 0, "\r"))
    events.append(QKeyEvent(kr, Qt.Key.Key_Return, NoMod, enter, 0, 0, "\r"))
    return events


class Till(QWidget):
    """A code field and an amount field (with a validator, like the window's)."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.code = QLineEdit()
        self.amount = QLineEdit()
        self.amount.setValidator(QDoubleValidator(0, 100000, 2))
        layout.addWidget(self.code)
        layout.addWidget(self.amount)
        self.submitted: list[str] = []
        self.amount.returnPressed.connect(lambda: self.submitted.append(self.amount.text()))


@pytest.fixture
def till(qtbot: Any) -> Till:
    w = Till()
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    w.amount.setFocus()
    return w


@pytest.fixture
def wedge(qapp: QApplication) -> Iterator[WedgeFilter]:
    f = WedgeFilter(platform="x11", layout=None)
    f.install(qapp)
    yield f
    f.uninstall()
    f.deleteLater()


def type_slowly(qtbot: Any, widget: QWidget, text: str, gaps: list[int]) -> None:
    for ch, gap in zip(text, gaps, strict=True):
        QTest.keyClick(widget, ch)
        qtbot.wait(gap)


# -- the wedge filter ---------------------------------------------------------------------------


def test_a_burst_typed_into_the_amount_field_never_lands_there(qtbot: Any, till: Till,
                                                                wedge: WedgeFilter) -> None:
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as got:
        QTest.keyClicks(till.amount, "1234567")
        QTest.keyClick(till.amount, Qt.Key.Key_Return)
    assert got.args == ["1234567"]
    qtbot.wait(100)
    assert till.amount.text() == ""
    assert till.submitted == []


def test_a_burst_without_suffix_ends_at_the_pause(qtbot: Any, till: Till,
                                                  wedge: WedgeFilter) -> None:
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as got:
        QTest.keyClicks(till.amount, CODE)
    assert got.args == [CODE]
    assert till.amount.text() == ""


def test_human_typing_passes_through_untouched(qtbot: Any, till: Till,
                                               wedge: WedgeFilter) -> None:
    codes: list[str] = []
    wedge.code_scanned.connect(codes.append)
    # 80-200 ms per key, with one fast pair (25 ms)
    type_slowly(qtbot, till.amount, "125.50", [120, 25, 150, 90, 200, 80])
    QTest.keyClick(till.amount, Qt.Key.Key_Backspace)
    QTest.keyClick(till.amount, Qt.Key.Key_Return)
    qtbot.wait(120)
    assert till.amount.text() == "125.5"
    assert till.submitted == ["125.5"]
    assert codes == []


def test_a_shortcut_key_inside_a_burst_does_not_fire(qtbot: Any, till: Till,
                                                     wedge: WedgeFilter) -> None:
    fired: list[int] = []
    shortcut = QShortcut(QKeySequence("B"), till)
    shortcut.activated.connect(lambda: fired.append(1))
    till.code.setFocus()
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as got:
        QTest.keyClicks(till.code, "1234B56")
        QTest.keyClick(till.code, Qt.Key.Key_Return)
    assert got.args == ["1234B56"]
    assert fired == []
    assert till.code.text() == ""


@pytest.mark.parametrize("platform", ["x11", "windows", "mac"])
@pytest.mark.parametrize("layout", ["ru", "fr", "de"])
def test_scanner_typing_through_a_foreign_layout_gives_the_code(
        qtbot: Any, till: Till, wedge: WedgeFilter, platform: str, layout: str) -> None:
    wedge.keys.platform = platform  # type: ignore[assignment]
    code = "QR-Wd9/zy:AMQ1"
    events = native_events(code, layout, platform)
    if layout == "ru":
        assert "ЙК" in "".join(e.text() for e in events)
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as got:
        for ev in events:
            QApplication.sendEvent(till.amount, ev)
    assert got.args == [code]
    assert till.amount.text() == ""
    assert till.submitted == []


def test_layout_table_fallback_without_native_codes(qtbot: Any, till: Till,
                                                    wedge: WedgeFilter) -> None:
    wedge.keys.layout = "ru"
    kp, kr = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000) as got:
        for text in "ЙЦУК12":  # no scan code, no virtual key (synthetic / remote desktop)
            for kind in (kp, kr):
                QApplication.sendEvent(till.code, QKeyEvent(kind, ord(text), Shift, 0, 0, 0,
                                                            text))
        QApplication.sendEvent(till.code, QKeyEvent(kp, Qt.Key.Key_Return, NoMod, "\r"))
    assert got.args == ["QWER12"]


def test_russian_layout_typing_by_a_person_is_not_changed(qtbot: Any, till: Till,
                                                          wedge: WedgeFilter) -> None:
    kp, kr = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    for text, evdev in (("п", 34), ("р", 35), ("и", 48)):
        for kind in (kp, kr):
            QApplication.sendEvent(till.code, QKeyEvent(kind, ord(text.upper()), NoMod,
                                                        evdev + 8, 0, 0, text))
        qtbot.wait(90)
    qtbot.wait(80)
    assert till.code.text() == "при"


def _stamped(kind: QEvent.Type, text: str, ts: int) -> QKeyEvent:
    ev = QKeyEvent(kind, ord(text.upper()), NoMod, 0, 0, 0, text)
    ev.setTimestamp(ts)
    return ev


def test_platform_timestamps_are_used_so_a_busy_window_does_not_merge_typing(
        qtbot: Any, till: Till, wedge: WedgeFilter) -> None:
    """Keys typed 150 ms apart but delivered at once (the window was busy) stay typing; keys
    stamped 5 ms apart are a scan, on a platform clock far behind the monotonic one."""
    codes: list[str] = []
    wedge.code_scanned.connect(codes.append)
    kp, kr = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    for i, ch in enumerate("987654"):
        QApplication.sendEvent(till.code, _stamped(kp, ch, 1000 + 150 * i))
        QApplication.sendEvent(till.code, _stamped(kr, ch, 1000 + 150 * i + 40))
    qtbot.waitUntil(lambda: till.code.text() == "987654", timeout=2000)
    with qtbot.waitSignal(wedge.code_scanned, timeout=2000):
        for i, ch in enumerate("SCAN42"):
            QApplication.sendEvent(till.code, _stamped(kp, ch, 5000 + 5 * i))
            QApplication.sendEvent(till.code, _stamped(kr, ch, 5000 + 5 * i + 2))
    assert codes == ["SCAN42"]
    assert till.code.text() == "987654"


def test_disabled_filter_lets_everything_through(qtbot: Any, till: Till,
                                                 wedge: WedgeFilter) -> None:
    wedge.set_enabled(False)
    QTest.keyClicks(till.code, "ABCDEFG")
    assert till.code.text() == "ABCDEFG"
    wedge.set_enabled(True)
    wedge.set_options(WedgeOptions(min_length=8))
    QTest.keyClicks(till.code, "1234567")  # 7 < 8: typing, delivered after the gap
    qtbot.waitUntil(lambda: till.code.text() == "ABCDEFG1234567", timeout=2000)


# -- install_scanning: each input into on_code ---------------------------------------------------


class Calls:
    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []

    def __call__(self, code: str, source: str) -> None:
        self.got.append((code, source))


@pytest.fixture
def main_window(qtbot: Any) -> QMainWindow:
    win = QMainWindow()
    till = Till()
    win.setCentralWidget(till)
    win.till = till  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.show()
    till.amount.setFocus()
    return win


@pytest.fixture
def installed(qapp: QApplication, main_window: QMainWindow) -> Iterator[Any]:
    handles: list[ScanningHandle] = []

    def install(settings: dict[str, Any], **kw: Any) -> tuple[ScanningHandle, Calls]:
        calls = Calls()
        table = {"feedback_sound": "beep", **settings}
        handle = install_scanning(qapp, main_window, calls, {"scanner": table}["scanner"],
                                  **kw)
        handles.append(handle)
        return handle, calls

    yield install
    for h in handles:
        h.stop()


def test_wedge_into_on_code(qtbot: Any, installed: Any, main_window: Any) -> None:
    handle, calls = installed({})
    with qtbot.waitSignal(handle.code_read, timeout=2000):
        QTest.keyClicks(main_window.till.amount, CODE)
        QTest.keyClick(main_window.till.amount, Qt.Key.Key_Return)
    assert calls.got == [(CODE, "wedge")]
    assert main_window.till.amount.text() == ""
    assert handle.feedback.last_sound == "beep:good"


def test_a_code_no_service_claims_sounds_different_and_says_why(
        qtbot: Any, installed: Any, main_window: Any) -> None:
    handle, calls = installed({}, router=lambda: Router([]))
    with qtbot.waitSignal(handle.code_rejected, timeout=2000) as got:
        # Outside an entry field (there, a code no service claims is typing: issue 14.4).
        main_window.till.amount.clearFocus()
        QTest.keyClicks(main_window, "NOT-A-CARD")
        QTest.keyClick(main_window, Qt.Key.Key_Return)
    code, source, reason = got.args
    assert (code, source) == ("NOT-A-CARD", "wedge")
    assert "No service is configured to recognise this code" in reason
    assert calls.got == []
    assert handle.feedback.last_sound == "beep:bad"
    flash = handle.feedback.flash_widget
    assert flash is not None and flash.isVisible()
    assert "No service is configured to recognise" in flash.label.text()


@MULTIMEDIA_NOISE
def test_camera_into_on_code_with_preview(qtbot: Any, installed: Any, main_window: Any,
                                          tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    pytest.importorskip("zxingcpp")
    from pos_app.core.scanning.synthetic import write_qr_video

    video = write_qr_video(tmp_path / "cam.avi", [(None, 3), (CODE, 15), (None, 10),
                                                  (CODE, 12)], size=(320, 240), fps=30)
    handle, calls = installed({"wedge_enabled": False, "camera_enabled": True,
                               "camera_source": str(video), "camera_file_speed": 1.0,
                               "camera_absent_frames": 5})
    qtbot.waitUntil(lambda: handle.camera is not None, timeout=2000)
    assert handle.camera_dock is not None and handle.camera_view is not None
    qtbot.waitUntil(lambda: len(calls.got) == 2, timeout=10000)
    assert calls.got == [(CODE, "camera"), (CODE, "camera")]
    qtbot.waitUntil(lambda: handle.camera.state == "ended", timeout=5000)
    assert handle.camera_view.frames_shown > 0
    handle.camera_dock.hide()
    assert not handle.camera.preview


def _pty_link(link: Path) -> int:
    """A new pseudo-terminal behind ``link`` (the 'scanner'); returns the master fd."""
    master, slave = os.openpty()
    target = os.ttyname(slave)
    os.close(slave)
    tmp = link.with_suffix(".new")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    tmp.replace(link)
    return master


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="pseudo-terminal as a serial port: Linux")


@linux_only
def test_serial_into_on_code_with_unplug_and_reconnect(qtbot: Any, installed: Any,
                                                        tmp_path: Path) -> None:
    pytest.importorskip("PySide6.QtSerialPort")
    link = tmp_path / "scanner"
    master = _pty_link(link)
    handle, calls = installed({"wedge_enabled": False, "serial_enabled": True,
                               "serial_port": str(link), "serial_suffix": "crlf",
                               "serial_retry_ms": 100})
    qtbot.waitUntil(lambda: handle.serial is not None and handle.serial.is_open, timeout=3000)
    os.write(master, b"4482")
    qtbot.wait(20)
    os.write(master, b"34-808-346\r\n")
    qtbot.waitUntil(lambda: calls.got == [("448234-808-346", "serial")], timeout=3000)
    states: list[tuple[str, str, str]] = []
    handle.status_changed.connect(lambda *a: states.append(a))
    os.close(master)  # unplugged
    qtbot.waitUntil(lambda: any(s[1] == "retrying" for s in states), timeout=3000)
    assert "went away" in next(s[2] for s in states if s[1] == "retrying")
    master = _pty_link(link)  # plugged in again
    try:
        qtbot.waitUntil(lambda: handle.serial.is_open, timeout=5000)
        os.write(master, b"SECOND\r\n")
        qtbot.waitUntil(lambda: len(calls.got) == 2, timeout=3000)
    finally:
        handle.stop()
        os.close(master)
    assert calls.got[1] == ("SECOND", "serial")
    assert handle.serial is None


@linux_only
def test_serial_reader_missing_port_retries_with_a_clear_message(qtbot: Any,
                                                                 tmp_path: Path) -> None:
    pytest.importorskip("PySide6.QtSerialPort")
    from pos_app.qt.scanning.serial_reader import SerialReader

    reader = SerialReader(str(tmp_path / "ttyNOPE"), retry_first_ms=50, retry_max_ms=100)
    states: list[tuple[str, str]] = []
    reader.status_changed.connect(lambda s, m: states.append((s, m)))
    reader.start()
    qtbot.waitUntil(lambda: reader.reconnects >= 3, timeout=3000)
    reader.stop()
    assert states[0][0] == "retrying"
    assert "is not there" in states[0][1] or "could not be opened" in states[0][1]
    assert states[-1][0] == "stopped"


# -- the settings page ------------------------------------------------------------------------


@MULTIMEDIA_NOISE
def test_settings_page_tests_the_wedge_and_saves(qtbot: Any, qapp: QApplication,
                                                 main_window: Any, tmp_path: Path) -> None:
    from pos_app.qt.scanning.inputs_settings import ScannerSettingsDialog

    settings = Settings(tmp_path / "settings.toml", {"luna": {"base_url": "x"}})
    handle = install_scanning(qapp, main_window, Calls(), settings)
    dialog = ScannerSettingsDialog(settings, handle, main_window)
    qtbot.addWidget(dialog)
    dialog.show()
    page = dialog.page
    assert page.camera_choice.count() >= 2  # cameras (or Camera 0..3) + file/stream
    page.typing_test.setFocus()
    with qtbot.waitSignal(page.test_read, timeout=2000) as got:
        QTest.keyClicks(page.typing_test, "TEST-123")
        QTest.keyClick(page.typing_test, Qt.Key.Key_Return)
    assert got.args[:2] == ["wedge", "TEST-123"]
    assert "TEST-123" in page.wedge_test.text() and "ended by enter" in page.wedge_test.text()
    assert page.typing_test.text() == ""
    page.wedge_min.setValue(6)
    page.serial_suffix.setCurrentIndex(page.serial_suffix.findData("tab"))
    page.camera_choice.setCurrentIndex(page.camera_choice.findData("__file__"))
    page.camera_source.setText("rtsp://camera.local/stream")
    dialog.save()
    saved = Settings(settings.path, {})
    import tomllib

    saved.data = tomllib.loads(settings.path.read_text())
    table = saved.data["scanner"]
    assert table["wedge_min_length"] == 6
    assert table["serial_suffix"] == "tab"
    assert table["camera_source"] == "rtsp://camera.local/stream"
    assert (table["camera_width"], table["camera_height"]) == (1280, 720)
    assert saved.data["luna"] == {"base_url": "x"}
    assert handle.wedge is not None and handle.wedge.options.min_length == 6
    handle.stop()


@MULTIMEDIA_NOISE
def test_settings_page_camera_test_on_a_video_file(qtbot: Any, tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from pos_app.core.scanning.synthetic import write_qr_video
    from pos_app.qt.scanning.inputs_settings import InputsSettingsPage

    video = write_qr_video(tmp_path / "t.avi", [(CODE, 20)], size=(320, 240), fps=30)
    page = InputsSettingsPage({"camera_source": str(video)})
    qtbot.addWidget(page)
    page.show()
    assert page.camera_choice.currentData() == "__file__"
    with qtbot.waitSignal(page.test_read, timeout=10000) as got:
        page.toggle_camera_test()
    assert got.args[:2] == ["camera", CODE]
    qtbot.waitUntil(lambda: page.camera_view.frames_shown > 0, timeout=5000)
    page.toggle_camera_test()
    assert page._test_camera is None


def test_installing_imports_nothing_heavy() -> None:
    """The window starts without cv2, zxing-cpp, numpy, QtMultimedia or QtSerialPort."""
    import subprocess

    script = (
        "import sys, pos_app.qt\n"
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "app = QApplication([]); w = QMainWindow()\n"
        "from pos_app.qt.scanning.integration import install_scanning\n"
        "from pos_app.qt.scanning import camera_view, feedback, inputs_settings, serial_reader\n"
        "h = install_scanning(app, w, lambda c, s: None, {})\n"
        "heavy = ('cv2', 'zxingcpp', 'numpy', 'PySide6.QtMultimedia', 'PySide6.QtSerialPort')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
