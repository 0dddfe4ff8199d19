"""The QR decoder (pos_app.core.scanning.decoder) and the ``pos-app decode`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
cv2 = pytest.importorskip("cv2")
pytest.importorskip("zxingcpp")
segno = pytest.importorskip("segno")

from pos_app.cli.decode import run  # noqa: E402
from pos_app.core.scanning.decoder import Decoder, decode_file, load_image  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "qr-photos"


# -- helpers ------------------------------------------------------------------------------


def qr_gray(text: str, scale: int = 6, **kw: object) -> np.ndarray:
    """A segno QR code as a gray uint8 image, dark = 0, with a 4-module quiet zone."""
    q = segno.make_qr(text, **kw)
    m = np.where(np.asarray(q.matrix, dtype=bool), 0, 255).astype(np.uint8)
    m = np.pad(m, 4, constant_values=255)
    return np.kron(m, np.ones((scale, scale), np.uint8))


def on_background(code: np.ndarray, h: int = 480, w: int = 640, *, angle: float = 0,
                  persp: float = 0, noise: float = 0, blur: float = 0,
                  seed: int = 0) -> np.ndarray:
    """Place ``code`` on a mid-gray gradient frame, rotated/perspective-warped, with noise."""
    rng = np.random.default_rng(seed)
    frame = np.tile(np.linspace(70, 150, w, dtype=np.float32), (h, 1))
    s = code.shape[0]
    src = np.float32([[0, 0], [s, 0], [s, s], [0, s]])
    a = np.deg2rad(angle)
    half = min(h, w) * 0.3
    dst = []
    for i, (dx, dy) in enumerate(((-1, -1), (1, -1), (1, 1), (-1, 1))):
        k = 1 + (persp if i in (1, 2) else -persp)
        px, py = dx * half * k, dy * half
        x = w / 2 + px * np.cos(a) - py * np.sin(a)
        y = h / 2 + px * np.sin(a) + py * np.cos(a)
        dst.append([x, y])
    m = cv2.getPerspectiveTransform(src, np.float32(dst))
    warped = cv2.warpPerspective(code, m, (w, h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full_like(code, 255), m, (w, h), flags=cv2.INTER_NEAREST)
    out = np.where(mask > 0, warped.astype(np.float32), frame)
    if blur:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise:
        out = out + rng.normal(0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def bgr(gray: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def write_png(path: Path, image: np.ndarray) -> Path:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


# -- decoding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "warp",
    [
        {},
        {"angle": 33},
        {"angle": 90},
        {"angle": -12, "persp": 0.12},
        {"angle": 170, "persp": 0.08, "noise": 8, "blur": 1.2},
    ],
    ids=["flat", "rot33", "rot90", "perspective", "rot-persp-noise-blur"],
)
def test_reads_generated_code(warp: dict[str, float]) -> None:
    frame = on_background(qr_gray("LUNA-4000123456789"), **warp)
    decoder = Decoder()
    for image in (frame, bgr(frame)):
        for read in (decoder.decode_frame, decoder.decode):
            got = read(image)
            assert [d.text for d in got] == ["LUNA-4000123456789"]
            assert got[0].format == "QRCode"
            assert len(got[0].points) == 4
            for x, y in got[0].points:
                assert 0 <= x <= frame.shape[1] and 0 <= y <= frame.shape[0]


def test_points_frame_the_code() -> None:
    code = qr_gray("points", scale=5)  # 21 modules + 2 x 4 quiet zone, 5 px each
    (got,) = Decoder().decode(code)
    assert got.points == ((20, 20), (125, 20), (125, 125), (20, 125))


@pytest.mark.parametrize(
    ("text", "kw", "raw"),
    [
        ("Карта лояльности №42", {"encoding": "utf-8"}, "Карта лояльности №42".encode()),
        ("ポイントカード 1234", {"encoding": "shift_jis"},
         "ポイントカード 1234".encode("shift_jis")),
        ("ﾃﾞｻﾞｲﾝQR", {"encoding": "shift_jis"}, "ﾃﾞｻﾞｲﾝQR".encode("shift_jis")),
        ("Café crème", {}, "Café crème".encode("latin-1")),
        ("Карта", {"encoding": "cp1251", "eci": True}, "Карта".encode("cp1251")),
    ],
    ids=["utf8-cyrillic", "shift_jis-kana", "shift_jis-halfwidth", "latin1", "eci-cp1251"],
)
def test_non_ascii_payloads(text: str, kw: dict[str, object], raw: bytes) -> None:
    frame = on_background(qr_gray(text, **kw), angle=20, noise=4)
    got = Decoder().decode_frame(bgr(frame))
    assert [d.text for d in got] == [text]
    assert got[0].data == raw


def test_control_characters_are_kept() -> None:
    """Plain text mode: no '<GS>'-style rendering of control characters."""
    text = "\x1d0104000123456789\r\nend"
    (got,) = Decoder().decode(qr_gray(text))
    assert got.text == text


def no_code_frames() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    h, w = 480, 640
    checker = np.kron((np.indices((24, 32)).sum(axis=0) % 2 * 255).astype(np.uint8),
                      np.ones((20, 20), np.uint8))
    text = np.full((h, w), 200, np.uint8)
    for i in range(8):
        cv2.putText(text, "LOYALTY 1234 5678", (10, 50 + 55 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    1.2, 20, 2)
    return [
        np.zeros((h, w), np.uint8),
        np.full((h, w), 255, np.uint8),
        rng.integers(0, 256, (h, w), dtype=np.uint8),
        rng.integers(0, 256, (h, w, 3), dtype=np.uint8),
        np.tile(np.linspace(0, 255, w).astype(np.uint8), (h, 1)),
        checker,
        text,
        np.zeros((1, 1), np.uint8),
    ]


def test_no_false_read_on_frames_without_code() -> None:
    decoder = Decoder()
    for frame in no_code_frames():
        assert decoder.decode_frame(frame) == []
        assert decoder.decode(frame) == []
    # The rescue pass never runs on these: they cost one library call each.
    assert decoder.stats.rescue_runs == 0


def test_gray_bgr_bgra_and_views_give_the_same_read() -> None:
    gray = on_background(qr_gray("same for all"), angle=8)
    color = bgr(gray)
    inputs = [
        gray,
        gray[:, :, None],
        color,
        cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA),
        np.ascontiguousarray(color[:, ::-1])[:, ::-1],  # non-contiguous view
    ]
    decoder = Decoder()
    results = [decoder.decode_frame(img) for img in inputs]
    assert all([d.text for d in r] == ["same for all"] for r in results)
    assert len({r[0].points for r in results}) == 1


def test_bgr_without_opencv_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour arrays are made gray with Pillow when the process has not loaded OpenCV."""
    gray = on_background(qr_gray("no opencv"), angle=5)
    frames = (gray, bgr(gray), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA))
    monkeypatch.delitem(sys.modules, "cv2")
    decoder = Decoder()
    for img in frames:
        assert [d.text for d in decoder.decode_frame(img)] == ["no opencv"]
        assert [d.text for d in decoder.decode(img)] == ["no opencv"]


