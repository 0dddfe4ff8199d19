"""Benchmark: which QR decoder the app uses, and what the app's decode path costs.

    python benchmarks/decode.py --data ../shared/qr-photos [--quick] [--json FILE]

Part 1, photos (``qrcode-1``..``qrcode-6`` labelled, ``falsepositives-*`` without a code,
``multi-1`` counted only): every candidate decoder and the app's two paths get the same
image (as ``load_image`` returns it); a read is correct when one returned text equals the
expected text (one trailing newline stripped from both sides: the payload itself may end with
one); a *wrong read* is a returned text that does not match (or any read on a no-code image).

Part 2, synthetic camera frames (640x480 and 1280x720, gradient light, shapes, text, sensor
noise; half of them with a segno QR code warped in with rotation, perspective and blur): the
app's per-frame path (``Decoder.decode_frame``) against the bare library call
``zxingcpp.read_barcodes(frame, formats=QRCode)``, interleaved in the same run, best of N
repetitions per frame. CPU share uses thread CPU time, so other load on the machine does not
inflate it.

OpenCV runs single-threaded here (``cv2.setNumThreads(1)``) so that all candidates are
compared on one core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import segno  # noqa: E402
import zxingcpp  # noqa: E402

from pos_app.core.scanning.decoder import Decoder, GrayImage, load_image  # noqa: E402

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
LABELLED_SETS = [f"qrcode-{i}" for i in range(1, 7)]
FP_SETS = ["falsepositives-1", "falsepositives-2"]
MULTI_SET = "multi-1"
FPS = 30

ReadFn = Callable[[np.ndarray], list[str]]


# -- candidates ---------------------------------------------------------------------------


def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img


def zxing_reader(**kw: Any) -> ReadFn:
    """zxing-cpp ``read_barcodes`` restricted to QR, with the given options."""

    def read(img: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(img, formats=zxingcpp.QRCode, **kw)]

    return read


def pyzbar_reader() -> ReadFn | None:
    """pyzbar (libzbar), QR only; None when pyzbar or libzbar is missing."""
    try:
        from pyzbar.pyzbar import ZBarSymbol
        from pyzbar.pyzbar import decode as zbar_decode
    except (ImportError, OSError):
        return None

    def read(img: np.ndarray) -> list[str]:
        # pyzbar takes the first channel of a colour array (blue): give it gray.
        found = zbar_decode(_gray(img), symbols=[ZBarSymbol.QRCODE])
        return [d.data.decode("utf-8", "replace") for d in found]

    return read


def opencv_reader(detector: Any) -> ReadFn:
    """An OpenCV QR detector's ``detectAndDecodeMulti``."""

    def read(img: np.ndarray) -> list[str]:
        ok, texts, _pts, _ = detector.detectAndDecodeMulti(img)
        return [t for t in texts if t] if ok else []

    return read


def app_reader(decoder: Decoder, *, still: bool) -> ReadFn:
    """The app's path on what the app itself gets: ``pos-app decode`` reads files with its own
    loader (Pillow, gray); a camera gives its luma plane. ``APP_INPUT`` maps each candidate
    image to that."""
    fn = decoder.decode if still else decoder.decode_frame

    def read(img: np.ndarray) -> list[str]:
        return [d.text for d in fn(APP_INPUT.get(id(img), img))]

    return read


#: id(array the libraries get) -> what the app gets for the same photo (its own loader's gray).
APP_INPUT: dict[int, Any] = {}


def candidates(app_frame: Decoder, app_still: Decoder) -> dict[str, ReadFn | None]:
    tm = zxingcpp.TextMode
    cands: dict[str, ReadFn | None] = {
        "zxing-cpp defaults (bare call)": zxing_reader(),
        "zxing-cpp text_mode=Plain": zxing_reader(text_mode=tm.Plain),
        "zxing-cpp fast (no rot/inv/down)": zxing_reader(
            text_mode=tm.Plain, try_rotate=False, try_invert=False, try_downscale=False
        ),
        "zxing-cpp GlobalHistogram": zxing_reader(
            text_mode=tm.Plain, binarizer=zxingcpp.Binarizer.GlobalHistogram
        ),
        "pyzbar": pyzbar_reader(),
        "OpenCV QRCodeDetector": opencv_reader(cv2.QRCodeDetector()),
    }
    if hasattr(cv2, "QRCodeDetectorAruco"):
        cands["OpenCV QRCodeDetectorAruco"] = opencv_reader(cv2.QRCodeDetectorAruco())
    cands["APP decode_frame (camera)"] = app_reader(app_frame, still=False)
    cands["APP decode (still/file)"] = app_reader(app_still, still=True)
    return cands


