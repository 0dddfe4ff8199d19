"""The decoder as the installers ship it: zxing-cpp and Pillow, no numpy, no OpenCV.

Each check runs in a child process where ``import numpy`` and ``import cv2`` fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("zxingcpp")
pytest.importorskip("PIL")
segno = pytest.importorskip("segno")

from pos_app.core.scanning.gray import GrayImage, load_image  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CHILD_PRELUDE = (
    "import sys, json\n"
    "sys.modules['numpy'] = None\n"
    "sys.modules['cv2'] = None\n"
)


def run_child(code: str) -> object:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", CHILD_PRELUDE + code], capture_output=True,
                         text=True, cwd=REPO, env=env, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def qr_png(path: Path, text: str, *, scale: int = 5, **kw: object) -> Path:
    segno.make_qr(text, **kw).save(str(path), kind="png", scale=scale)
    return path


def test_files_of_every_format_without_numpy(tmp_path: Path) -> None:
    from PIL import Image

    png = qr_png(tmp_path / "code.png", "Карта 7", encoding="utf-8")
    im = Image.open(png).convert("RGB")
    paths = [str(png)]
    for ext, kw in ((".jpg", {"quality": 90}), (".webp", {"quality": 90}), (".gif", {}),
                    (".bmp", {}), (".tiff", {})):
        out = tmp_path / f"code{ext}"
        im.save(out, **kw)
        paths.append(str(out))
    # Black modules on a transparent background: transparency counts as white.
    rgba = Image.open(png).convert("L").point(lambda v: 255 - v)
    clear = Image.new("RGBA", rgba.size, (0, 0, 0, 0))
    clear.putalpha(rgba)
    clear.save(tmp_path / "clear.png")
    paths.append(str(tmp_path / "clear.png"))
    got = run_child(
        "from pos_app.core.scanning.decoder import decode_file\n"
        f"paths = {paths!r}\n"
        "print(json.dumps([[d.text for d in decode_file(p)] for p in paths]))\n")
    assert got == [["Карта 7"]] * len(paths)


def test_luma_planes_without_numpy(tmp_path: Path) -> None:
    """A camera's luma plane as QtMultimedia maps it: padded rows (NV12), every second byte
    (YUYV), every second byte from the second (UYVY)."""
    png = qr_png(tmp_path / "code.png", "LUNA-4000123456789", scale=4)
    got = run_child(
        "from PIL import Image\n"
        "from pos_app.core.scanning.decoder import Decoder, GrayImage\n"
        f"im = Image.open({str(png)!r}).convert('L')\n"
        "w, h = im.size\n"
        "y = im.tobytes()\n"
        "stride = w + 64\n"
        "nv12 = bytearray(stride * h * 3 // 2)\n"
        "for r in range(h):\n"
        "    nv12[r * stride:r * stride + w] = y[r * w:(r + 1) * w]\n"
        "yuyv = bytearray([128]) * (2 * w * h)\n"
        "yuyv[0::2] = y\n"
        "uyvy = bytearray([128]) * (2 * w * h)\n"
        "uyvy[1::2] = y\n"
        "frames = [GrayImage(memoryview(nv12), w, h, stride),\n"
        "          GrayImage(memoryview(yuyv), w, h, 2 * w, 2),\n"
        "          GrayImage(memoryview(uyvy)[1:], w, h, 2 * w, 2)]\n"
        "dec = Decoder()\n"
        "print(json.dumps([[d.text for d in dec.decode_frame(f)] for f in frames]))\n")
    assert got == [["LUNA-4000123456789"]] * 3


def test_rescue_pass_without_numpy(tmp_path: Path) -> None:
    """A small, soft code that pass 1 sees and cannot read: the crop-and-upscale rescue reads
    it, with Pillow only."""
    from PIL import Image, ImageFilter

    code = Image.open(qr_png(tmp_path / "c.png", "https://loona.test/p/8f3a2c-0042",
                             scale=1)).convert("L")
    frame = Image.new("L", (640, 480), 140)
    frame.paste(code, (300, 200))
    frame = frame.filter(ImageFilter.GaussianBlur(0.6))
    frame.save(tmp_path / "soft.png")
    got = run_child(
        "from pos_app.core.scanning.decoder import Decoder, load_image\n"
        "dec = Decoder()\n"
        f"img = load_image({str(tmp_path / 'soft.png')!r})\n"
        "plain = Decoder(rescue=False).decode_frame(img)\n"
        "texts = [d.text for d in dec.decode_frame(img)]\n"
        "print(json.dumps([len(plain), texts, dec.stats.rescue_runs]))\n")
    assert got == [0, ["https://loona.test/p/8f3a2c-0042"], 1]


def test_gray_image_checks_its_size() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        GrayImage(bytes(99), 10, 10)
    with pytest.raises(ValueError, match="empty"):
        GrayImage(b"", 0, 0)
    img = GrayImage(bytes(range(40)), 4, 5, 8, 2)
    assert img.tobytes() == bytes([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30,
                                   32, 34, 36, 38])
    assert img.crop(1, 1, 3, 3).tobytes() == bytes([10, 12, 18, 20])


def test_sixteen_bit_png_is_scaled(tmp_path: Path) -> None:
    from PIL import Image

    im = Image.new("I;16", (8, 8), 0x8000)
    im.save(tmp_path / "16.png")
    assert set(load_image(tmp_path / "16.png").tobytes()) == {127}
