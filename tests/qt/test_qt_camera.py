"""The QtMultimedia camera: luma planes mapped in place, the system chosen in the settings,
a missing camera retried, a video file through QMediaPlayer into the same sink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtMultimedia")
pytest.importorskip("zxingcpp")
pytest.importorskip("PIL")

from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from pos_app.core.scanning.camera import CameraConfig
from pos_app.core.scanning.decoder import Decoder
from pos_app.core.scanning.synthetic import qr_frame, write_qr_video
from pos_app.qt.scanning.camera_view import CameraInput
from pos_app.qt.scanning.qt_camera import mapped_luma

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(
    r"Couldn't (load|resolve) ", "PulseAudioService", "propagateSizeHints", "HW decoder")]

PF = QVideoFrameFormat.PixelFormat
CODE = "LUNA-448234-808-346"
W, H = 320, 240


def frame_of(pixel_format: Any, fill: Any) -> QVideoFrame:
    """A video frame of ``pixel_format`` whose bytes ``fill(plane0, bytes_per_line)`` writes."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(W, H), pixel_format))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    bits = memoryview(frame.bits(0)).cast("B")
    fill(bits, frame.bytesPerLine(0))
    frame.unmap()
    return frame


@pytest.mark.parametrize("pixel_format", ["nv12", "yuv420p", "yuyv", "uyvy", "bgra"])
def test_each_pixel_format_gives_the_code(pixel_format: str) -> None:
    luma = qr_frame(CODE, 3, (W, H)).tobytes()

    def planar(bits: memoryview, bpl: int) -> None:
        for y in range(H):
            bits[y * bpl:y * bpl + W] = luma[y * W:(y + 1) * W]

    def packed(offset: int, size: int) -> Any:
        def fill(bits: memoryview, bpl: int) -> None:
            for y in range(H):
                row = bytearray([128]) * bpl
                if size == 4:  # B, G, R, A
                    for c in range(3):
                        row[c:W * 4:4] = luma[y * W:(y + 1) * W]
                    row[3:W * 4:4] = b"\xff" * W
                else:
                    row[offset:W * 2:2] = luma[y * W:(y + 1) * W]
                bits[y * bpl:(y + 1) * bpl] = row
        return fill

    fmt, fill = {"nv12": (PF.Format_NV12, planar), "yuv420p": (PF.Format_YUV420P, planar),
                 "yuyv": (PF.Format_YUYV, packed(0, 2)), "uyvy": (PF.Format_UYVY, packed(1, 2)),
                 "bgra": (PF.Format_BGRA8888, packed(0, 4))}[pixel_format]
    frame = frame_of(fmt, fill)
    with mapped_luma(frame) as gray:
        assert gray is not None and (gray.width, gray.height) == (W, H)
        if pixel_format != "bgra":  # read in place: a view of the mapped plane
            assert isinstance(gray.data, memoryview)
        assert [d.text for d in Decoder().decode_frame(gray)] == [CODE]


def test_an_invalid_frame_gives_nothing() -> None:
    with mapped_luma(QVideoFrame()) as gray:
        assert gray is None


def test_a_camera_that_is_not_there_is_retried(qtbot: Any) -> None:
    cam = CameraInput(CameraConfig(0, camera_name="No Such Camera", retry_first=0.05))
    states: list[tuple[str, str]] = []
    cam.status_changed.connect(lambda s, m: states.append((s, m)))
    cam.start()
    qtbot.waitUntil(lambda: sum(s == "retrying" for s, _ in states) >= 2, timeout=5000)
    assert cam.loop is None and cam.worker is not None  # Qt's system, not OpenCV's
    msg = next(m for s, m in states if s == "retrying")
    assert "There is no camera No Such Camera" in msg and "Trying again" in msg
    cam.stop()
    assert cam.state == "stopped"


def test_a_missing_video_file_fails_plainly(qtbot: Any, tmp_path: Path) -> None:
    cam = CameraInput(CameraConfig(str(tmp_path / "none.avi")))
    cam.start()
    qtbot.waitUntil(lambda: cam.state == "failed", timeout=3000)
    assert "does not exist" in cam.message
    cam.stop()


def test_video_file_reads_each_appearance_once_and_ends(qtbot: Any, tmp_path: Path) -> None:
    video = write_qr_video(tmp_path / "v.avi", [(None, 5), (CODE, 20), (None, 15), (CODE, 15),
                                               (None, 5)], size=(W, H), fps=30)
    cam = CameraInput(CameraConfig(str(video), absent_frames=6, repeat_after=None))
    codes: list[str] = []
    cam.code_scanned.connect(codes.append)
    cam.start()
    qtbot.waitUntil(lambda: cam.state == "ended", timeout=10000)
    assert cam.worker is not None
    cam.worker.join(3)
    assert codes == [CODE, CODE]
    stats = cam.worker.stats
    assert stats.captured >= 50 and stats.decoded + stats.dropped == stats.captured
    cam.stop()


def test_opencv_system_when_chosen(qtbot: Any, tmp_path: Path) -> None:
    pytest.importorskip("cv2")
    video = write_qr_video(tmp_path / "v.avi", [(CODE, 10)], size=(W, H), fps=30)
    cam = CameraInput(CameraConfig.from_settings({"camera_system": "opencv",
                                                  "camera_source": str(video)}))
    codes: list[str] = []
    cam.code_scanned.connect(codes.append)
    cam.start()
    qtbot.waitUntil(lambda: codes == [CODE], timeout=10000)
    assert cam.loop is not None
    cam.stop()
