"""Serial (COM / USB CDC) scanners through Qt's QSerialPort.

The port comes from the settings (``COM3``, ``/dev/ttyACM0``, a full device path). Reads are
framed by the scanner's suffix (:class:`~pos_app.core.scanning.serial.SuffixFramer`). A port
that is missing, busy or unplugged mid-shift is reported and opened again by a timer (1 s,
then up to every 10 s) until it is back. QtSerialPort (in ``PySide6-Addons``) is imported when
the reader starts, never when the window starts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pos_app.core import formatting
from pos_app.core.i18n import _
from pos_app.core.scanning.serial import SuffixFramer

__all__ = ["PortInfo", "SerialReader", "available_ports", "serial_supported"]

log = logging.getLogger(__name__)

BAUD_RATES = (9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class PortInfo:
    """A serial port as the settings page lists it."""

    name: str          # what QSerialPort opens: "COM3", "ttyACM0"
    location: str      # the system path: "\\\\.\\COM3", "/dev/ttyACM0"
    description: str   # "USB Serial Device", the scanner's product name...
    serial_number: str

    @property
    def label(self) -> str:
        return f"{self.name} — {self.description}" if self.description else self.name


def _qtserial() -> Any | None:
    try:
        from PySide6 import QtSerialPort
    except ImportError:
        return None
    return QtSerialPort


def serial_supported() -> bool:
    """QtSerialPort is installed (``PySide6-Addons``)."""
    return _qtserial() is not None


def available_ports() -> list[PortInfo]:
    """The serial ports the system has now (empty without QtSerialPort)."""
    qs = _qtserial()
    if qs is None:
        return []
    return [PortInfo(p.portName(), p.systemLocation(), p.description(), p.serialNumber())
            for p in qs.QSerialPortInfo.availablePorts()]


class SerialReader(QObject):
    """Reads codes from one serial port; reconnects by itself.

    ``status_changed(state, message)``: ``open``, ``retrying`` (missing, busy, unplugged: the
    message says which), ``stopped``, ``unavailable`` (no QtSerialPort).
    """

    code_scanned = Signal(str)
    status_changed = Signal(str, str)

    def __init__(self, port: str, *, baud: int = 9600, framer: SuffixFramer | None = None,
                 retry_first_ms: int = 1000, retry_max_ms: int = 10000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.port_name = port
        self.baud = baud
        self.framer = framer or SuffixFramer()
        self.retry_first_ms = retry_first_ms
        self.retry_max_ms = retry_max_ms
        self.state = "stopped"
        self.message = ""
        self.reconnects = 0
        self._port: Any = None
        self._delay = retry_first_ms
        self._running = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._open)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._idle_flush)

    # -- control ----------------------------------------------------------------------------

    def start(self) -> None:
        """Open the port now (or keep trying); non-blocking."""
        if self._running:
            return
        self._running = True
        self._delay = self.retry_first_ms
        self._open()

    def stop(self) -> None:
        self._running = False
        self._retry.stop()
        self._idle.stop()
        self._close()
        self._set("stopped", "")

    @property
    def is_open(self) -> bool:
        return self._port is not None and self._port.isOpen()

    # -- internals --------------------------------------------------------------------------

    def _set(self, state: str, message: str) -> None:
        if (state, message) != (self.state, self.message):
            self.state, self.message = state, message
            self.status_changed.emit(state, message)

    def _open(self) -> None:
        if not self._running:
            return
        qs = _qtserial()
        if qs is None:
            self._running = False
            self._set("unavailable", _("Serial scanners need QtSerialPort (PySide6-Addons)."))
            return
        if not self.port_name:
            self._running = False
            self._set("unavailable", _("No serial port is chosen in the settings."))
            return
        port = qs.QSerialPort(self)
        port.setPortName(self.port_name)
        port.setBaudRate(self.baud)
        port.setDataBits(qs.QSerialPort.DataBits.Data8)
        port.setParity(qs.QSerialPort.Parity.NoParity)
        port.setStopBits(qs.QSerialPort.StopBits.OneStop)
        port.setFlowControl(qs.QSerialPort.FlowControl.NoFlowControl)
        if not port.open(qs.QSerialPort.OpenModeFlag.ReadOnly):
            error = port.error()
            text = port.errorString()
            port.deleteLater()
            errors = qs.QSerialPort.SerialPortError
            if error == errors.DeviceNotFoundError:
                why = _("The serial port {port} is not there (scanner unplugged?).")
            elif error == errors.PermissionError:
                why = _("The serial port {port} is in use by another program, or this user "
                        "may not open it.")
            else:
                why = _("The serial port {port} could not be opened ({error}).")
            why = why.format(port=self.port_name, error=text)
            self._schedule(why)
            return
        port.readyRead.connect(self._read)
        port.errorOccurred.connect(self._error)
        self._port = port
        self._delay = self.retry_first_ms
        self._set("open", _("Serial scanner on {port}.").format(port=self.port_name))
        log.info("serial scanner port %s open", self.port_name)

    def _schedule(self, why: str) -> None:
        self.reconnects += 1
        seconds = self._delay / 1000
        again = _("Trying again in {seconds} s.").format(seconds=formatting.number(round(seconds)))
        self._set("retrying", f"{why} {again}")
        self._retry.start(self._delay)
        self._delay = min(self._delay * 2, self.retry_max_ms)

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            for code in self.framer.flush():
                self.code_scanned.emit(code)
            try:
                port.readyRead.disconnect(self._read)
                port.errorOccurred.disconnect(self._error)
            except (RuntimeError, TypeError):
                pass
            port.close()
            port.deleteLater()

    def _read(self) -> None:
        port = self._port
        if port is None:
            return
        data = bytes(port.readAll().data())
        now = time.monotonic()
        for code in self.framer.feed(data, now):
            self.code_scanned.emit(code)
        deadline = self.framer.deadline()
        if deadline is None:
            self._idle.stop()
        else:
            self._idle.start(max(1, int((deadline - now) * 1000) + 1))

    def _idle_flush(self) -> None:
        for code in self.framer.poll(time.monotonic()):
            self.code_scanned.emit(code)

    def _error(self, error: Any) -> None:
        qs = _qtserial()
        if qs is None or self._port is None:
            return
        errors = qs.QSerialPort.SerialPortError
        if error in (errors.NoError, errors.TimeoutError):
            return
        text = self._port.errorString()
        if error in (errors.ResourceError, errors.PermissionError, errors.DeviceNotFoundError,
                     errors.ReadError):
            # Closing from inside the port's own signal is unsafe: do it from the event loop.
            QTimer.singleShot(0, self, lambda: self._lost(text))

    def _lost(self, text: str) -> None:
        if self._port is None:
            return
        self._close()
        if self._running:
            self._delay = self.retry_first_ms
            self._schedule(_("The serial scanner on {port} went away ({error}).").format(
                port=self.port_name, error=text))
