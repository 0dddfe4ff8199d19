"""The camera through QtMultimedia: ``QCamera`` -> ``QMediaCaptureSession`` -> ``QVideoSink``
(a video file or a stream URL: ``QMediaPlayer`` into the same sink).

Each frame the sink gets is pushed, as it is (a reference, no copy), into the core
:class:`DecodeWorker` (a one-slot buffer: only the latest frame waits; decoding runs on the
worker's thread). There
:func:`mapped_luma` maps the frame read-only and hands the decoder its luma plane in place, in
the camera's own pixel format (NV12, YUV420P, YUYV, UYVY, P010...: no ``toImage()``, no
copy); RGB formats are made gray with one QImage conversion, anything else (JPEG frames) goes
through ``toImage()``.

:class:`QtCamera` opens the camera chosen by id, then name, then index, at the resolution
asked for (the nearest format the camera lists, raw YUV preferred), and watches it: an error,
no picture for a while, or the camera leaving ``QMediaDevices`` is reported and the camera is
opened again with a growing delay (at once when a camera is plugged in). It lives in the GUI
thread; nothing in it blocks (QtMultimedia opens cameras asynchronously).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)

from pos_app.core import formatting
from pos_app.core.i18n import _
from pos_app.core.scanning.camera import CameraConfig, CameraError, CameraStatus, DecodeWorker
from pos_app.core.scanning.gray import GrayImage

__all__ = ["QtCamera", "find_device", "mapped_luma", "pick_format"]

log = logging.getLogger(__name__)

PF = QVideoFrameFormat.PixelFormat
#: Pixel formats whose plane 0 holds the luma: (bytes between pixels, offset of the byte used).
#: 16-bit formats are read by their high byte (little-endian).
LUMA_LAYOUT: dict[Any, tuple[int, int]] = {
    **{pf: (1, 0) for pf in (PF.Format_NV12, PF.Format_NV21, PF.Format_YUV420P,
                             PF.Format_YUV422P, PF.Format_YV12, PF.Format_IMC1, PF.Format_IMC2,
                             PF.Format_IMC3, PF.Format_IMC4, PF.Format_Y8)},
    PF.Format_YUYV: (2, 0),
    PF.Format_UYVY: (2, 1),
    **{pf: (2, 1) for pf in (PF.Format_P010, PF.Format_P016, PF.Format_Y16,
                             PF.Format_YUV420P10)},
}
#: RGB pixel formats -> the QImage format with the same bytes (one conversion to gray).
RGB_LAYOUT: dict[Any, QImage.Format] = {
    PF.Format_ARGB8888: QImage.Format.Format_ARGB32,
    PF.Format_ARGB8888_Premultiplied: QImage.Format.Format_ARGB32_Premultiplied,
    PF.Format_XRGB8888: QImage.Format.Format_RGB32,
    PF.Format_BGRA8888: QImage.Format.Format_ARGB32,
    PF.Format_BGRA8888_Premultiplied: QImage.Format.Format_ARGB32_Premultiplied,
    PF.Format_BGRX8888: QImage.Format.Format_RGB32,
    PF.Format_RGBA8888: QImage.Format.Format_RGBA8888,
    PF.Format_RGBX8888: QImage.Format.Format_RGBX8888,
    PF.Format_ABGR8888: QImage.Format.Format_RGBA8888,
    PF.Format_XBGR8888: QImage.Format.Format_RGBX8888,
}
#: Seconds without a picture before an open camera counts as gone / a new one as busy.
STALL_S = 2.5
OPEN_TIMEOUT_S = 8.0


@contextmanager
def mapped_luma(frame: QVideoFrame) -> Iterator[GrayImage | None]:
    """The frame's luma as a :class:`GrayImage` while the frame is mapped (in place for YUV
    formats: do not keep it past the ``with``); ``None`` for a frame that cannot be read."""
    if not frame.isValid():
        yield None
        return
    layout = LUMA_LAYOUT.get(frame.pixelFormat())
    if layout is not None and frame.map(QVideoFrame.MapMode.ReadOnly):
        try:
            step, offset = layout
            mv = memoryview(frame.bits(0)).cast("B")
            yield GrayImage(mv[offset:] if offset else mv, frame.width(), frame.height(),
                            frame.bytesPerLine(0), step)
        finally:
            frame.unmap()
        return
    yield _gray_copy(frame)


def owned_luma(frame: QVideoFrame) -> GrayImage | None:
    """The frame's luma copied out of it (one plain copy of the plane, no ``toImage()``), so
    that no video frame outlives its player or camera on another thread: a frame of
    QtMultimedia's FFmpeg backend holds its decoder, which must not die under it."""
    with mapped_luma(frame) as gray:
        if gray is None:
            return None
        if isinstance(gray.data, bytes):
            return gray
        return GrayImage(bytes(gray.data), gray.width, gray.height, gray.stride, gray.step)


