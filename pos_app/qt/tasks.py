"""Run blocking core calls off the GUI thread and hand their results back to it.

A :class:`TaskRunner` runs plain callables on its own thread pool. Each call is a
:class:`Task`; its ``on_ok``/``on_error`` hooks run later on the GUI thread. A task can be
cancelled, and a new task on the same *channel* (``"lookup"``, ``"plan"``...) cancels the one
before it: the result of a cancelled task is dropped when it arrives, however late.

Failures reach ``on_error`` as :class:`~pos_app.core.errors.PosError` only: an unexpected
exception is logged with its traceback and replaced by :class:`AppFault`, whose text is plain.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from pos_app.core.errors import PosError
from pos_app.core.i18n import N_, _

log = logging.getLogger(__name__)


class AppFault(PosError):
    """An exception the app did not expect: a bug. Its details are in the log, not on screen."""

    default_hint = N_("Nothing was sent. The details are in the app's log file.")

    def __init__(self, message: str = "", hint: str | None = None) -> None:
        super().__init__(message or _("Something went wrong in the app."),
                         _(self.default_hint) if hint is None else hint)


@dataclass(eq=False)
class Task:
    """One call running (or waiting to run) on the pool."""

    id: int
    what: str
    channel: str | None
    on_ok: Callable[[Any], None] | None
    on_error: Callable[[PosError], None] | None
    #: Called with the result of a task that was cancelled (to release what it made).
    on_drop: Callable[[Any], None] | None = None
    cancelled: bool = False
    done: bool = False
    #: Set when the worker has finished (result delivered or not).
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return not (self.cancelled or self.done)


class _Relay(QObject):
    """Carries a worker's result to the GUI thread (queued connection)."""

    done = Signal(int, bool, object)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, task: Task, fn: Callable[..., Any],
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._relay, self._task, self._fn = relay, task, fn
        self._args, self._kwargs = args, kwargs

    def run(self) -> None:
        task = self._task
        ok, value = False, None
        try:
            if not task.cancelled:
                value = self._fn(*self._args, **self._kwargs)
                ok = True
        except PosError as exc:
            value = exc
        except Exception:
            if task.cancelled:
                log.debug("cancelled task %s ended with an exception", task.what, exc_info=True)
            else:
                log.exception("task %r failed unexpectedly", task.what)
            value = AppFault()
        finally:
            task.finished.set()
        try:
            self._relay.done.emit(task.id, ok, value)
        except RuntimeError:  # the runner is gone (the app is closing)
            log.debug("task %s finished after its runner was deleted", task.what)


class TaskRunner(QObject):
    """Runs callables on a thread pool; delivers results on the GUI thread unless cancelled."""

    #: Emitted with the number of tasks still running whenever a task starts or ends.
    running_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.pool.setExpiryTimeout(10_000)
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._tasks: dict[int, Task] = {}
        self._channels: dict[str, Task] = {}
        self._closed = False

    def run(self, fn: Callable[..., Any], *args: Any, what: str = "",
            on_ok: Callable[[Any], None] | None = None,
            on_error: Callable[[PosError], None] | None = None,
            on_drop: Callable[[Any], None] | None = None,
            channel: str | None = None, **kwargs: Any) -> Task:
        """Start ``fn(*args, **kwargs)`` on the pool; a task on the same channel is cancelled."""
        task = Task(next(self._ids), what or getattr(fn, "__name__", "task"), channel, on_ok,
                    on_error, on_drop)
        if self._closed:
            task.cancelled = True
            task.finished.set()
            return task
        if channel is not None:
            self.cancel(channel)
            self._channels[channel] = task
        self._tasks[task.id] = task
        self.pool.start(_Job(self._relay, task, fn, args, kwargs))
        self.running_changed.emit(len(self._tasks))
        return task

    def cancel(self, which: str | Task | None) -> bool:
        """Cancel a task, or the task on a channel; its result will be ignored.

        Returns whether something was running. The worker itself cannot be interrupted (a
        request in flight ends by its own timeout); only its result is dropped.
        """
        task = self._channels.get(which) if isinstance(which, str) else which
        if task is None or not task.active:
            return False
        task.cancelled = True
        if task.channel is not None and self._channels.get(task.channel) is task:
            del self._channels[task.channel]
        log.debug("task %s cancelled", task.what)
        return True

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            self.cancel(task)

    def busy(self, channel: str) -> bool:
        task = self._channels.get(channel)
        return task is not None and task.active

    def current(self, channel: str) -> Task | None:
        task = self._channels.get(channel)
        return task if task is not None and task.active else None

    @property
    def running(self) -> int:
        """Workers not yet finished, cancelled or not."""
        return len(self._tasks)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything, refuse new work and wait for the workers; ``True`` if all ended."""
        self._closed = True
        self.cancel_all()
        self.pool.clear()
        ended = self.pool.waitForDone(timeout_ms)
        if not ended:
            log.info("%d task(s) still running at shutdown", self.pool.activeThreadCount())
        # Results already queued are delivered now, so that on_drop hooks release them.
        QCoreApplication.sendPostedEvents(self)
        QCoreApplication.sendPostedEvents(self._relay)
        return ended

    @Slot(int, bool, object)
    def _deliver(self, task_id: int, ok: bool, value: object) -> None:
        task = self._tasks.pop(task_id, None)
        self.running_changed.emit(len(self._tasks))
        if task is None:
            return
        if task.channel is not None and self._channels.get(task.channel) is task:
            del self._channels[task.channel]
        if task.cancelled or self._closed:
            log.debug("dropped the result of cancelled task %s", task.what)
            if ok and task.on_drop is not None:
                try:
                    task.on_drop(value)
                except Exception:
                    log.exception("releasing the result of task %r failed", task.what)
            return
        task.done = True
        if ok:
            if task.on_ok is not None:
                task.on_ok(value)
        elif task.on_error is not None:
            assert isinstance(value, PosError)
            task.on_error(value)
