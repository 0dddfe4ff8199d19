"""The webcam input and its preview.

:class:`CameraInput` runs a camera and turns its reports into Qt signals. The camera system
comes from the settings (``camera_system``): Qt's (:mod:`pos_app.qt.scanning.qt_camera`:
QtMultimedia capture, each frame's luma handed to the decoder in place), the default and the
one the installers ship; or OpenCV's (:class:`~pos_app.core.scanning.camera.CameraLoop`, the
``opencv`` extra) for a source QtMultimedia cannot open. Both keep only the latest frame,
decode on a worker thread, report each code once per appearance and reconnect.
:class:`CameraView` shows the latest frame (gray: the luma the decoder read, scaled down)
with each code seen outlined, and the camera's state in words; hiding it stops the preview
work, not the scanning.

Cameras are chosen by name: Qt's ``QMediaDevices.videoInputs()`` lists them with their names
and resolutions. Qt's system opens the camera saved by id or name; for OpenCV,
:func:`resolve_source` maps it to the index OpenCV opens — exactly on Linux (``/dev/videoN``),
by enumeration order on Windows and macOS (a virtual camera that only DirectShow sees can
shift it, so the settings also take a plain index).

Opening never blocks the GUI thread. On macOS the camera permission is asked first with Qt's
``QCameraPermission``; a refusal is said in words.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.core.i18n import _
from pos_app.core.scanning.camera import (
    CameraConfig,
    CameraLoop,
    CameraStatus,
    DecodeWorker,
    FrameSource,
)
from pos_app.core.scanning.gray import GrayImage

if TYPE_CHECKING:
    from pos_app.core.scanning.decoder import Decoded, Decoder
    from pos_app.qt.scanning.qt_camera import QtCamera

__all__ = ["CameraChoice", "CameraInput", "CameraView", "list_cameras", "resolve_source"]

log = logging.getLogger(__name__)

#: Offered when the camera does not list its resolutions.
COMMON_RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))
PREVIEW_MAX_WIDTH = 640
PREVIEW_FPS = 20.0


@dataclass(frozen=True)
class CameraChoice:
    """A camera as the settings list it."""

    name: str
    id: str
    index: int
    resolutions: tuple[tuple[int, int], ...] = field(default=COMMON_RESOLUTIONS)
    default: bool = False


def _index_from_id(device_id: str) -> int | None:
    match = re.search(r"/dev/video(\d+)$", device_id)
    return int(match.group(1)) if match else None


def list_cameras() -> list[CameraChoice]:
    """The cameras with their names, via QtMultimedia (imported here, on first use); without it
    (or when it lists none), ``Camera 0``..``Camera 3`` to try by index."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        log.info("no QtMultimedia (%s): cameras are listed by number", exc)
        return numbered_cameras()
    choices = []
    default = QMediaDevices.defaultVideoInput()
    for position, dev in enumerate(QMediaDevices.videoInputs()):
        dev_id = bytes(dev.id().data()).decode("utf-8", "replace")
        index = _index_from_id(dev_id)
        sizes = sorted({(f.resolution().width(), f.resolution().height())
                        for f in dev.videoFormats()
                        if f.resolution().width() >= 320}, key=lambda s: s[0] * s[1])
        choices.append(CameraChoice(dev.description() or camera_name(position), dev_id,
                                    position if index is None else index,
                                    tuple(sizes) or COMMON_RESOLUTIONS,
                                    default=not default.isNull() and dev.id() == default.id()))
    return choices or numbered_cameras()


def camera_name(index: int) -> str:
    """The name of a camera the system gives none: ``Camera 0``."""
    return _("Camera {number}").format(number=index)


def numbered_cameras() -> list[CameraChoice]:
    """``Camera 0``..``Camera 3``, to try by index when the system lists none."""
    return [CameraChoice(camera_name(i), "", i) for i in range(4)]


def resolve_source(table: dict[str, Any],
                   cameras: Callable[[], list[CameraChoice]] = list_cameras) -> int | str:
    """The OpenCV source for the settings: ``camera_source`` when it is a file or URL,
    else the camera saved by id or name (``camera_id``, ``camera_name``) mapped to its index,
    else ``camera_source`` as an index, else 0."""
    raw = table.get("camera_source")
    if isinstance(raw, str) and raw.strip() and not raw.strip().isdigit():
        return raw.strip()
    cam_id, name = str(table.get("camera_id") or ""), str(table.get("camera_name") or "")
    if cam_id or name:
        found = cameras()
        for choice in found:
            if cam_id and choice.id == cam_id:
                return choice.index
        for choice in found:
            if name and choice.name == name:
                return choice.index
    try:
        return int(raw) if raw not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