def _gray_copy(frame: QVideoFrame) -> GrayImage | None:
    """RGB frames: one QImage conversion; anything else: ``toImage()`` (JPEG frames)."""
    qfmt = RGB_LAYOUT.get(frame.pixelFormat())
    image: QImage | None = None
    if qfmt is not None and frame.map(QVideoFrame.MapMode.ReadOnly):
        try:
            image = QImage(frame.bits(0), frame.width(), frame.height(), frame.bytesPerLine(0),
                           qfmt).convertToFormat(QImage.Format.Format_Grayscale8)
        finally:
            frame.unmap()
    if image is None:
        image = frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    if image.isNull():
        return None
    return GrayImage(bytes(image.constBits()), image.width(), image.height(),
                     image.bytesPerLine())


def find_device(config: CameraConfig) -> QCameraDevice | None:
    """The camera the settings name: by id, then by name, then a device index (its place in
    ``QMediaDevices.videoInputs()``, or ``/dev/videoN`` on Linux), else the default one."""
    devices = QMediaDevices.videoInputs()
    for dev in devices:
        if config.camera_id and bytes(dev.id().data()).decode("utf-8", "replace") \
                == config.camera_id:
            return dev
    for dev in devices:
        if config.camera_name and dev.description() == config.camera_name:
            return dev
    if config.camera_id or config.camera_name:
        return None  # the camera chosen is not there (unplugged): do not take another one
    if isinstance(config.source, int):
        for dev in devices:
            if bytes(dev.id().data()).decode("utf-8", "replace").endswith(
                    f"/dev/video{config.source}"):
                return dev
        if 0 <= config.source < len(devices):
            return devices[config.source]
        return None
    default = QMediaDevices.defaultVideoInput()
    return None if default.isNull() else default


def pick_format(device: QCameraDevice, width: int | None,
                height: int | None) -> QCameraFormat | None:
    """The camera format nearest ``width`` x ``height``: the exact size first, then a
    format giving at least 15 fps, then one whose luma the decoder reads in place."""
    formats = list(device.videoFormats())
    if not formats:
        return None
    want = (width or 1280) * (height or 720)

    def score(f: QCameraFormat) -> tuple[Any, ...]:
        r = f.resolution()
        exact = (r.width(), r.height()) == (width, height)
        return (not exact, abs(r.width() * r.height() - want), f.maxFrameRate() < 15,
                f.pixelFormat() not in LUMA_LAYOUT, -f.maxFrameRate())

    return min(formats, key=score)


def _is_url(source: Any) -> bool:
    return isinstance(source, str) and "://" in source


