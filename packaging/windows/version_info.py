"""The Windows version resource of ``pos-app.exe`` and ``pos-app-cli.exe``.

The spec writes this text next to its build files and hands the path to PyInstaller's
``EXE(version=...)``, which parses it (on Windows only) with
``PyInstaller.utils.win32.versioninfo.load_version_info_from_text_file``. Explorer shows it under
Properties > Details. The version comes from ``pos_app/__init__.py`` through the spec.

    python packaging/windows/version_info.py [OUT]   # print or write it for the source version
"""

from __future__ import annotations

import sys
from pathlib import Path

COMPANY = "pos-app"
PRODUCT = "pos-app"
DESCRIPTION = "pos-app cashier for loyalty cards"
COPYRIGHT = "© pos-app"


def version_info_text(version: str, numeric: tuple[int, int, int, int],
                      exe_name: str = "pos-app.exe") -> str:
    """``VSVersionInfo(...)`` source text (the format PyInstaller's ``grab_version`` writes)."""
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": PRODUCT,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": exe_name,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numeric!r},
    prodvers={numeric!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [{table}])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from appversion import numeric_version, read_version

    v = read_version()
    text = version_info_text(v, numeric_version(v))
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, "utf-8")
    else:
        print(text)