#: Stopped QtMultimedia inputs, kept until the app ends: deleting one whose player the
#: FFmpeg backend still shares crashes Qt ("shared QObject was deleted directly"). One is
#: left per camera start (settings changed, camera switched): a few kilobytes.
_RETIRED: list[QObject] = []


def retire(obj: QObject) -> None:
    """Keep a stopped input alive, owned by nobody but this list."""
    obj.setParent(None)
    _RETIRED.append(obj)


class CameraInput(QObject):
    """The camera as an input: ``code_scanned`` per new code in view, ``status_changed(state,
    message)`` (states of :class:`CameraStatus`, plus ``denied`` for a refused permission),
    ``preview_ready(QImage, outlines)`` while :attr:`preview` is on (outlines: list of
    ``(text, [(x, y)...])`` in the image's pixels)."""

    code_scanned = Signal(str)
    status_changed = Signal(str, str)
    preview_ready = Signal(QImage, list)
    _status_from_thread = Signal(object)

    def __init__(self, config: CameraConfig, *, decoder: Decoder | None = None,
                 source_factory: Callable[[CameraConfig], FrameSource] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self._decoder = decoder
        self._factory = source_factory
        self._loop: CameraLoop | None = None
        self._qt: QtCamera | None = None
        self._worker: DecodeWorker | None = None
        self._preview = False
        self._last_preview = 0.0
        self._preview_pending = False
        self.state = "stopped"
        self.message = ""
        self._status_from_thread.connect(self._on_status)

    @property
    def loop(self) -> CameraLoop | None:
        """The OpenCV loop, when that system runs."""
        return self._loop

    @property
    def worker(self) -> DecodeWorker | None:
        """The decoder thread of whichever system runs (its ``stats`` count frames)."""
        return self._loop.worker if self._loop is not None else self._worker

    @property
    def preview(self) -> bool:
        return self._preview

    def set_preview(self, on: bool) -> None:
        """Send preview images (costs a resize per shown frame); off while hidden."""
        self._preview = on
        self._preview_pending = False
        if self.worker is not None:
            self.worker.preview = on

    @property
    def running(self) -> bool:
        return self._loop is not None or self._qt is not None

    def start(self) -> None:
        """Ask for permission where the OS wants it, then start capturing (non-blocking)."""
        if self.running:
            return
        self._with_permission(self._start_loop)

    def stop(self, timeout: float = 0.5) -> None:
        """Stop capturing. Waits at most ``timeout`` for the threads (a driver stuck in a read
        or a slow open must not freeze the window); they end by themselves after that."""
        loop, self._loop = self._loop, None
        qt, self._qt = self._qt, None
        worker, self._worker = self._worker, None
        if loop is not None and not loop.stop(timeout):
            log.info("camera thread still busy in the driver; left to end by itself")
        if qt is not None:
            qt.stop()
            retire(qt)
        if worker is not None and not worker.stop(timeout):
            log.info("camera decode thread still busy; left to end by itself")
        self._set("stopped", "")

    def _start_loop(self) -> None:
        if self.config.system == "opencv" or self._factory is not None:
            self._loop = CameraLoop(self.config, on_code=self.code_scanned.emit,
                                    on_frame=self._on_frame,
                                    on_status=self._status_from_thread.emit,
                                    decoder=self._decoder, source_factory=self._factory)
            self._loop.preview = self._preview
            self._loop.start()
            return
        from pos_app.qt.scanning.qt_camera import QtCamera

        self._worker = DecodeWorker(self.config, on_code=self.code_scanned.emit,
                                    on_frame=self._on_frame, decoder=self._decoder,
                                    name="qt-camera")
        self._worker.preview = self._preview
        self._qt = QtCamera(self.config, self._worker, self._on_status, parent=self)
        self._worker.start()
        self._qt.start()

    def _with_permission(self, then: Callable[[], None]) -> None:
        if sys.platform != "darwin":
            then()
            return
        from PySide6.QtCore import QCameraPermission

        app = QCoreApplication.instance()
        if app is None:
            then()
            return
        permission = QCameraPermission()
        status = app.checkPermission(permission)
        if status == Qt.PermissionStatus.Granted:
            then()
        elif status == Qt.PermissionStatus.Denied:
            self._set("denied", _("Camera access is refused. Allow pos-app in System Settings "
                                  "→ Privacy & Security → Camera, then start the camera "
                                  "again."))
        else:
            self._set("opening", _("Asking for permission to use the camera…"))
            app.requestPermission(permission, self, lambda _p: self._with_permission(then))

    def _set(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.status_changed.emit(state, message)

    def _on_status(self, status: CameraStatus) -> None:
        if not self.running and status.state != "stopped":
            return  # a late report from a loop already stopped
        self._set(status.state, status.message)

    def _on_frame(self, frame: Any, found: list[Decoded]) -> None:
        """Decoder thread, the frame still open: a scaled copy for the preview, at most
        PREVIEW_FPS and only when the last one was painted (a slow GUI never queues up
        images)."""
        now = time.monotonic()
        if frame is None or not self._preview or self._preview_pending \
                or now - self._last_preview < 1.0 / PREVIEW_FPS:
            return
        self._last_preview = now
        image = _to_qimage(frame)
        scale = min(1.0, PREVIEW_MAX_WIDTH / image.width())
        if scale < 1.0:
            image = image.scaledToWidth(round(image.width() * scale),
                                        Qt.TransformationMode.SmoothTransformation)
        outlines = [(d.text, [(x * scale, y * scale) for x, y in d.points]) for d in found]
        self._preview_pending = True
        self.preview_ready.emit(image, outlines)

    def preview_shown(self) -> None:
        """The view painted the last image: the next may come."""
        self._preview_pending = False


def _to_qimage(frame: Any) -> QImage:
    """A QImage copy of a gray image (the Qt system's luma) or of an OpenCV BGR/gray array."""
    if isinstance(frame, GrayImage):
        if frame.step == 1:
            data, stride = memoryview(frame.data).cast("B"), frame.stride
            data = bytes(data[:(frame.height - 1) * stride + frame.width])
        else:
            data, stride = frame.tobytes(), frame.width
        return QImage(data, frame.width, frame.height, stride,
                      QImage.Format.Format_Grayscale8).copy()
    import numpy as np

    arr = np.ascontiguousarray(frame)
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        fmt, stride = QImage.Format.Format_Grayscale8, w
    elif arr.shape[2] == 4:
        fmt, stride = QImage.Format.Format_ARGB32, w * 4
    else:
        fmt, stride = QImage.Format.Format_BGR888, w * 3
    return QImage(arr.data, w, h, stride, fmt).copy()


class CameraView(QWidget):
    """The preview: the latest frame, scaled to fit, each code seen outlined in green, and the
    camera's state in words when there is no picture."""

    def __init__(self, camera: CameraInput | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Camera preview"))
        self._image: QImage | None = None
        self._outlines: list[tuple[str, list[tuple[float, float]]]] = []
        self._text = _("Camera off.")
        self._camera: CameraInput | None = None
        self.frames_shown = 0
        if camera is not None:
            self.set_camera(camera)

    def sizeHint(self) -> QSize:
        return QSize(320, 240)

    def set_camera(self, camera: CameraInput | None) -> None:
        if self._camera is not None:
            self._camera.preview_ready.disconnect(self._frame)
            self._camera.status_changed.disconnect(self._status)
            self._camera.set_preview(False)
        self._camera = camera
        self._image = None
        if camera is not None:
            camera.preview_ready.connect(self._frame)
            camera.status_changed.connect(self._status)
            camera.set_preview(self.isVisible())
            self._status(camera.state, camera.message)
        self.update()

    @property
    def status_text(self) -> str:
        return self._text

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._camera is not None:
            self._camera.set_preview(True)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        if self._camera is not None:
            self._camera.set_preview(False)

    def _frame(self, image: QImage, outlines: list[Any]) -> None:
        self._image = image
        self._outlines = outlines
        self.frames_shown += 1
        self.update()
        if self._camera is not None:
            self._camera.preview_shown()

    def _status(self, state: str, message: str) -> None:
        words = {"stopped": _("Camera off."), "ended": _("The video has ended.")}
        self._text = message or words.get(state, "")
        if state not in ("running",):
            self._image = None if state in ("stopped", "retrying", "denied", "failed") \
                else self._image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 24, 24))
        image = self._image
        if image is not None and not image.isNull():
            iw, ih = image.width(), image.height()
            scale = min(self.width() / iw, self.height() / ih)
            dw, dh = iw * scale, ih * scale
            ox, oy = (self.width() - dw) / 2, (self.height() - dh) / 2
            painter.drawImage(QRectF(ox, oy, dw, dh), image)
            pen = QPen(QColor(60, 220, 90))
            pen.setWidth(3)
            painter.setPen(pen)
            for _text, points in self._outlines:
                poly = QPolygonF([QPointF(ox + x * scale, oy + y * scale) for x, y in points])
                painter.drawPolygon(poly)
        elif self._text:
            painter.setPen(QColor(230, 230, 230))
            painter.drawText(self.rect().adjusted(12, 12, -12, -12),
                             int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                             self._text)
        painter.end()