class QtCamera(QObject):
    """Frames from a camera, a file or a URL into ``worker``; state changes to
    ``on_status(CameraStatus)`` (in the GUI thread)."""

    def __init__(self, config: CameraConfig, worker: DecodeWorker,
                 on_status: Callable[[CameraStatus], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.worker = worker
        self.on_status = on_status
        self.status = CameraStatus("stopped")
        self._sink = QVideoSink(self)
        # Queued to this object's (the GUI) thread, which only hands the frame on. A direct
        # call from QtMultimedia's thread would need the GIL there, while the GUI thread holds
        # it in player.stop() waiting for that thread: a deadlock.
        self._sink.videoFrameChanged.connect(self._frame, Qt.ConnectionType.QueuedConnection)
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._player: QMediaPlayer | None = None
        self._spare_player: QMediaPlayer | None = None
        self._devices: QMediaDevices | None = None
        self._device_id = b""
        self._last_frame = 0.0
        self._frames = 0
        self._opened_at = 0.0
        self._delay = config.retry_first
        self._stopped = True
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._open)

    # -- control --------------------------------------------------------------------------

    def start(self) -> None:
        self._stopped = False
        if self._devices is None and not self._is_media():
            self._devices = QMediaDevices(self)
            self._devices.videoInputsChanged.connect(self._devices_changed)
        self._open()

    def stop(self) -> None:
        self._stopped = True
        self._retry.stop()
        self._watchdog.stop()
        self._close()
        self._report(CameraStatus("stopped"))

    # -- opening --------------------------------------------------------------------------

    def _is_media(self) -> bool:
        src = self.config.source
        return isinstance(src, str) and not src.startswith("/dev/")

    def _open(self) -> None:
        if self._stopped:
            return
        self._close()
        self._frames = 0
        self._opened_at = time.monotonic()
        text = _("Opening {source}…") if self._is_media() else _("Opening camera {name}…")
        self._report(CameraStatus("opening", text.format(source=self._name(), name=self._name())))
        if self._is_media():
            self._open_player()
        else:
            self._open_camera()
        self._watchdog.start()

    def _name(self) -> str:
        """The camera's name (or number), or the video file's or stream's address."""
        cfg = self.config
        return str(cfg.source) if self._is_media() else str(cfg.camera_name or cfg.source)

    def _open_camera(self) -> None:
        device = find_device(self.config)
        if device is None:
            self._fail(CameraError("no_camera", _(
                "There is no camera {name}: connect it, or choose another in the "
                "settings.").format(name=self._name())))
            return
        camera = QCamera(device, self)
        fmt = pick_format(device, self.config.width, self.config.height)
        if fmt is not None:
            camera.setCameraFormat(fmt)
        camera.errorOccurred.connect(self._camera_error)
        session = QMediaCaptureSession(self)
        session.setCamera(camera)
        session.setVideoSink(self._sink)
        self._camera, self._session = camera, session
        self._device_id = bytes(device.id().data())
        camera.start()

    def _open_player(self) -> None:
        source = str(self.config.source)
        if not _is_url(source) and not Path(source).is_file():
            self._fail(CameraError("no_file", _("The video file {source} does not exist.").format(
                source=source)))
            return
        player, self._spare_player = self._spare_player or QMediaPlayer(self), None
        player.setVideoSink(self._sink)
        player.errorOccurred.connect(self._player_error)
        player.mediaStatusChanged.connect(self._media_status)
        if self.config.file_speed > 0:
            player.setPlaybackRate(self.config.file_speed)
        player.setSource(QUrl(source) if _is_url(source) else QUrl.fromLocalFile(source))
        self._player = player
        player.play()

    def _close(self) -> None:
        camera, self._camera = self._camera, None
        session, self._session = self._session, None
        player, self._player = self._player, None
        if camera is not None:
            camera.errorOccurred.disconnect(self._camera_error)
            camera.stop()
        if session is not None:
            session.setVideoSink(None)
            session.setCamera(None)
            session.deleteLater()
        if camera is not None:
            camera.deleteLater()
        if player is not None:
            player.errorOccurred.disconnect(self._player_error)
            player.mediaStatusChanged.disconnect(self._media_status)
            player.stop()
            player.setVideoSink(None)
            player.setSource(QUrl())
            # Kept for the next open: deleting a player its FFmpeg threads still share
            # crashes Qt ("shared QObject was deleted directly").
            self._spare_player = player

    # -- frames and problems ---------------------------------------------------------------

    def _frame(self, frame: QVideoFrame) -> None:
        """One frame from the sink: into the worker's slot (decoded on its thread)."""
        if self._stopped or not frame.isValid():
            return
        self._last_frame = time.monotonic()
        self._frames += 1
        gray = owned_luma(frame)
        if gray is not None:
            self.worker.push(gray)

    def _check(self) -> None:
        """Every 250 ms: the first picture (running), or none for too long (retry)."""
        if self._stopped or self.status.state in ("retrying", "failed", "ended"):
            return
        now = time.monotonic()
        if self._frames and self.status.state == "opening":
            self._delay = self.config.retry_first
            self._report(CameraStatus("running", _("The camera is on.")))
        elif self.status.state == "running" and not self._is_media() \
                and now - self._last_frame > STALL_S:
            self._fail(CameraError("unplugged", _("The camera stopped sending pictures "
                                                  "(unplugged?).")))
        elif self.status.state == "opening" and now - self._opened_at > OPEN_TIMEOUT_S:
            text = (_("{source} opened but sends no picture.") if self._is_media() else
                    _("Camera {name} opened but sends no picture: another program may be "
                      "using it."))
            self._fail(CameraError("busy", text.format(source=self._name(), name=self._name())))

    def _camera_error(self, _error: Any, text: str) -> None:
        self._fail(CameraError("busy", _(
            "Camera {name} could not be opened ({error}): another program (a video call?) "
            "may be using it, or access to it is blocked.").format(
            name=self._name(), error=text or _("an error"))))

    def _player_error(self, _error: Any, text: str) -> None:
        source = str(self.config.source)
        if _is_url(source):
            self._fail(CameraError("unreachable", _(
                "The camera stream {source} does not answer ({error}).").format(
                source=source, error=text)))
        else:
            self._fail(CameraError("no_file", _(
                "The video file {source} cannot be played ({error}).").format(
                source=source, error=text)))

    def _media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status != QMediaPlayer.MediaStatus.EndOfMedia or self._stopped:
            return
        if _is_url(str(self.config.source)):
            self._fail(CameraError("unreachable", _("The camera stream ended.")))
            return
        self._watchdog.stop()
        self._report(CameraStatus("ended", _("The video has ended.")))
        self.worker.finish()

    def _devices_changed(self) -> None:
        if self._stopped:
            return
        if self.status.state == "retrying":
            self._retry.start(0)  # a camera came: try now
        elif self._camera is not None and not any(
                bytes(d.id().data()) == self._device_id for d in QMediaDevices.videoInputs()):
            self._fail(CameraError("unplugged", _("The camera was unplugged.")))

    def _fail(self, error: CameraError) -> None:
        if error.kind == "no_file":
            self._close()
            self._watchdog.stop()
            self._report(CameraStatus("failed", error.message, error))
            self.worker.finish()
            return
        self._close()
        self._watchdog.stop()
        delay = self.config.retry_first if error.kind == "unplugged" else self._delay
        self.worker.stats.reconnects += 1
        again = (_("Trying again in {seconds} s…").format(seconds=formatting.number(round(delay)))
                 if delay >= 1 else _("Trying again…"))
        self._report(CameraStatus("retrying", f"{error.message} {again}", error, delay))
        self._retry.start(round(delay * 1000))
        self._delay = min(delay * self.config.retry_factor, self.config.retry_max)

    def _report(self, status: CameraStatus) -> None:
        self.status = status
        if status.error is not None:
            log.info("camera %s: %s (%s)", self.config.source, status.error.message,
                     status.error.kind)
        self.on_status(status)
