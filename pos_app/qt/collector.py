"""Python's cyclic garbage collection, run on the GUI thread only.

The collector normally runs in whichever thread happens to allocate; when that is a worker
thread and the garbage holds Qt objects, their C++ side is destroyed off the GUI thread and
the app crashes. While the window is open, automatic collection is off and a timer on the GUI
thread collects with the same thresholds instead (the approach pyqtgraph takes).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Disable automatic GC and collect from a GUI-thread timer until :meth:`stop`."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        self.stopped = False

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        l0, l1, l2 = gc.get_count()
        if l0 > self.threshold[0]:
            gc.collect(0)
            if l1 > self.threshold[1]:
                gc.collect(1)
                if l2 > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        """Collect everything now (on this thread) and give collection back to Python."""
        if self.stopped:
            return
        self.stopped = True
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
