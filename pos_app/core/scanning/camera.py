"""Camera capture loops: latest frame only, decode off the GUI thread, dedupe, reconnect (Qt-free).

:class:`DecodeWorker` is the part every camera shares: a one-slot buffer (:class:`LatestFrame`)
that a new frame replaces if the decoder has not taken the last one yet (a slow decode never
makes the picture lag behind), and a **decoder** thread that takes the newest frame, decodes it
(:meth:`Decoder.decode_frame`), reports what it saw (for the preview's outline) and, through
:class:`Dedupe`, each code once per appearance. Frames are pushed into it
(:meth:`DecodeWorker.push`) by whoever captures them: the app's QtMultimedia camera
(:mod:`pos_app.qt.scanning.qt_camera`: the video sink's frames, their luma plane mapped in
place) or the optional OpenCV loop below.

:class:`CameraLoop` is the OpenCV backend (``pip install pos-app[opencv]``, not in the
installers): a **grabber** thread reads OpenCV's ``VideoCapture`` as fast as the source gives
frames and pushes them into a :class:`DecodeWorker`. A camera that cannot be opened, is busy
or goes away is reported (:class:`CameraStatus`) and tried again with a growing delay; a video
file simply ends. Sources: a device index, a video file or a stream URL (:func:`parse_source`).
cv2 is imported on first use only. On Windows the OpenCV API comes from the settings:
DirectShow (``"dshow"``, opens in well under a second) or Media Foundation (``"msmf"``) with
``OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS=0``, which avoids its slow (5-30 s) open.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pos_app.core.i18n import _

if TYPE_CHECKING:
    import numpy as np

    from pos_app.core.scanning.decoder import Decoded, Decoder

__all__ = [
    "BACKENDS",
    "CameraConfig",
    "CameraError",
    "CameraLoop",
    "CameraStatus",
    "DecodeWorker",
    "Dedupe",
    "FrameSource",
    "LatestFrame",
    "OpenCVSource",
    "parse_source",
]

log = logging.getLogger(__name__)

#: Camera systems: Qt's (QtMultimedia, in the installers) and OpenCV's (the opencv extra).
SYSTEMS = ("qt", "opencv")

#: OpenCV backend names accepted in the settings -> ``cv2.CAP_*`` attribute.
BACKENDS = {
    "auto": "CAP_ANY",
    "dshow": "CAP_DSHOW",
    "msmf": "CAP_MSMF",
    "v4l2": "CAP_V4L2",
    "avfoundation": "CAP_AVFOUNDATION",
    "ffmpeg": "CAP_FFMPEG",
    "gstreamer": "CAP_GSTREAMER",
}


class CameraError(Exception):
    """A camera problem, in words for the cashier. ``kind``: ``no_camera``, ``busy``,
    ``unplugged``, ``no_file``, ``unreachable``, ``unavailable`` (no OpenCV)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class CameraStatus:
    """What the loop is doing. ``state``: ``opening``, ``running``, ``retrying`` (``error``
    says why, ``retry_in`` when), ``ended`` (a file's end), ``stopped``, ``failed`` (no
    retry: a missing file, no OpenCV)."""

    state: str
    message: str = ""
    error: CameraError | None = None
    retry_in: float = 0.0


