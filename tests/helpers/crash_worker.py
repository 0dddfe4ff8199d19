"""Run random cashier operations in a loop until killed (``tests/test_crash.py``).

    python tests/helpers/crash_worker.py --config SETTINGS --seed N

Opens a :class:`Counter` from the settings (services in another process), resolves what an
earlier run left (as the app does at start), prints ``ready``, then one ``op ID STATE`` line per
operation, flushed, forever.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from pos_app.core.counter import Counter, RetryPolicy  # noqa: E402
from pos_app.core.errors import PosError  # noqa: E402
from pos_app.core.settings import load_settings  # noqa: E402


def _soak():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("pos_soak", REPO / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pos_soak"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    soak = _soak()
    rng = random.Random(args.seed)
    settings = load_settings(args.config)
    controls = {}
    for name in settings.configured:
        parts = urlsplit(str((settings.service(name) or {})["base_url"]))
        controls[name] = f"{parts.scheme}://{parts.netloc}/_sandbox/info"
    with Counter.open(settings) as counter, httpx.Client(timeout=5.0) as control:
        counter.retry = RetryPolicy(attempts=3, base_delay=0.02, max_delay=0.1, hold=1.0,
                                    poll=0.05,
                                    max_retry_after=0.1, settle=0.01)
        counter.recover()
        print("ready", flush=True)
        while True:
            service = rng.choice(sorted(controls))
            cards = control.get(controls[service]).json()["cards"]
            code = rng.choice(cards)["code"]
            try:
                card = counter.lookup(code)
                operation = soak.random_operation(
                    card, rng, whole=counter.backend(card.service).whole_amounts)
                if operation is None:
                    continue
                result = counter.apply(card, operation)
            except PosError:
                continue
            print(f"op {result.journal_id} {result.state.value}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