# -- photos -------------------------------------------------------------------------------


@dataclass
class Photo:
    path: Path
    image: np.ndarray
    expected: str | None  # None: no code in the image


@dataclass
class PhotoResult:
    name: str
    available: bool = True
    correct: int = 0
    labelled: int = 0
    wrong: int = 0
    false_pos: int = 0
    exceptions: int = 0
    times_ms: list[float] = field(default_factory=list)
    multi_counts: dict[str, int] = field(default_factory=dict)
    wrong_items: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        t = sorted(self.times_ms)
        return {
            "name": self.name,
            "available": self.available,
            "correct": self.correct,
            "labelled": self.labelled,
            "rate": self.correct / self.labelled if self.labelled else None,
            "wrong_reads": self.wrong + self.false_pos,
            "wrong_on_labelled": self.wrong,
            "reads_on_no_code": self.false_pos,
            "exceptions": self.exceptions,
            "ms_median": statistics.median(t) if t else None,
            "ms_p95": float(np.percentile(t, 95)) if t else None,
            "multi_counts": self.multi_counts,
            "wrong_items": self.wrong_items,
        }


def _strip_nl(s: str) -> str:
    return s[:-1] if s.endswith("\n") else s


def cv_load(path: Path) -> np.ndarray:
    """The libraries' input: OpenCV's reading of the file (BGR or gray, transparency on white,
    16-bit reduced to 8), as the app read files before it dropped OpenCV."""
    img = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.size == 0:
        raise ValueError(f"not a readable image: {path}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.uint16)
        rgb = img[:, :, :3].astype(np.uint16)
        img = ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return img


def luma(frame: np.ndarray) -> GrayImage:
    """What a camera gives the app through QtMultimedia: the frame's luma plane."""
    g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return GrayImage(g.tobytes(), g.shape[1], g.shape[0])


def load_photos(data: Path, quick: bool) -> tuple[list[Photo], list[Photo], list[str]]:
    """Labelled + no-code photos, the multi-1 images, and files OpenCV could not open."""
    labelled: list[Photo] = []
    no_code: list[Photo] = []
    unreadable: list[str] = []

    def images(folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXT)

    for s in LABELLED_SETS:
        for p in images(data / s):
            txt = p.with_suffix(".txt")
            if not txt.exists():
                continue
            try:
                img = cv_load(p)
            except (OSError, ValueError):
                unreadable.append(str(p.relative_to(data)))
                continue
            APP_INPUT[id(img)] = load_image(p)
            # bytes, not read_text(): universal newlines would turn the payload's \r\n into \n
            expected = _strip_nl(txt.read_bytes().decode("utf-8"))
            labelled.append(Photo(p, img, expected))
    for s in [*FP_SETS, MULTI_SET]:
        for p in images(data / s):
            try:
                img = cv_load(p)
            except (OSError, ValueError):
                unreadable.append(str(p.relative_to(data)))
                continue
            APP_INPUT[id(img)] = load_image(p)
            no_code.append(Photo(p, img, None if s != MULTI_SET else "<multi>"))
    if quick:
        labelled = labelled[::4]
        no_code = [p for i, p in enumerate(no_code) if i % 3 == 0 or p.expected == "<multi>"]
    return labelled, no_code, unreadable


def run_photos(name: str, fn: ReadFn | None, labelled: list[Photo], others: list[Photo],
               data: Path) -> PhotoResult:
    res = PhotoResult(name)
    if fn is None:
        res.available = False
        return res
    sample = labelled[0].image if labelled else np.zeros((32, 32), np.uint8)
    with contextlib.suppress(Exception):  # warm-up: lazy imports, detector set-up
        fn(sample)
    for photo in [*labelled, *others]:
        t0 = time.perf_counter()
        try:
            texts = fn(photo.image)
        except Exception:  # OpenCV raises on non-UTF-8 payloads (UnicodeDecodeError)
            texts = None
        res.times_ms.append((time.perf_counter() - t0) * 1000)
        rel = str(photo.path.relative_to(data))
        if texts is None:
            res.exceptions += 1
            texts = []
        if photo.expected == "<multi>":
            res.multi_counts[photo.path.name] = len(texts)
        elif photo.expected is None:
            if texts:
                res.false_pos += 1
                res.wrong_items.append(f"{rel}: {texts[0][:40]!r}")
        else:
            res.labelled += 1
            got = [_strip_nl(t) for t in texts]
            if photo.expected in got:
                res.correct += 1
            elif got:
                res.wrong += 1
                res.wrong_items.append(f"{rel}: {got[0][:40]!r}")
    return res


NO_NUMPY_RUN = """
import json, sys
sys.modules["numpy"] = None
sys.modules["cv2"] = None
from pos_app.core.scanning.decoder import Decoder, load_image
items = json.load(sys.stdin)
out = {}
for still in (False, True):
    dec = Decoder()
    fn = dec.decode if still else dec.decode_frame
    correct = wrong = fp = 0
    for path, expected in items:
        got = [t[:-1] if t.endswith("\\n") else t for t in (d.text for d in fn(load_image(path)))]
        if expected is None:
            fp += bool(got)
        elif expected in got:
            correct += 1
        elif got:
            wrong += 1
    out["still" if still else "frame"] = {"correct": correct, "wrong": wrong, "fp": fp}
print(json.dumps(out))
"""


def run_without_numpy(labelled: list[Photo], others: list[Photo]) -> dict[str, Any]:
    """The app's two paths again in a child process where numpy and OpenCV cannot be
    imported (as in the installers)."""
    import subprocess

    items = [(str(p.path), p.expected) for p in [*labelled, *others] if p.expected != "<multi>"]
    proc = subprocess.run([sys.executable, "-c", NO_NUMPY_RUN], input=json.dumps(items),
                          capture_output=True, text=True, cwd=REPO, check=False)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout)