def parse_source(value: int | str) -> int | str:
    """``0`` / ``"0"`` -> device index 0; anything else (a path or URL) unchanged."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def _is_url(source: int | str) -> bool:
    return isinstance(source, str) and "://" in source


@dataclass(frozen=True)
class CameraConfig:
    """Where frames come from and how a code is deduplicated. See the module docstring."""

    source: int | str = 0
    #: ``"qt"`` (QtMultimedia) or ``"opencv"``; see :data:`SYSTEMS`.
    system: str = "qt"
    #: OpenCV only: its capture API (:data:`BACKENDS`).
    backend: str = "auto"
    #: Qt only: the camera's id and name as QMediaDevices gives them (the source's index is
    #: used when neither matches).
    camera_id: str = ""
    camera_name: str = ""
    width: int | None = None
    height: int | None = None
    #: A code is read again once it has been absent from this many decoded frames...
    absent_frames: int = 8
    #: ...or when it has stayed in view this long since it was last read (None: never).
    repeat_after: float | None = 10.0
    #: Reconnect delays: first, growth factor, cap (seconds).
    retry_first: float = 0.5
    retry_factor: float = 2.0
    retry_max: float = 10.0
    #: Consecutive failed reads that count as "the camera is gone".
    max_failed_reads: int = 5
    #: Video files: play at this many times their frame rate (0: as fast as they decode,
    #: without dropping frames; for tests and tools).
    file_speed: float = 1.0
    #: Decoded frames per second at most (0: no limit); saves CPU on fast cameras.
    max_decode_fps: float = 0.0

    @property
    def is_file(self) -> bool:
        """A video file (played to its end), not a device or a stream."""
        src = self.source
        return isinstance(src, str) and not _is_url(src) and not src.startswith("/dev/")

    @classmethod
    def from_settings(cls, table: dict[str, Any], **overrides: Any) -> CameraConfig:
        """From ``settings.section("scanner")``: ``camera_source`` (index, path or URL),
        ``camera_system`` (qt, opencv), ``camera_id``, ``camera_name``, ``camera_backend``,
        ``camera_width``/``camera_height``, ``camera_absent_frames``, ``camera_repeat_after``
        (0: never)."""
        d = cls()
        backend = str(table.get("camera_backend") or default_backend())
        if backend not in BACKENDS:
            backend = "auto"

        def num(key: str, default: Any, kind: type) -> Any:
            try:
                value = table.get(key)
                return default if value in (None, "") else kind(value)
            except (TypeError, ValueError):
                return default

        repeat = num("camera_repeat_after", d.repeat_after, float)
        system = str(table.get("camera_system") or "qt")
        values: dict[str, Any] = {
            "source": parse_source(table.get("camera_source", d.source)),
            "system": system if system in SYSTEMS else "qt",
            "camera_id": str(table.get("camera_id") or ""),
            "camera_name": str(table.get("camera_name") or ""),
            "backend": backend,
            "width": num("camera_width", None, int) or None,
            "height": num("camera_height", None, int) or None,
            "absent_frames": max(1, num("camera_absent_frames", d.absent_frames, int)),
            "repeat_after": repeat if repeat else None,
        }
        values.update(overrides)
        return cls(**values)


def default_backend() -> str:
    """DirectShow on Windows (fast to open), the platform default elsewhere."""
    return "dshow" if sys.platform == "win32" else "auto"


def import_cv2() -> Any:
    """Import OpenCV for capture: Media Foundation's slow hardware transforms off first (the
    variable is read when OpenCV opens an MSMF camera), OpenCV's console logging quietened."""
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
    try:
        import cv2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CameraError("unavailable", _("The OpenCV camera system is not installed (pip "
                                           "install 'pos-app[opencv]'): choose Qt's in the "
                                           "settings.")) from exc
    try:
        from cv2.utils import logging as cvlog

        cvlog.setLogLevel(cvlog.LOG_LEVEL_ERROR)
    except ImportError:  # pragma: no cover - depends on the OpenCV build
        pass
    return cv2


# -- sources ----------------------------------------------------------------------------------


class FrameSource(Protocol):
    """What the grabber reads from (OpenCV in the app, fakes in tests)."""

    #: Frames per second the source announces (0 when unknown).
    fps: float

    def open(self) -> None:
        """Open the source; raise :class:`CameraError` when it cannot be opened."""

    def read(self) -> Any:
        """The next frame, or ``None`` when none came (gone, or the end of a file)."""

    def close(self) -> None: ...


class OpenCVSource:
    """A ``cv2.VideoCapture`` on a device index, a file or a URL."""

    def __init__(self, config: CameraConfig) -> None:
        self.config = config
        self.fps = 0.0
        self._cap: Any = None

    def open(self) -> None:
        cv2 = import_cv2()
        cfg = self.config
        source = cfg.source
        if cfg.is_file and not Path(str(source)).is_file():
            raise CameraError("no_file", _("The video file {path} does not exist.").format(
                path=source))
        api = getattr(cv2, BACKENDS.get(cfg.backend, "CAP_ANY"), cv2.CAP_ANY)
        params: list[int] = []
        if _is_url(source):
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000]
        cap = cv2.VideoCapture(source, api, params) if params else cv2.VideoCapture(source, api)
        if not cap.isOpened():
            cap.release()
            raise _open_error(source)
        if isinstance(source, int):
            if cfg.backend == "dshow" and (cfg.width or 0) >= 1280:
                # USB 2 cameras give 720p and more at full rate only as MJPG.
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            if cfg.width:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, cfg.width)
            if cfg.height:
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, cfg.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._cap = cap

    def read(self) -> np.ndarray | None:
        cap = self._cap
        if cap is None:
            return None
        try:
            ok, frame = cap.read()
        except Exception as exc:  # cv2.error from a vanished device
            log.info("camera read failed: %s", exc)
            return None
        return frame if ok and frame is not None and frame.size else None

    def close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