@pytest.mark.parametrize(
    ("image", "error"),
    [
        (np.zeros((10, 10), np.float32), TypeError),
        (np.zeros((10, 10, 2), np.uint8), ValueError),
        (np.zeros(10, np.uint8), ValueError),
    ],
)
def test_rejects_unsupported_arrays(image: np.ndarray, error: type[Exception]) -> None:
    with pytest.raises(error):
        Decoder().decode(image)


def test_two_codes_in_one_frame() -> None:
    a, b = qr_gray("first", scale=5), qr_gray("second", scale=5)
    frame = np.full((200, 400), 255, np.uint8)
    frame[20:20 + a.shape[0], 20:20 + a.shape[1]] = a
    frame[20:20 + b.shape[0], 220:220 + b.shape[1]] = b
    assert sorted(d.text for d in Decoder().decode_frame(frame)) == ["first", "second"]


# -- files --------------------------------------------------------------------------------


def test_decode_file_png(tmp_path: Path) -> None:
    frame = on_background(qr_gray("from a file"), angle=15, noise=3)
    path = write_png(tmp_path / "card ünïcode.png", bgr(frame))
    assert [d.text for d in decode_file(path)] == ["from a file"]
    assert [d.text for d in decode_file(str(path))] == ["from a file"]


def test_decode_file_transparent_png(tmp_path: Path) -> None:
    """Black modules on a transparent background: transparency counts as white."""
    code = qr_gray("transparent")
    bgra = np.zeros((*code.shape, 4), np.uint8)
    bgra[:, :, 3] = np.where(code == 0, 255, 0)
    path = write_png(tmp_path / "t.png", bgra)
    assert load_image(path).shape == code.shape
    assert [d.text for d in decode_file(path)] == ["transparent"]