# -- synthetic frames ---------------------------------------------------------------------


def qr_matrix(text: str, **kw: Any) -> np.ndarray:
    """A segno QR code as a uint8 array, 0 = dark module, 255 = light, 4-module quiet zone."""
    q = segno.make_qr(text, **kw)
    m = np.where(np.asarray(q.matrix, dtype=bool), 0, 255).astype(np.uint8)
    return np.pad(m, 4, constant_values=255)


def scene(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A camera-like BGR frame without a code: lighting gradient, shapes, text, noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    fx, fy = rng.uniform(0.5, 1.5, 2)
    base = 90 + 60 * np.sin(x / w * np.pi * fx) * np.cos(y / h * np.pi * fy) + 40 * (x / w)
    img = np.repeat(np.clip(base, 0, 255)[:, :, None], 3, 2).astype(np.uint8)
    img = np.ascontiguousarray(img)
    for _ in range(12):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.rectangle(img, p1, p2, c, -1)
        else:
            cv2.circle(img, p1, int(rng.integers(10, h // 3)), c, -1)
    for _ in range(8):
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(img, p1, p2, (20, 20, 20), int(rng.integers(1, 4)))
    for i in range(3):
        org = (int(w * rng.uniform(0.05, 0.6)), int(h * (0.3 + 0.25 * i)))
        cv2.putText(img, "LOYALTY 1234 5678", org, cv2.FONT_HERSHEY_SIMPLEX, h / 500,
                    (15, 15, 15), 2)
    f = cv2.GaussianBlur(img, (0, 0), 1.0).astype(np.float32)
    f += rng.normal(0, 6, f.shape).astype(np.float32)
    return np.clip(f, 0, 255).astype(np.uint8)


def code_frame(h: int, w: int, rng: np.random.Generator, text: str,
               **qr_kw: Any) -> np.ndarray:
    """``scene`` with a QR code printed on a card: random size, rotation, perspective, blur,
    contrast."""
    img = scene(h, w, rng).astype(np.float32)
    q = np.kron(qr_matrix(text, **qr_kw), np.ones((6, 6), np.uint8))
    qs = q.shape[0]
    side = min(h, w) * rng.uniform(0.15, 0.6)
    cx = w / 2 + rng.uniform(-0.2, 0.2) * w
    cy = h / 2 + rng.uniform(-0.15, 0.15) * h
    a = rng.uniform(0, 2 * np.pi)
    persp = rng.uniform(0, 0.15)
    dst = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        px = dx * side / 2 * (1 + rng.uniform(-persp, persp))
        py = dy * side / 2 * (1 + rng.uniform(-persp, persp))
        dst.append([cx + px * np.cos(a) - py * np.sin(a), cy + px * np.sin(a) + py * np.cos(a)])
    src = np.float32([[0, 0], [qs, 0], [qs, qs], [0, qs]])
    m = cv2.getPerspectiveTransform(src, np.float32(dst))
    warped = cv2.warpPerspective(q, m, (w, h), flags=cv2.INTER_AREA, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(q, 255), m, (w, h), flags=cv2.INTER_NEAREST)
    lo, hi = rng.uniform(10, 90), rng.uniform(150, 240)
    card = lo + warped.astype(np.float32) * ((hi - lo) / 255)
    img = np.where((mask > 0)[:, :, None], card[:, :, None], img)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 2.5))
    img += rng.normal(0, rng.uniform(3, 10), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


PAYLOADS: list[tuple[str, dict[str, Any]]] = [
    ("LUNA-4000123456789", {}),
    ("https://loona.example/c/8f3a2c", {}),
    ("Карта лояльности №42", {"encoding": "utf-8"}),
    ("ポイントカード 1234", {"encoding": "shift_jis"}),
]


@dataclass
class FrameSet:
    label: str
    frames: list[np.ndarray]
    texts: list[str | None]


def make_frames(h: int, w: int, n: int, seed: int) -> tuple[FrameSet, FrameSet]:
    rng = np.random.default_rng(seed)
    idle = FrameSet(f"{w}x{h} no code", [scene(h, w, rng) for _ in range(n)], [None] * n)
    frames: list[np.ndarray] = []
    texts: list[str | None] = []
    for i in range(n):
        text, kw = PAYLOADS[i % len(PAYLOADS)]
        text = f"{text}-{i}"
        frames.append(code_frame(h, w, rng, text, **kw))
        texts.append(text)
    return idle, FrameSet(f"{w}x{h} with code", frames, texts)


def time_frames(fs: FrameSet, fns: dict[str, Callable[[np.ndarray], list[str]]],
                reps: int) -> dict[str, dict[str, float]]:
    """Per-frame best-of-``reps`` wall and thread-CPU time for each fn, interleaved."""
    names = list(fns)
    wall = {k: np.full((len(fs.frames), reps), np.inf) for k in names}
    cpu = {k: np.full((len(fs.frames), reps), np.inf) for k in names}
    reads = dict.fromkeys(names, 0)
    wrong = dict.fromkeys(names, 0)
    for r in range(reps):
        for i, frame in enumerate(fs.frames):
            order = names if (r + i) % 2 == 0 else names[::-1]
            for k in order:
                c0 = time.thread_time()
                t0 = time.perf_counter()
                texts = fns[k](frame)
                wall[k][i, r] = time.perf_counter() - t0
                cpu[k][i, r] = time.thread_time() - c0
                if r == 0:
                    exp = fs.texts[i]
                    if exp is not None and exp in texts:
                        reads[k] += 1
                    elif texts:
                        wrong[k] += 1
    out: dict[str, dict[str, float]] = {}
    for k in names:
        best_wall = wall[k].min(axis=1) * 1000
        best_cpu = cpu[k].min(axis=1) * 1000
        out[k] = {
            "ms_median": float(np.median(best_wall)),
            "ms_mean": float(best_wall.mean()),
            "cpu_ms_mean": float(best_cpu.mean()),
            "reads": reads[k],
            "wrong": wrong[k],
            "frames": len(fs.frames),
        }
    return out


def run_frames(quick: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
    n, reps = (6, 3) if quick else (24, 7)
    app = Decoder()
    fmt = zxingcpp.QRCode
    tm_plain = zxingcpp.TextMode.Plain

    def bare(frame: np.ndarray) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(frame, formats=fmt)]

    lumas: dict[int, GrayImage] = {}
    grays: dict[int, np.ndarray] = {}

    def bare_same(frame: np.ndarray) -> list[str]:
        # what the app's pass 1 does on the same luma, without the app's code around it
        got = zxingcpp.read_barcodes(grays[id(frame)], formats=fmt, text_mode=tm_plain,
                                     return_errors=True)
        return [b.text for b in got if b.valid]

    def app_frame(frame: np.ndarray) -> list[str]:
        return [d.text for d in app.decode_frame(lumas[id(frame)])]

    fns = {"bare": bare, "bare_same": bare_same, "app": app_frame}
    warm = np.zeros((64, 64, 3), np.uint8)
    lumas[id(warm)], grays[id(warm)] = luma(warm), warm[:, :, 0].copy()
    for f in fns.values():
        f(warm)
    rows: list[dict[str, Any]] = []
    idle_rescues = 0
    idle_calls = 0
    for seed, (h, w) in enumerate(((480, 640), (720, 1280))):
        idle, code = make_frames(h, w, n, seed)
        for fs in (idle, code):
            for frame in fs.frames:
                lumas[id(frame)] = luma(frame)
                grays[id(frame)] = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            before = (app.stats.calls, app.stats.rescue_runs)
            t = time_frames(fs, fns, reps)
            if fs.texts[0] is None:
                idle_calls += app.stats.calls - before[0]
                idle_rescues += app.stats.rescue_runs - before[1]
            rows.append({"set": fs.label, "h": h, "w": w, "idle": fs.texts[0] is None, **{
                k: v for k, v in t.items()}})
    return rows, {"idle_calls": idle_calls, "idle_rescue_runs": idle_rescues,
                  "rescue_runs_total": app.stats.rescue_runs}


# -- report -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "qr-photos",
                    help="folder with qrcode-N/, falsepositives-N/, multi-1/")
    ap.add_argument("--quick", action="store_true", help="a subset (< 30 s)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    t_start = time.perf_counter()

    if not args.data.is_dir():
        print(f"no data folder: {args.data}", file=sys.stderr)
        return 2
    labelled, others, unreadable = load_photos(args.data, args.quick)
    n_fp = sum(p.expected is None for p in others)
    print(f"photos: {len(labelled)} labelled, {n_fp} without a code, "
          f"{sum(p.expected == '<multi>' for p in others)} multi; "
          f"not openable by OpenCV (skipped): {', '.join(unreadable) or 'none'}")
    print(f"zxing-cpp {_version('zxing-cpp')}, OpenCV {cv2.__version__}, "
          f"pyzbar {_version('pyzbar') or 'unavailable'}, numpy {np.__version__}")

    app_frame, app_still = Decoder(), Decoder()
    results = [run_photos(k, fn, labelled, others, args.data)
               for k, fn in candidates(app_frame, app_still).items()]

    print()
    hdr = (f"{'decoder':34s} {'read':>9s} {'rate':>6s} {'wrong':>5s} {'fp':>3s} {'exc':>3s} "
           f"{'med ms':>7s} {'p95 ms':>7s}  multi-1 counts")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        s = r.summary()
        if not r.available:
            print(f"{r.name:34s} unavailable (not installed / no libzbar)")
            continue
        multi = " ".join(str(v) for v in s["multi_counts"].values())
        print(f"{r.name:34s} {r.correct:>4d}/{r.labelled:<4d} {100 * s['rate']:5.1f}% "
              f"{r.wrong:>5d} {r.false_pos:>3d} {r.exceptions:>3d} {s['ms_median']:7.2f} "
              f"{s['ms_p95']:7.2f}  {multi}")
    print("read = correct/labelled; wrong = wrong text on a labelled photo; fp = any read on a "
          "no-code photo; exc = the library raised")
    for r in results:
        for item in r.wrong_items[:6]:
            print(f"  wrong read, {r.name}: {item}")
    print(f"  app rescue pass: ran {app_frame.stats.rescue_runs}x, read {app_frame.stats.rescued}"
          f"; still-image extras: ran {app_still.stats.still_extra_runs}x, "
          f"read {app_still.stats.still_extra_read}")

    bare_proc = run_without_numpy(labelled, others)
    if "error" in bare_proc:
        print(f"  without numpy and OpenCV: FAILED {bare_proc['error']}")
    else:
        f, st = bare_proc["frame"], bare_proc["still"]
        print(f"  without numpy and OpenCV in the process: frame path {f['correct']}, still "
              f"path {st['correct']} of {len(labelled)}; wrong {f['wrong']} / {st['wrong']}, "
              f"reads on no-code photos {f['fp']} / {st['fp']}")

    rows, counters = run_frames(args.quick)
    print()
    hdr2 = (f"{'synthetic frames':22s} {'bare ms':>8s} {'app ms':>8s} {'overhead':>9s} "
            f"{'same-set ms':>11s} {'vs same':>8s} {'bare read':>9s} {'app read':>8s}")
    print(hdr2)
    print("-" * len(hdr2))
    overheads: list[float] = []
    for row in rows:
        b, a, s = row["bare"], row["app"], row["bare_same"]
        ov = a["ms_mean"] / b["ms_mean"] - 1
        ovs = a["ms_mean"] / s["ms_mean"] - 1
        row["overhead_vs_bare"] = ov
        row["overhead_vs_same_settings"] = ovs
        overheads.append(ov)
        reads = "-" if row["idle"] else f"{b['reads']}/{b['frames']}"
        app_reads = "-" if row["idle"] else f"{a['reads']}/{a['frames']}"
        print(f"{row['set']:22s} {b['ms_mean']:8.2f} {a['ms_mean']:8.2f} {100 * ov:+8.1f}% "
              f"{s['ms_mean']:11.2f} {100 * ovs:+7.1f}% {reads:>9s} {app_reads:>8s}")
        if a["wrong"] or b["wrong"]:
            print(f"  wrong reads on {row['set']}: bare {b['wrong']}, app {a['wrong']}")
    print("ms = mean over frames of the best of N runs; bare = zxingcpp.read_barcodes(frame, "
          "formats=QRCode); same-set = gray + the app's pass-1 settings, no app code")
    print(f"  rescue pass on no-code frames: {counters['idle_rescue_runs']} of "
          f"{counters['idle_calls']} calls")

    # -- verdicts --
    lib = [r for r in results if r.available and not r.name.startswith("APP")]
    best = max(lib, key=lambda r: r.correct)
    appf = next(r for r in results if r.name.startswith("APP decode_frame"))
    apps = next(r for r in results if r.name.startswith("APP decode ("))
    ok1 = all(a.correct >= best.correct and a.wrong + a.false_pos == 0 for a in (appf, apps))
    ok1 = ok1 and "error" not in bare_proc and all(
        bare_proc[k]["correct"] == r.correct and not bare_proc[k]["wrong"] + bare_proc[k]["fp"]
        for k, r in (("frame", appf), ("still", apps)))
    idle720 = next(r for r in rows if r["idle"] and r["h"] == 720)
    cpu_share = idle720["app"]["cpu_ms_mean"] * FPS / 1000
    wall_share = idle720["app"]["ms_mean"] * FPS / 1000
    ok2 = max(overheads) <= 0.10
    ok3 = cpu_share < 1 / 3
    print()
    print(f"GOAL 1 {'PASS' if ok1 else 'FAIL'}: app reads {appf.correct} (frame path) / "
          f"{apps.correct} (still path) of {appf.labelled} vs best single library "
          f"'{best.name}' {best.correct}; app wrong reads "
          f"{appf.wrong + appf.false_pos} / {apps.wrong + apps.false_pos}")
    print(f"GOAL 2 {'PASS' if ok2 else 'FAIL'}: app per-frame overhead vs bare call: worst "
          f"{100 * max(overheads):+.1f}% (limit +10%)")
    print(f"GOAL 3 {'PASS' if ok3 else 'FAIL'}: 720p no-code frames at {FPS} fps: "
          f"{100 * cpu_share:.1f}% of one core by CPU time ({100 * wall_share:.1f}% by wall "
          f"time; limit 33.3%)")
    elapsed = time.perf_counter() - t_start
    print(f"({'quick' if args.quick else 'full'} run, {elapsed:.1f} s)")

    if args.json:
        out = {
            "quick": args.quick,
            "versions": {"zxing-cpp": _version("zxing-cpp"), "opencv": cv2.__version__,
                         "pyzbar": _version("pyzbar"), "numpy": np.__version__},
            "unreadable_files": unreadable,
            "photos": [r.summary() for r in results],
            "frames": rows,
            "frame_counters": counters,
            "app_without_numpy_opencv": bare_proc,
            "goals": {
                "1_rate_no_wrong": {"pass": ok1, "best_library": best.name,
                                    "best_library_correct": best.correct,
                                    "app_frame_correct": appf.correct,
                                    "app_still_correct": apps.correct},
                "2_overhead": {"pass": ok2, "worst": max(overheads)},
                "3_cpu_720p_30fps": {"pass": ok3, "cpu_share": cpu_share,
                                     "wall_share": wall_share},
            },
            "seconds": elapsed,
        }
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if ok1 and ok2 and ok3 else 1


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