def _open_error(source: int | str) -> CameraError:
    if isinstance(source, int):
        if sys.platform.startswith("linux") and not Path(f"/dev/video{source}").exists():
            return CameraError("no_camera", _("There is no camera {number}: connect one, or "
                                              "choose another in the settings.").format(
                                                  number=source))
        return CameraError("busy", _("Camera {number} could not be opened: another program "
                                     "(a video call?) may be using it, or access to it is "
                                     "blocked.").format(number=source))
    if _is_url(source):
        return CameraError("unreachable", _("The camera stream {address} does not "
                                            "answer.").format(address=source))
    return CameraError("no_file", _("The video file {path} cannot be played.").format(
        path=source))


# -- the one-slot buffer and the dedupe -------------------------------------------------------


class LatestFrame:
    """A one-slot buffer: :meth:`put` replaces an untaken frame (counted in ``dropped``),
    :meth:`take` waits for a new one. ``lossless`` makes :meth:`put` wait instead of dropping
    (files played for tests and tools)."""

    def __init__(self, *, lossless: bool = False) -> None:
        self._cond = threading.Condition()
        self._frame: Any = None
        self._seq = 0
        self._closed = False
        self.lossless = lossless
        self.put_count = 0
        self.dropped = 0

    def put(self, frame: Any) -> None:
        with self._cond:
            while self.lossless and self._frame is not None and not self._closed:
                self._cond.wait(0.1)
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._seq += 1
            self.put_count += 1
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> Any:
        """The newest frame (removed from the slot), or ``None`` on timeout or close."""
        with self._cond:
            if self._frame is None and not self._closed:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            self._cond.notify_all()
            return frame

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


@dataclass
class _Seen:
    absent: int = 0
    last_read: float = 0.0


@dataclass
class Dedupe:
    """Each code once per appearance: again only after ``absent_frames`` decoded frames
    without it, or ``repeat_after`` seconds after it was last read while it stays in view."""

    absent_frames: int = 8
    repeat_after: float | None = 10.0
    _seen: dict[str, _Seen] = field(default_factory=dict)

    def update(self, texts: Iterable[str], now: float) -> list[str]:
        """The codes of one decoded frame -> those to report now."""
        present = set(texts)
        new: list[str] = []
        for text in present:
            seen = self._seen.get(text)
            if seen is None or (self.repeat_after is not None
                                and now - seen.last_read >= self.repeat_after):
                new.append(text)
                self._seen[text] = _Seen(0, now)
            else:
                seen.absent = 0
        for text in list(self._seen):
            if text not in present:
                seen = self._seen[text]
                seen.absent += 1
                if seen.absent >= self.absent_frames:
                    del self._seen[text]
        return sorted(new)

    def reset(self) -> None:
        self._seen.clear()


# -- the loop -----------------------------------------------------------------------------------


@dataclass
class LoopStats:
    """Counters for diagnostics, the settings page, the tests and the benchmark."""

    captured: int = 0
    dropped: int = 0
    decoded: int = 0
    codes: int = 0
    reconnects: int = 0
    decode_ms_total: float = 0.0

    @property
    def decode_ms_mean(self) -> float:
        return self.decode_ms_total / self.decoded if self.decoded else 0.0


#: Called from the decoder thread with the frame and what was seen in it.
FrameCallback = Callable[[Any, "list[Decoded]"], None]
#: ``open_frame(frame)``: a context manager giving what the decoder reads (a GrayImage or an
#: array) while it is open; a QtMultimedia frame is mapped for that time, then unmapped.
FrameOpener = Callable[[Any], AbstractContextManager[Any]]


