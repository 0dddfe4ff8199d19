"""Rules of the code's layout, checked: each service lives in its own package, the core stays
Qt-free, and every service's spec builds what the rest of the app expects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.core.services import SERVICES, ServiceSpec

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pos_app"
SERVICES_DIR = PACKAGE / "core" / "services"
#: The one list that names every service.
THE_LIST = SERVICES_DIR / "__init__.py"


def services_named_outside_their_package() -> list[str]:
    """``file:line: service`` for every production line naming a service outside its own
    package and the one list."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == THE_LIST:
            continue
        text = path.read_text("utf-8")
        for spec in SERVICES:
            if path.is_relative_to(SERVICES_DIR / spec.name):
                continue
            words = {re.escape(spec.name), re.escape(spec.title)}
            pattern = re.compile(rf"(?i)(?<![a-z0-9]){'|'.join(words)}(?![a-z0-9])")
            for number, line in enumerate(text.splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {spec.name}")
    return found


def test_no_production_file_names_a_service_outside_its_package() -> None:
    assert services_named_outside_their_package() == []


def test_the_check_would_see_a_service_named_elsewhere() -> None:
    stray = PACKAGE / "core" / "_stray_name_probe.py"
    stray.write_text(f'WHO = "{SERVICES[0].title}"\n', encoding="utf-8")
    try:
        assert services_named_outside_their_package() == [
            f"pos_app/core/_stray_name_probe.py:1: {SERVICES[0].name}"]
    finally:
        stray.unlink()


def test_the_core_imports_no_qt() -> None:
    """Every module under pos_app.core imports without pulling in PySide6."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import pos_app.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'pos_app.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(' '.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


# -- every service's spec ---------------------------------------------------------------------


@pytest.fixture(params=SERVICES, ids=lambda s: s.name)
def spec(request: pytest.FixtureRequest) -> ServiceSpec:
    return request.param


def test_names_are_unique_and_lower_case() -> None:
    names = [s.name for s in SERVICES]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", n) for n in names)
    assert [s.order for s in SERVICES] == sorted(s.order for s in SERVICES)


def test_spec_has_an_address_field_and_its_secrets_are_required_or_optional(
        spec: ServiceSpec) -> None:
    keys = [f.key for f in spec.fields]
    assert keys[0] == "base_url" and "pattern" in keys and len(set(keys)) == len(keys)
    assert "base_url" in spec.required_keys


def test_spec_builds_an_adapter_from_its_sandbox_settings(spec: ServiceSpec) -> None:
    from pos_app.core.backends.registry import build_backend
    from pos_app.core.sandbox.server import SandboxServer

    app = spec.sandbox()
    assert app.name == spec.name
    server = SandboxServer(app).start()
    try:
        table = app.settings(server)
        assert set(table) <= {f.key for f in spec.fields}
        backend = build_backend(spec, table)
        try:
            assert (backend.name, backend.title) == (spec.name, spec.title)
            assert backend.check()
            cards = app.demo_cards()
            assert cards and all(c["service"] == spec.name for c in cards)
            for card in cards:
                assert backend.claim(card["code"]), card
        finally:
            backend.close()
    finally:
        server.stop()


def _codes_to_try() -> list[str]:
    """Every service's demo codes, with spaces, in URLs, changed, and codes of no service."""
    demo = [c["code"] for s in SERVICES for c in s.sandbox().demo_cards()]
    found = set(demo)
    for code in demo:
        found |= {f"  {code} ", code.lower(), code.upper(), code[:-1], code + "9",
                  f"https://example.com/c/{code}?x=1", f"www.example.com/{code}"}
    found |= {"448234-808-346", "HC-000123", "AB-123", "CPOL-000123", "OFR-ABC123",
              "0123456789abcdefABCDEF01", "a1" * 12, "6179518025", "hello", "x", "-", "",
              "3fa85f64-5717-4562-b3fc-2c963f66afa6", "https://luna.example/p/931520-641-829",
              "é" * 30, "Z" * 3000}
    return sorted(found)


def test_may_take_never_rules_out_a_code_the_adapter_takes(spec: ServiceSpec) -> None:
    """The router passes a service by on ``may_take`` alone: it must be looser than the
    adapter, with the sandbox's settings, without its patterns, and with a pattern set."""
    from pos_app.core.backends.registry import build_backend
    from pos_app.core.sandbox.server import SandboxServer

    if spec.may_take is None:
        return
    server = SandboxServer(spec.sandbox()).start()
    try:
        sandbox = server.app.settings(server)
        bare = {k: v for k, v in sandbox.items() if not k.endswith("pattern")}
        for table in (sandbox, bare, {**bare, "pattern": r"(?i)x-(\d+)"},
                      {**bare, "pattern": " 12 "}, {**bare, "pattern": "("}):
            try:
                backend = build_backend(spec, table)
            except Exception:  # a pattern that is not a regex: the adapter refuses it
                assert spec.may_take(table, "12")
                continue
            try:
                for code in _codes_to_try():
                    if backend.claim(code):
                        assert spec.may_take(table, code.strip()), (table, code)
            finally:
                backend.close()
    finally:
        server.stop()


def test_a_required_key_missing_is_named(spec: ServiceSpec) -> None:
    from pos_app.core.backends.registry import build_backend
    from pos_app.core.errors import ConfigError

    for key in spec.required_keys:
        table = {k: "x" for k in spec.required_keys if k != key}
        with pytest.raises(ConfigError, match=rf"\[{spec.name}\] is missing {key}"):
            build_backend(spec, table)
