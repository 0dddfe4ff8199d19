"""Smoke-test a frozen pos-app: the one script CI and developers run on a built bundle.

    python packaging/smoke.py                    # dist/pos-app (the build's output)
    python packaging/smoke.py dist/pos-app.app   # a macOS app bundle
    python packaging/smoke.py "C:/Users/me/AppData/Local/Programs/pos-app"   # an install

Six checks, each in a fresh settings/data folder (so nothing is configured and the app
uses its built-in sandbox, and no real settings or journal are touched):

1. ``version``: ``pos-app --version`` prints ``pos-app <__version__ of pos_app/__init__.py>``.
2. ``card``: ``pos-app card 931520-641-829 --json`` finds the Luna demo card on the sandbox.
3. ``slip``: ``pos-app apply 931520-641-829 stamp 1 --json``, then ``pos-app slip ID --pdf
   FILE`` writes that operation's slip as PDF (Qt's PDF writer and print support are in).
4. ``decode``: ``pos-app decode IMAGE --json`` reads a QR code from a PNG and a JPEG (zxing-cpp
   and Pillow in the bundle; OpenCV and numpy are not shipped).
5. ``russian``: ``pos-app card 931520-641-829`` with ``POS_APP_LANGUAGE=ru`` prints the card
   in Russian (the catalogue and Babel's Russian data are in the bundle).
6. ``window``: ``pos-app`` with ``QT_QPA_PLATFORM=offscreen`` and ``POS_APP_SMOKE=1`` opens
   its window, prints ``window ready`` once the counter is ready and exits 0; in Russian it
   also prints Qt's own word for Cancel, which must be Russian (``qtbase_ru.qm`` is in).

On Windows the first three use ``pos-app-cli.exe`` (console) and the third ``pos-app.exe``
(windowed, the one the Start menu starts). Exit status 0 when all pass, 1 otherwise, with a
plain message for each failure. ``--skip window`` (etc.) leaves checks out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from appversion import read_version  # noqa: E402

DEMO_CARD = "931520-641-829"
TIMEOUT = 60.0
CHECKS = ("version", "card", "slip", "decode", "russian", "window")
DECODE_TEXT = "LUNA 931520-641-829"
EXE = ".exe" if sys.platform == "win32" else ""


class SmokeFailure(Exception):
    pass


def find_executables(bundle: Path) -> tuple[Path, Path]:
    """(gui, cli) executables of a bundle folder, a macOS ``.app`` or an executable."""
    if bundle.is_file():
        return bundle, bundle
    if bundle.suffix == ".app":
        exe = bundle / "Contents" / "MacOS" / "pos-app"
        return exe, exe
    gui = bundle / f"pos-app{EXE}"
    cli = bundle / f"pos-app-cli{EXE}"
    return gui, cli if cli.is_file() else gui


def run(cmd: list[str], env: dict[str, str], timeout: float = TIMEOUT
        ) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        raise SmokeFailure(f"did not finish within {timeout:.0f} s{_tail(out, err)}") from None


def _tail(stdout: str | None, stderr: str | None, lines: int = 15) -> str:
    text = ""
    for name, stream in (("stdout", stdout), ("stderr", stderr)):
        if stream and stream.strip():
            last = "\n    ".join(stream.strip().splitlines()[-lines:])
            text += f"\n  {name}:\n    {last}"
    return text


def check_version(cli: Path, env: dict[str, str], expected: str) -> str:
    p = run([str(cli), "--version"], env)
    if p.returncode != 0:
        raise SmokeFailure(f"exit code {p.returncode}{_tail(p.stdout, p.stderr)}")
    if p.stdout.strip() != f"pos-app {expected}":
        raise SmokeFailure(f"printed {p.stdout.strip()!r}, expected 'pos-app {expected}' "
                           "(the version in pos_app/__init__.py)")
    return p.stdout.strip()


def check_card(cli: Path, env: dict[str, str]) -> str:
    p = run([str(cli), "card", DEMO_CARD, "--json"], env)
    if p.returncode != 0:
        raise SmokeFailure(f"exit code {p.returncode}{_tail(p.stdout, p.stderr)}")
    try:
        card = json.loads(p.stdout)
    except ValueError:
        raise SmokeFailure(f"did not print one JSON object{_tail(p.stdout, p.stderr)}") from None
    if not isinstance(card, dict) or card.get("service") != "luna":
        raise SmokeFailure(f"expected a Luna card, got {p.stdout.strip()[:300]}")
    return f"{card.get('service')} {card.get('kind')} card, status {card.get('status')}"


def check_slip(cli: Path, env: dict[str, str]) -> str:
    p = run([str(cli), "apply", DEMO_CARD, "stamp", "1", "--json"], env)
    try:
        journal_id = json.loads(p.stdout)["journal_id"]
    except (ValueError, KeyError, TypeError):
        raise SmokeFailure(f"apply printed no journal id{_tail(p.stdout, p.stderr)}") from None
    pdf = Path(env["POS_APP_DATA_DIR"]) / "slip.pdf"
    p = run([str(cli), "slip", str(journal_id), "--pdf", str(pdf)], env)
    if p.returncode != 0 or not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
        raise SmokeFailure(f"exit code {p.returncode}, no PDF at {pdf}"
                           f"{_tail(p.stdout, p.stderr)}")
    return f"slip #{journal_id} saved as PDF ({pdf.stat().st_size} bytes)"


def check_decode(cli: Path, env: dict[str, str], folder: Path) -> str:
    import segno

    png = folder / "code.png"
    segno.make_qr(DECODE_TEXT).save(str(png), kind="png", scale=6)
    paths = [png]
    try:
        from PIL import Image

        jpg = folder / "code.jpg"
        Image.open(png).convert("RGB").save(jpg, quality=85)
        paths.append(jpg)
    except ImportError:  # the building Python without Pillow: the PNG alone
        pass
    p = run([str(cli), "decode", *map(str, paths), "--json"], env)
    if p.returncode != 0:
        raise SmokeFailure(f"exit code {p.returncode}{_tail(p.stdout, p.stderr)}")
    texts = [json.loads(line).get("text") for line in p.stdout.splitlines() if line.strip()]
    if texts != [DECODE_TEXT] * len(paths):
        raise SmokeFailure(f"read {texts!r}, expected {DECODE_TEXT!r} from each of "
                           f"{len(paths)} images{_tail(p.stdout, p.stderr)}")
    return f"read the code from {', '.join(x.suffix for x in paths)}"


def check_russian(cli: Path, env: dict[str, str]) -> str:
    p = run([str(cli), "card", DEMO_CARD], {**env, "POS_APP_LANGUAGE": "ru"})
    if p.returncode != 0:
        raise SmokeFailure(f"exit code {p.returncode}{_tail(p.stdout, p.stderr)}")
    head = p.stdout.splitlines()[0] if p.stdout.strip() else ""
    if not any("а" <= ch <= "я" for ch in head.lower()):  # the card's kind and status
        raise SmokeFailure(f"printed no Russian{_tail(p.stdout, p.stderr)}")
    return f"card shown in Russian ({p.stdout.splitlines()[0].strip()[:60]})"


def check_window(gui: Path, env: dict[str, str]) -> str:
    env = {**env, "QT_QPA_PLATFORM": "offscreen", "POS_APP_SMOKE": "1", "POS_APP_LANGUAGE": "ru"}
    try:
        p = run([str(gui)], env)
    except SmokeFailure as exc:
        raise SmokeFailure(f"{exc}\n  (the window should print 'window ready' and quit by "
                           "itself when POS_APP_SMOKE=1)") from None
    ready = any(line.strip() == "window ready" for line in p.stdout.splitlines())
    if p.returncode != 0 or not ready:
        said = "printed 'window ready'" if ready else "did not print 'window ready'"
        raise SmokeFailure(f"exit code {p.returncode} and {said}{_tail(p.stdout, p.stderr)}")
    cancel = next((line.split(":", 1)[1].strip() for line in p.stdout.splitlines()
                   if line.startswith("qt cancel:")), "")
    if cancel != "Отмена":
        raise SmokeFailure(f"Qt's own buttons are not in Russian (Cancel is {cancel!r}): "
                           f"qtbase_ru.qm is missing{_tail(p.stdout, p.stderr)}")
    return f"window opened offscreen in Russian and closed (Qt's Cancel: {cancel})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=HERE.parent / "dist" / "pos-app",
                        help="bundle folder, .app or executable (default: dist/pos-app)")
    parser.add_argument("--skip", action="append", default=[], choices=CHECKS,
                        help="leave a check out (repeatable)")
    args = parser.parse_args(argv)

    gui, cli = find_executables(args.bundle)
    for exe in {gui, cli}:
        if not exe.is_file():
            print(f"FAIL: no executable at {exe}: build first (python packaging/build.py).",
                  file=sys.stderr)
            return 1
    expected = read_version()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pos-app-smoke-") as tmp:
        for name in CHECKS:
            if name in args.skip:
                print(f"skip  {name}")
                continue
            # A fresh, empty settings and data folder per check: nothing configured means
            # the app starts its sandbox in-process with the demo cards.
            home = Path(tmp, name)
            (home / "data").mkdir(parents=True)
            env = {**os.environ, "POS_APP_CONFIG": str(home / "settings.toml"),
                   "POS_APP_DATA_DIR": str(home / "data"), "POS_APP_NO_KEYRING": "1",
                   "PYTHONUNBUFFERED": "1"}
            started = time.monotonic()
            try:
                if name == "version":
                    what = check_version(cli, env, expected)
                elif name == "card":
                    what = check_card(cli, env)
                elif name == "slip":
                    what = check_slip(cli, env)
                elif name == "decode":
                    what = check_decode(cli, env, home)
                elif name == "russian":
                    what = check_russian(cli, env)
                else:
                    what = check_window(gui, env)
            except SmokeFailure as exc:
                failures += 1
                print(f"FAIL  {name}: {exc}", flush=True)
                continue
            print(f"ok    {name} ({time.monotonic() - started:.1f} s): {what}", flush=True)
    if failures:
        print(f"{failures} smoke check(s) failed for {args.bundle}.", file=sys.stderr)
        return 1
    print(f"pos-app {expected} at {args.bundle}: all smoke checks passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