class DecodeWorker:
    """The decoder thread behind a one-slot buffer. :meth:`push` from any thread (a video
    sink's callback, a grabber); callbacks run on the decoder thread:

    * ``on_code(text)``: a code newly in view (deduplicated);
    * ``on_frame(frame, decoded)``: every decoded frame with every code seen in it, while the
      frame is still open (for the preview); skipped while ``preview`` is False.
    """

    def __init__(self, config: CameraConfig, *, on_code: Callable[[str], None],
                 on_frame: FrameCallback | None = None, decoder: Decoder | None = None,
                 open_frame: FrameOpener | None = None, lossless: bool = False,
                 stats: LoopStats | None = None, name: str = "camera") -> None:
        self.config = config
        self.on_code = on_code
        self.on_frame = on_frame
        self.preview = on_frame is not None
        self._decoder = decoder
        self._open = open_frame or nullcontext
        self.slot = LatestFrame(lossless=lossless)
        self._dedupe = Dedupe(config.absent_frames, config.repeat_after)
        self._stop = threading.Event()
        #: Set when no more frames will come (a file's end): the thread ends once the slot
        #: is empty.
        self.source_done = threading.Event()
        self.stats = stats or LoopStats()
        self._thread = threading.Thread(target=self._run, name=f"{name}-decode", daemon=True)

    def start(self) -> DecodeWorker:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        return self

    def push(self, frame: Any) -> None:
        """A new frame (replaces the one waiting, if any)."""
        self.stats.captured += 1
        self.slot.put(frame)
        self.stats.dropped = self.slot.dropped

    def finish(self) -> None:
        """No more frames: decode what is waiting, then end."""
        self.source_done.set()
        self.slot.close()

    def stop(self, timeout: float = 3.0) -> bool:
        self._stop.set()
        self.slot.close()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            decoder = self._decoder
            if decoder is None:
                from pos_app.core.scanning.decoder import default_decoder

                decoder = default_decoder()
            min_interval = 1.0 / self.config.max_decode_fps if self.config.max_decode_fps else 0
            last = 0.0
            while True:
                frame = self.slot.take(timeout=0.5)
                if frame is None:
                    if self._stop.is_set() or self.source_done.is_set():
                        return
                    continue
                if min_interval and time.monotonic() - last < min_interval:
                    continue
                last = time.monotonic()
                self._decode_one(decoder, frame)
        except Exception:
            log.exception("the camera's decode thread stopped")

    def _decode_one(self, decoder: Decoder, frame: Any) -> None:
        t0 = time.perf_counter()
        found: list[Decoded] = []
        try:
            with self._open(frame) as image:
                if image is not None:
                    found = decoder.decode_frame(image)
                self.stats.decode_ms_total += (time.perf_counter() - t0) * 1000
                self.stats.decoded += 1
                self.stats.dropped = self.slot.dropped
                if self.preview and self.on_frame is not None:
                    _call(self.on_frame, image, found)
        except Exception:
            log.exception("decoding a camera frame failed")
        for text in self._dedupe.update((d.text for d in found), time.monotonic()):
            self.stats.codes += 1
            _call(self.on_code, text)


