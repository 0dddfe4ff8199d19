"""Camera loop: latest-frame capture, decode per appearance, frames dropped, CPU.

    .venv/bin/python benchmarks/camera.py [--quick] [--json FILE]

Generates MJPG/AVI videos (640x480 and 1280x720, 30 fps; a QR code comes into view, leaves,
comes back, and a second code follows) and plays each through :class:`CameraLoop` in real
time, as a camera would deliver it, with the app's decoder and with a decoder made 60 ms slower
(a busy machine). Prints frames captured / decoded / dropped, the codes reported against the
appearances in the video, the mean decode time and the process CPU share. Exit code 0 when
every run reports each appearance exactly once.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_app.core.scanning.camera import CameraConfig, CameraLoop
from pos_app.core.scanning.decoder import Decoder
from pos_app.core.scanning.synthetic import write_qr_video

CODE_A = "https://luna.test/c/448234-808-346"
CODE_B = "LOONA-PASS-0042"


class SlowDecoder(Decoder):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def decode_frame(self, image: Any) -> list[Any]:
        time.sleep(self.delay)
        return super().decode_frame(image)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(path: Path, expected: list[str], decoder: Decoder) -> dict[str, Any]:
    codes: list[str] = []
    loop = CameraLoop(CameraConfig(str(path), file_speed=1.0, absent_frames=8,
                                   repeat_after=None), on_code=codes.append, decoder=decoder)
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    loop.start()
    loop.wait_ended(120)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    s = loop.stats
    return {"captured": s.captured, "decoded": s.decoded, "dropped": s.dropped,
            "codes": codes, "expected": expected, "ok": codes == expected,
            "decode_ms": round(s.decode_ms_mean, 2), "wall_s": round(wall, 2),
            "cpu_share": round(cpu / wall, 3) if wall else 0.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="640x480 only")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)
    segments = [(None, 15), (CODE_A, 45), (None, 30), (CODE_A, 30), (CODE_B, 30), (None, 15)]
    expected = [CODE_A, CODE_A, CODE_B]
    sizes = [(640, 480)] if args.quick else [(640, 480), (1280, 720)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = write_qr_video(Path(tmp) / f"{size[0]}.avi", segments, size=size, fps=30)
            for name, decoder in (("app decoder", Decoder()),
                                  ("decoder +60 ms", SlowDecoder(0.06))):
                r = run(path, expected, decoder)
                r.update(size=f"{size[0]}x{size[1]}", decoder=name)
                results.append(r)
                print(f"{r['size']:>9} {name:<15} frames {r['captured']:3d}: decoded "
                      f"{r['decoded']:3d}, dropped {r['dropped']:3d}; codes "
                      f"{len(r['codes'])}/{len(expected)} appearances "
                      f"{'exact' if r['ok'] else 'WRONG ' + repr(r['codes'])}; decode "
                      f"{r['decode_ms']:.1f} ms/frame; CPU {r['cpu_share'] * 100:.0f}% "
                      f"of one core")
    ok = all(r["ok"] for r in results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
