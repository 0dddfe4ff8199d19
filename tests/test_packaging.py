"""The PyInstaller bundle: built with ``packaging/pos-app.spec`` and smoke-tested with the same
``packaging/smoke.py`` that CI runs on the Windows and macOS builds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import pos_app

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_packaging_reads_the_one_version() -> None:
    appversion = _load("appversion")
    assert appversion.read_version() == pos_app.__version__
    assert appversion.numeric_version("1.2.3rc1") == (1, 2, 3, 0)
    assert appversion.numeric_version("2.0") == (2, 0, 0, 0)


@pytest.mark.packaging
@pytest.mark.slow
def test_bundle_builds_and_passes_the_smoke_test(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install pyinstaller)")
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--dist", str(dist), "--work", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, f"build failed:\n{build.stdout[-3000:]}\n{build.stderr[-5000:]}"

    bundle = dist / ("pos-app.app" if sys.platform == "darwin" else "pos-app")
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    assert any(f.endswith("resources/icon.png") for f in files)
    # Qt modules and plugins the cashier window does not use stay out.
    unwanted = [f for f in files
                if any(part in f for part in ("PySide6/QtQml.", "PySide6/QtQuick.",
                                              "PySide6/QtWebEngine", "PySide6/Qt3D",
                                              "PySide6/QtDesigner.", "PySide6/QtTest.",
                                              "/sqldrivers/", "/qmltooling/",
                                              "libqgtk3", "libqeglfs"))]
    assert not unwanted, f"excluded Qt parts in the bundle: {unwanted[:10]}"
    # Of Qt's translations only qtbase's, for the languages the app speaks; of Babel's 1000
    # locales only root, English and Russian; the catalogues come compiled.
    qms = sorted(f.rsplit("/", 1)[1] for f in files if f.endswith(".qm"))
    assert qms == ["qtbase_ru.qm"], qms
    cldr = {f.rsplit("/", 1)[1].split("_")[0].removesuffix(".dat") for f in files
            if "babel/locale-data/" in f}
    assert cldr == {"root", "en", "ru"}, sorted(cldr)
    assert any("pos_app/locale/ru/LC_MESSAGES/pos_app." in f and f.endswith(".mo")
               for f in files)
    # Slips are printed through QtPrintSupport (PySide6-Essentials); Linux needs its CUPS plugin.
    assert any("QtPrintSupport" in f for f in files)
    if sys.platform.startswith("linux"):
        assert any("printsupport/libcupsprintersupport" in f for f in files)

    smoke = subprocess.run([sys.executable, str(PACKAGING / "smoke.py"), str(bundle)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert smoke.returncode == 0, f"smoke test failed:\n{smoke.stdout}\n{smoke.stderr}"
