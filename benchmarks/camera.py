"""Camera loops on the same video in the same run: Qt's (QtMultimedia) against OpenCV's.

    .venv/bin/python benchmarks/camera.py [--quick] [--json FILE]

Writes MJPG/AVI videos (640x480 and 1280x720, 30 fps; a QR code comes into view, leaves,
comes back, and a second code follows) and plays each in real time, as a camera would deliver
it, through the app's two camera systems, each in a child process of its own: Qt's
(``QMediaPlayer`` -> ``QVideoSink`` -> the luma plane mapped for the decoder, as the app runs a
camera) and OpenCV's (``CameraLoop``: ``VideoCapture`` on a grabber thread, BGR frames). A third
run gives Qt's loop a decoder made 60 ms slower (a busy machine: frames must be dropped, not
queued). Prints frames delivered / decoded / dropped, codes reported against the appearances in
the video, mean decode time, CPU (user + system, as a share of one core over the playing time)
and peak RSS of the child. Exit code 0 when every run reports each appearance exactly once.
OpenCV's rows need the ``opencv`` extra; without it they are shown as unavailable.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CODE_A = "https://luna.test/c/448234-808-346"
CODE_B = "LOONA-PASS-0042"
SEGMENTS: list[tuple[str | None, int]] = [(None, 15), (CODE_A, 45), (None, 30), (CODE_A, 30),
                                          (CODE_B, 30), (None, 15)]
EXPECTED = [CODE_A, CODE_A, CODE_B]


def _decoder(slow: float) -> Any:
    from pos_app.core.scanning.decoder import Decoder

    class SlowDecoder(Decoder):
        def decode_frame(self, image: Any) -> list[Any]:
            time.sleep(slow)
            return super().decode_frame(image)

    return SlowDecoder() if slow else Decoder()


def _usage() -> tuple[float, float]:
    """CPU seconds so far and peak RSS in MB (Linux: VmHWM, which, unlike ru_maxrss, does not
    carry over the parent's peak through exec)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    peak = r.ru_maxrss / 1024
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return r.ru_utime + r.ru_stime, peak


def child_qt(path: str, slow: float) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from pos_app.core.scanning.camera import CameraConfig
    from pos_app.qt.scanning.camera_view import CameraInput

    app = QGuiApplication([])
    cam = CameraInput(CameraConfig(path, absent_frames=8, repeat_after=None),
                      decoder=_decoder(slow))
    codes: list[str] = []
    cam.code_scanned.connect(codes.append)
    cam.status_changed.connect(lambda state, _m: state in ("ended", "failed") and app.quit())
    QTimer.singleShot(120_000, app.quit)
    cpu0, _ = _usage()
    t0 = time.perf_counter()
    cam.start()
    app.exec()
    worker = cam.worker
    if worker is not None:
        worker.join(5)
    wall = time.perf_counter() - t0
    cpu, rss = _usage()
    stats = worker.stats if worker is not None else None
    app.processEvents()  # the last codes, queued from the decoder thread
    cam.stop()
    return _result(codes, stats, wall, cpu - cpu0, rss, cam.state)


def child_opencv(path: str, slow: float) -> dict[str, Any]:
    try:
        import cv2  # noqa: F401
    except ImportError:
        return {"unavailable": True}
    from pos_app.core.scanning.camera import CameraConfig, CameraLoop

    codes: list[str] = []
    loop = CameraLoop(CameraConfig(path, system="opencv", file_speed=1.0, absent_frames=8,
                                   repeat_after=None), on_code=codes.append,
                      decoder=_decoder(slow))
    cpu0, _ = _usage()
    t0 = time.perf_counter()
    loop.start()
    loop.wait_ended(120)
    wall = time.perf_counter() - t0
    cpu, rss = _usage()
    return _result(codes, loop.stats, wall, cpu - cpu0, rss, loop.status.state)


def _result(codes: list[str], stats: Any, wall: float, cpu: float, rss: float,
            state: str) -> dict[str, Any]:
    return {"codes": codes, "ok": codes == EXPECTED, "state": state,
            "captured": stats.captured if stats else 0, "decoded": stats.decoded if stats else 0,
            "dropped": stats.dropped if stats else 0,
            "decode_ms": round(stats.decode_ms_mean, 2) if stats else 0.0,
            "wall_s": round(wall, 2), "cpu_share": round(cpu / wall, 3) if wall else 0.0,
            "rss_mb": round(rss, 1)}


def run_child(system: str, path: Path, slow: float) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", system, str(path),
                           "--slow", str(slow)], capture_output=True, text=True, cwd=REPO,
                          timeout=300, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1], "ok": False}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="640x480 only")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--child", nargs=2, metavar=("SYSTEM", "VIDEO"), help=argparse.SUPPRESS)
    ap.add_argument("--slow", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        system, video = args.child
        fn = child_qt if system == "qt" else child_opencv
        print(json.dumps(fn(video, args.slow)))
        return 0

    from pos_app.core.scanning.synthetic import write_qr_video

    sizes = [(640, 480)] if args.quick else [(640, 480), (1280, 720)]
    runs = [("Qt (QtMultimedia)", "qt", 0.0), ("OpenCV", "opencv", 0.0),
            ("Qt, decoder +60 ms", "qt", 0.06)]
    results = []
    print(f"{'video':>9} {'camera system':<19} {'frames':>6} {'decoded':>7} {'dropped':>7} "
          f"{'codes':>11} {'decode':>9} {'CPU':>6} {'RSS':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for w, h in sizes:
            path = write_qr_video(Path(tmp) / f"{w}x{h}.avi", SEGMENTS, size=(w, h), fps=30)
            for name, system, slow in runs:
                r = run_child(system, path, slow)
                r.update(size=f"{w}x{h}", system=name)
                results.append(r)
                if r.get("unavailable"):
                    r["ok"] = True
                    print(f"{r['size']:>9} {name:<19} unavailable (pip install 'pos-app[opencv]')")
                    continue
                if "error" in r:
                    print(f"{r['size']:>9} {name:<19} FAILED: {r['error']}")
                    continue
                codes = (f"{len(r['codes'])}/{len(EXPECTED)} exact" if r["ok"]
                         else "WRONG " + repr(r["codes"]))
                print(f"{r['size']:>9} {name:<19} {r['captured']:6d} {r['decoded']:7d} "
                      f"{r['dropped']:7d} {codes:>11} {r['decode_ms']:6.1f} ms "
                      f"{100 * r['cpu_share']:5.0f}% {r['rss_mb']:5.0f} MB")
    print("CPU: user + system time of the child over its playing time, as a share of one core; "
          "RSS: the child's peak")
    ok = all(r["ok"] for r in results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