class CameraLoop:
    """The OpenCV backend: capture on a grabber thread, decode on a :class:`DecodeWorker`.
    Callbacks run on those threads (a Qt caller turns them into signals):

    * ``on_code(text)``: a code newly in view (deduplicated);
    * ``on_frame(frame, decoded)``: every decoded frame, with every code seen in it (for the
      preview); skipped while ``preview`` is False;
    * ``on_status(status)``: opening, running, retrying after an error, ended, stopped.
    """

    def __init__(self, config: CameraConfig, *, on_code: Callable[[str], None],
                 on_frame: FrameCallback | None = None,
                 on_status: Callable[[CameraStatus], None] | None = None,
                 decoder: Decoder | None = None,
                 source_factory: Callable[[CameraConfig], FrameSource] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.on_status = on_status
        self._factory = source_factory or OpenCVSource
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self.stats = LoopStats()
        self.worker = DecodeWorker(config, on_code=on_code, on_frame=on_frame,
                                   decoder=decoder, stats=self.stats,
                                   lossless=config.is_file and config.file_speed <= 0,
                                   name=f"camera-{config.source}")
        self._grabber: threading.Thread | None = None
        self.status = CameraStatus("stopped")

    @property
    def preview(self) -> bool:
        return self.worker.preview

    @preview.setter
    def preview(self, on: bool) -> None:
        self.worker.preview = on

    # -- control --------------------------------------------------------------------------

    def start(self) -> CameraLoop:
        """Start the threads (opening happens on the grabber thread: never blocks)."""
        if self._grabber is not None:
            return self
        self._grabber = threading.Thread(target=self._grab_loop,
                                         name=f"camera-{self.config.source}-grab", daemon=True)
        self._grabber.start()
        self.worker.start()
        return self

    def stop(self, timeout: float = 3.0) -> bool:
        """Ask the threads to end and wait up to ``timeout``; ``True`` when both ended (a read
        blocked in a driver may outlast it; the threads are daemons)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        done = self.worker.stop(timeout)
        if self._grabber is not None:
            self._grabber.join(max(0.0, deadline - time.monotonic()))
            done = done and not self._grabber.is_alive()
        self._report(CameraStatus("stopped"))
        return done

    @property
    def running(self) -> bool:
        return self.worker.running or (self._grabber is not None and self._grabber.is_alive())

    def wait_ended(self, timeout: float | None = None) -> bool:
        """Wait until a file source has been played and decoded to the end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._grabber is not None:
            self._grabber.join(timeout)
        self.worker.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not self.running

    # -- the grabber ----------------------------------------------------------------------

    def _report(self, status: CameraStatus) -> None:
        self.status = status
        if status.error is not None:
            log.info("camera %s: %s (%s)", self.config.source, status.error.message,
                     status.error.kind)
        if self.on_status is not None:
            _call(self.on_status, status)

    def _grab_loop(self) -> None:
        cfg = self.config
        delay = cfg.retry_first
        had_frames = False
        try:
            while not self._stop.is_set():
                self._report(CameraStatus("opening", _("Opening camera {number}…").format(
                    number=cfg.source)))
                source = self._factory(cfg)
                try:
                    source.open()
                except CameraError as exc:
                    if exc.kind in ("no_file", "unavailable"):
                        self._report(CameraStatus("failed", exc.message, exc))
                        return
                    error = exc
                else:
                    error = self._pump(source, had_frames)
                    had_frames = had_frames or self.stats.captured > 0
                    if error is None:  # a file ended, or stop() was called
                        return
                    delay = cfg.retry_first if error.kind == "unplugged" else delay
                finally:
                    source.close()
                if self._stop.is_set():
                    return
                self.stats.reconnects += 1
                # i18n: {error} says what went wrong with the camera (a whole sentence).
                again = (_("{error} Trying again in {seconds} s…").format(
                    error=error.message, seconds=f"{delay:.0f}") if delay >= 1
                    else _("{error} Trying again…").format(error=error.message))
                self._report(CameraStatus("retrying", again, error, delay))
                self._sleep(delay)
                delay = min(delay * cfg.retry_factor, cfg.retry_max)
        finally:
            self.worker.finish()

    def _pump(self, source: FrameSource, had_frames: bool) -> CameraError | None:
        """Read frames into the slot until the source fails (the error) or ends (None)."""
        cfg = self.config
        failed = 0
        got_any = False
        interval = 0.0
        if cfg.is_file and cfg.file_speed > 0 and source.fps > 0:
            interval = 1.0 / (source.fps * cfg.file_speed)
        next_at = time.monotonic()
        while not self._stop.is_set():
            frame = source.read()
            if frame is None:
                if cfg.is_file:
                    self._report(CameraStatus("ended", _("The video has ended.")))
                    return None
                failed += 1
                if failed >= cfg.max_failed_reads:
                    if got_any or had_frames:
                        return CameraError("unplugged", _("The camera stopped sending pictures "
                                                          "(unplugged?)."))
                    return CameraError("busy", _("Camera {number} opened but sends no picture: "
                                                 "another program may be using it.").format(
                                                     number=cfg.source))
                self._sleep(0.05)
                continue
            if not got_any:
                got_any = True
                self._report(CameraStatus("running", _("The camera is on.")))
            failed = 0
            self.worker.push(frame)
            if interval:
                next_at += interval
                pause = next_at - time.monotonic()
                if pause > 0:
                    self._sleep(pause)
                else:
                    next_at = time.monotonic()
        return None


def _call(fn: Callable[..., None], *args: Any) -> None:
    """A callback that fails is logged; the loop goes on."""
    try:
        fn(*args)
    except Exception:
        log.exception("camera callback %r failed", fn)
