"""The camera loop end to end on generated video files, plus its parts.

Videos are MJPG/AVI written with cv2.VideoWriter (no external codec), 320x240, a segno QR code
coming into view, leaving and coming back.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cv2")
pytest.importorskip("zxingcpp")

from pos_app.core.scanning.camera import (
    CameraConfig,
    CameraError,
    CameraLoop,
    CameraStatus,
    Dedupe,
    LatestFrame,
    parse_source,
)
from pos_app.core.scanning.decoder import Decoder
from pos_app.core.scanning.synthetic import qr_frame, write_qr_video

SIZE = (320, 240)
CODE_A = "LUNA-448234-808-346"
CODE_B = "https://loona.test/p/Ж-42"


def run_file(path: Path, **config: Any) -> tuple[list[str], CameraLoop, list[CameraStatus]]:
    codes: list[str] = []
    statuses: list[CameraStatus] = []
    loop = CameraLoop(CameraConfig(str(path), **config), on_code=codes.append,
                      on_status=statuses.append)
    loop.start()
    assert loop.wait_ended(30), "the loop did not finish the file"
    return codes, loop, statuses


@pytest.fixture(scope="module")
def appear_leave_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "appear.avi"
    return write_qr_video(path, [(None, 4), (CODE_A, 12), (None, 12), (CODE_A, 12),
                                 (CODE_B, 10), (None, 4)], size=SIZE, fps=30)


def test_each_appearance_is_read_once(appear_leave_video: Path) -> None:
    codes, loop, statuses = run_file(appear_leave_video, file_speed=0, absent_frames=6,
                                     repeat_after=None)
    assert codes == [CODE_A, CODE_A, CODE_B]
    assert loop.stats.captured == 54
    assert loop.stats.decoded == 54  # lossless playback: every frame decoded
    assert loop.stats.dropped == 0
    states = [s.state for s in statuses]
    assert states[:2] == ["opening", "running"]
    assert "ended" in states


def test_a_code_held_in_view_is_read_again_after_the_set_time(tmp_path: Path) -> None:
    path = write_qr_video(tmp_path / "held.avi", [(CODE_A, 30)], size=SIZE, fps=30)
    codes, _loop, _ = run_file(path, file_speed=1.0, repeat_after=0.45)
    assert codes.count(CODE_A) in (2, 3)  # 1 s in view: at 0 s, ~0.45 s, ~0.9 s


def test_a_video_without_a_code_gives_nothing(tmp_path: Path) -> None:
    path = write_qr_video(tmp_path / "empty.avi", [(None, 20)], size=SIZE, fps=30)
    codes, loop, statuses = run_file(path, file_speed=0)
    assert codes == []
    assert loop.stats.decoded == 20
    assert statuses[-1].state == "ended"


class SlowDecoder(Decoder):
    """The real decoder, 40 ms slower per frame: the grabber must drop frames."""

    def decode_frame(self, image: Any) -> list[Any]:
        time.sleep(0.04)
        return super().decode_frame(image)


def test_realtime_playback_drops_old_frames_and_still_reads_each_appearance(
        tmp_path: Path) -> None:
    path = write_qr_video(tmp_path / "fast.avi", [(None, 6), (CODE_A, 30), (None, 30),
                                                  (CODE_A, 30), (None, 6)], size=SIZE, fps=60)
    codes: list[str] = []
    loop = CameraLoop(CameraConfig(str(path), file_speed=1.0, absent_frames=4,
                                   repeat_after=None),
                      on_code=codes.append, decoder=SlowDecoder())
    loop.start()
    assert loop.wait_ended(30)
    s = loop.stats
    assert codes == [CODE_A, CODE_A]
    assert s.captured == 102
    assert s.dropped > 30, s  # 60 fps in, ~20 fps decoded
    assert s.decoded + s.dropped == s.captured


class FlakySource:
    """A camera that works, is unplugged after ``frames`` frames, refuses to open twice,
    then works again."""

    opens = 0
    lock = threading.Lock()

    def __init__(self, config: CameraConfig) -> None:
        self.fps = 30.0
        self.sent = 0
        with FlakySource.lock:
            FlakySource.opens += 1
            self.n = FlakySource.opens

    def open(self) -> None:
        if self.n in (2, 3):
            raise CameraError("no_camera", "There is no camera 0.")

    def read(self) -> Any:
        if self.n == 1 and self.sent >= 8:
            return None  # unplugged
        self.sent += 1
        time.sleep(0.005)
        return qr_frame(CODE_A if self.sent < 5 else None, self.sent, SIZE)

    def close(self) -> None:
        pass


def test_unplugged_camera_is_reported_and_reconnected() -> None:
    FlakySource.opens = 0
    codes: list[str] = []
    statuses: list[CameraStatus] = []
    loop = CameraLoop(CameraConfig(0, retry_first=0.01, retry_max=0.05, absent_frames=2,
                                   max_failed_reads=3),
                      on_code=codes.append, on_status=statuses.append,
                      source_factory=FlakySource, sleep=lambda s: time.sleep(min(s, 0.01)))
    loop.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (FlakySource.opens >= 4
                                               and codes.count(CODE_A) >= 2):
        time.sleep(0.02)
    assert loop.stop()
    kinds = [s.error.kind for s in statuses if s.error is not None]
    assert kinds[:3] == ["unplugged", "no_camera", "no_camera"]
    assert [s.state for s in statuses].count("running") >= 2
    assert loop.stats.reconnects >= 3
    assert codes.count(CODE_A) >= 2  # read before the unplug and again after it came back
    assert "Trying again" in next(s.message for s in statuses if s.state == "retrying")


def test_missing_file_fails_without_retrying(tmp_path: Path) -> None:
    statuses: list[CameraStatus] = []
    loop = CameraLoop(CameraConfig(str(tmp_path / "none.avi")), on_code=print,
                      on_status=statuses.append)
    loop.start()
    assert loop.wait_ended(5)
    assert statuses[-1].state == "failed"
    assert statuses[-1].error is not None and statuses[-1].error.kind == "no_file"


def test_no_such_camera_is_a_clear_error_and_stop_is_prompt() -> None:
    statuses: list[CameraStatus] = []
    loop = CameraLoop(CameraConfig(57, retry_first=5.0), on_code=print,
                      on_status=statuses.append)
    loop.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(s.state == "retrying" for s in statuses):
        time.sleep(0.01)
    t0 = time.monotonic()
    assert loop.stop()
    assert time.monotonic() - t0 < 1.0
    err = next(s.error for s in statuses if s.error is not None)
    assert err.kind in ("no_camera", "busy")
    assert "camera 57" in err.message.lower()


def test_latest_frame_keeps_only_the_newest() -> None:
    slot = LatestFrame()
    for i in range(3):
        slot.put(i)
    assert slot.take(0) == 2
    assert slot.dropped == 2
    assert slot.take(0.01) is None
    slot.close()
    assert slot.take(None) is None


def test_dedupe() -> None:
    d = Dedupe(absent_frames=3, repeat_after=5.0)
    assert d.update(["A"], 0.0) == ["A"]
    assert d.update(["A"], 0.1) == []
    assert d.update([], 0.2) == []
    assert d.update([], 0.3) == []
    assert d.update(["A"], 0.4) == []          # absent 2 frames only: the same appearance
    for t in (0.5, 0.6, 0.7):
        d.update([], t)
    assert d.update(["A", "B"], 0.8) == ["A", "B"]  # gone 3 frames: a new appearance
    assert d.update(["A"], 5.9) == ["A"]       # held 5 s: again


def test_config_from_settings() -> None:
    cfg = CameraConfig.from_settings({"camera_source": "2", "camera_backend": "msmf",
                                      "camera_width": "1280", "camera_height": 720,
                                      "camera_repeat_after": 0, "camera_absent_frames": "x"})
    assert cfg.source == 2 and cfg.backend == "msmf"
    assert (cfg.width, cfg.height) == (1280, 720)
    assert cfg.repeat_after is None and cfg.absent_frames == 8
    assert CameraConfig.from_settings({"camera_backend": "bogus"}).backend == "auto"
    assert parse_source("rtsp://cam/1") == "rtsp://cam/1"
    assert not CameraConfig("rtsp://cam/1").is_file
    assert not CameraConfig("/dev/video2").is_file
    assert CameraConfig("clip.mp4").is_file