def test_decode_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        decode_file(tmp_path / "missing.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(ValueError, match="not a readable image"):
        decode_file(bad)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ValueError):
        decode_file(empty)


# -- CLI ----------------------------------------------------------------------------------


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write_png(tmp_path / "one.png", qr_gray("Карта 7"))
    blank = write_png(tmp_path / "blank.png", np.full((100, 100), 255, np.uint8))
    two = np.full((200, 400), 255, np.uint8)
    a, b = qr_gray("A-1", scale=5), qr_gray("B-2", scale=5)
    two[20:20 + a.shape[0], 20:20 + a.shape[1]] = a
    two[20:20 + b.shape[0], 220:220 + b.shape[1]] = b
    both = write_png(tmp_path / "two.png", two)
    missing = tmp_path / "missing.png"

    rc = run([str(one), str(blank), str(both), str(missing)], as_json=True)
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert rc == 1
    assert err == ""
    assert lines[0] == {"path": str(one), "text": "Карта 7"}
    assert lines[1] == {"path": str(blank), "text": None}
    assert lines[2]["text"] in ("A-1", "B-2")
    assert sorted(lines[2]["texts"]) == ["A-1", "B-2"]
    assert lines[2]["text"] == lines[2]["texts"][0]
    assert lines[3]["path"] == str(missing)
    assert lines[3]["text"] is None
    assert lines[3]["error"]
    assert len(lines) == 4


def test_cli_plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write_png(tmp_path / "one.png", qr_gray("line1\r\nline2"))
    blank = write_png(tmp_path / "blank.png", np.full((100, 100), 255, np.uint8))
    assert run([str(one), str(blank)], as_json=False) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{one}: line1\\r\\nline2", f"{blank}: (no code)"]
    assert err == ""

    assert run([str(tmp_path / "missing.png")], as_json=False) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "missing.png" in err and "no such file" in err


# -- import cost --------------------------------------------------------------------------


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, pos_app, pos_app.core.scanning.decoder, pos_app.cli.decode\n"
        "print(','.join(m for m in ('cv2', 'zxingcpp', 'numpy', 'PIL') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env=env, timeout=60, check=True)
    assert res.stdout.strip() == ""


# -- real photos (zxing-cpp's test samples, when the shared folder is there) ---------------


def _expected(image: Path) -> str:
    text = image.with_suffix(".txt").read_bytes().decode("utf-8")
    return text[:-1] if text.endswith("\n") else text


def _strip(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text


@pytest.mark.skipif(not (PHOTOS / "qrcode-1").is_dir(), reason="no shared qr-photos")
def test_real_photos_qrcode_1() -> None:
    images = sorted(p for p in (PHOTOS / "qrcode-1").iterdir()
                    if p.suffix in (".png", ".jpg", ".webp") and p.with_suffix(".txt").exists())
    assert images
    decoder = Decoder()
    for image in images[:6]:
        got = [_strip(d.text) for d in decoder.decode_frame(load_image(image))]
        assert got == [_expected(image)], image.name


@pytest.mark.skipif(not (PHOTOS / "qrcode-4").is_dir(), reason="no shared qr-photos")
def test_rescue_pass_on_real_photos() -> None:
    """Photos that the plain library call misses: read by the rescue pass (frames) or by
    the still-image extras (files)."""
    frame_path = PHOTOS / "qrcode-4" / "09.webp"  # crumpled paper, pass 1 sees but fails
    still_path = PHOTOS / "qrcode-2" / "28.webp"  # print texture, pass 1 sees nothing
    if not (frame_path.exists() and still_path.exists()):
        pytest.skip("sample photos missing")
    decoder = Decoder()
    assert [_strip(d.text) for d in decoder.decode_frame(load_image(frame_path))] == [
        _expected(frame_path)]
    assert decoder.stats.rescued == 1
    assert decoder.decode_frame(load_image(still_path)) == []
    assert [_strip(d.text) for d in decode_file(still_path, decoder)] == [_expected(still_path)]
