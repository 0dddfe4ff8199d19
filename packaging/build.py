"""Build the pos-app bundle for this platform with ``packaging/pos-app.spec``.

    python packaging/build.py                # -> dist/pos-app/ (and dist/pos-app.app on macOS)
    python packaging/build.py --no-scan      # without the zxing-cpp/Pillow scanning stack

Needs the app and PyInstaller installed in the running Python (``pip install .[scan]
pyinstaller``). Prints the build time and the bundle's size, and writes the size with the
biggest parts to ``<dist>/pos-app-size.txt``. The installers are made from the bundle by
``packaging/windows/pos-app.iss`` (Inno Setup) and ``packaging/macos/build_dmg.sh``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from appversion import read_version  # noqa: E402

MB = 1024 * 1024


def bundle_files(bundle: Path) -> list[tuple[int, Path]]:
    """(size, path) of every regular file in ``bundle`` (symlinks not followed or counted)."""
    out = []
    for dirpath, _dirs, files in os.walk(bundle):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                out.append((path.stat().st_size, path))
    return out


def _group(rel: Path) -> str:
    """A readable part name for a file in the bundle, for the size report."""
    parts = rel.parts[1:] if rel.parts[0] in ("_internal", "Contents") else rel.parts
    if parts and parts[0] in ("Frameworks", "Resources", "MacOS"):
        parts = parts[1:]
    if not parts:
        return "(top)"
    if parts[0] == "PySide6" and len(parts) > 2 and parts[1] == "Qt":
        return f"PySide6/Qt/{parts[2]}"
    if parts[0] in ("PySide6", "shiboken6", "cv2", "numpy", "numpy.libs", "zxingcpp", "PIL",
                    "pillow.libs", "cryptography",
                    "opencv_python_headless.libs", "base_library.zip", "lib-dynload"):
        return parts[0]
    name = parts[0].lower()
    if name.startswith(("libpython", "python3")):
        return "Python runtime"
    return "other" if len(parts) == 1 else f"{parts[0]}/"


def size_report(bundle: Path, top: int = 15) -> str:
    files = bundle_files(bundle)
    total = sum(s for s, _ in files)
    groups: dict[str, int] = defaultdict(int)
    for size, path in files:
        groups[_group(path.relative_to(bundle))] += size
    lines = [f"{bundle.name}: {total / MB:.1f} MB in {len(files)} files", "", "By part:"]
    for name, size in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {size / MB:7.1f} MB  {name}")
    lines += ["", "Largest files:"]
    for size, path in sorted(files, key=lambda sp: -sp[0])[:top]:
        lines.append(f"  {size / MB:7.1f} MB  {path.relative_to(bundle)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the bundle goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--no-scan", action="store_true",
                        help="leave out zxing-cpp/Pillow even if installed")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.no_scan:
        env["POS_APP_BUNDLE_SCAN"] = "0"
    cmd = [sys.executable, "-m", "PyInstaller", str(HERE / "pos-app.spec"), "--noconfirm",
           "--log-level", "WARN", "--distpath", str(args.dist), "--workpath", str(args.work)]
    if args.clean:
        cmd.append("--clean")
    print(f"Building pos-app {read_version()} for {sys.platform}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
        print("PyInstaller failed (see above).", file=sys.stderr)
        return 1
    took = time.monotonic() - started

    bundle = args.dist / "pos-app"
    app = args.dist / "pos-app.app"
    report = size_report(app if app.is_dir() else bundle)
    (args.dist / "pos-app-size.txt").write_text(report, "utf-8")
    print(f"\nBuilt in {took:.0f} s: {bundle}" + (f" and {app}" if app.is_dir() else ""))
    print(report, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
