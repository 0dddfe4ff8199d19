"""The command line: ``pos-app``."""

import gc
import sys


def _started_as_pos_app() -> bool:
    """Whether this process is ``pos-app``: the installed command, the frozen app, or
    ``python -m pos_app.cli.main`` (while that starts, ``sys.argv[0]`` is ``-m``)."""
    if getattr(sys, "frozen", False):
        return True
    first = sys.argv[0] if sys.argv else ""
    if first.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe") == "pos-app":
        return True
    return first == "-m" and "pos_app.cli.main" in getattr(sys, "orig_argv", ())


if _started_as_pos_app():
    # No collection passes while the command's modules load: main() turns the collector back
    # on for the commands that keep running, and leaves a short one's garbage to its exit.
    gc.disable()
