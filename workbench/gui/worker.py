"""Opening and ingesting a case off the GUI thread.

Hashing a multi-GB archive and ingesting it take minutes; the window must keep painting and the user must
be able to cancel. :class:`IngestWorker` runs :meth:`Case.open` and :meth:`Case.ensure_ingested` in a
``QThread`` with the core's own ``progress``/``cancel`` callbacks and reports back through queued signals.
The worker's store connection never leaves its thread: the GUI opens its own read-only connection to the
database when :attr:`IngestWorker.finished` arrives (SQLite WAL lets both coexist).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from workbench.core.errors import IngestCancelled, PasswordRequired, UserActionRequired, WrongPassword
from workbench.core.ingest import Progress


@dataclass(frozen=True)
class IngestOutcome:
    """What came of opening a case: the database to read, and whether (and why) it stopped early."""

    source: Path
    database: Path | None
    ingested: bool  # False: the store was already complete, nothing ran (an instant reopen)
    error: str | None = None  # one sentence, when the ingest stopped
    error_kind: str | None = None  # 'password', 'wrong_password', 'cancelled', 'user', 'failed'


class IngestWorker(QObject):
    """Lives in a worker thread; :meth:`run` opens and ingests one case, emitting progress as it goes."""

    progress = Signal(object)  # workbench.core.ingest.Progress (stage, files, bytes, ETA, rows so far)
    stageFinished = Signal(str)  # a stage ended: panes may refresh what that stage wrote
    opened = Signal(object)  # Path of the case database, as soon as it exists (before the ingest)
    finished = Signal(object)  # IngestOutcome

    def __init__(self, source: Path, password: str | None = None, zone: str | None = None) -> None:
        super().__init__()
        self.source = source
        self.password = password
        # zone: the user's choice of case time zone ("" = let the sources decide again); None = no change.
        # A change re-runs the ingest so every row, fact and finding is on the new clock.
        self.zone = zone
        self._cancel = threading.Event()
        self._stage = ""
        self._last_emit = 0.0

    def cancel(self) -> None:
        """Ask the ingest to stop at its next check; callable from any thread."""
        self._cancel.set()

    def _on_progress(self, p: Progress) -> None:
        stage = p.stage
        if stage != self._stage:
            if self._stage:
                self.stageFinished.emit(self._stage)
            self._stage = stage
            self._last_emit = 0.0  # the first report of a stage always goes through
        now = time.monotonic()
        # Throttle: the pipeline reports per member; 20 updates a second are plenty for a progress bar.
        if now - self._last_emit >= 0.05 or p.done >= p.total:
            self._last_emit = now
            self.progress.emit(p)

    @Slot()
    def run(self) -> None:
        from workbench.core.case import Case

        database: Path | None = None
        case = None
        try:
            self.progress.emit(Progress("open", 0, 0, str(self.source)))
            case = Case.open(self.source, password=self.password)
            database = case.store.path
            self.opened.emit(database)
            rezone = False
            if self.zone is not None:
                from workbench.core.clock_case import set_user_zone

                rezone = set_user_zone(case.store, self.zone)  # a new clock: every time is read again
            ran = case.ensure_ingested(progress=self._on_progress, cancel=self._cancel.is_set, force=rezone)
            outcome = IngestOutcome(self.source, database, ran)
        except WrongPassword as exc:
            outcome = IngestOutcome(self.source, database, True, str(exc), "wrong_password")
        except PasswordRequired as exc:
            outcome = IngestOutcome(self.source, database, True, str(exc), "password")
        except IngestCancelled:
            outcome = IngestOutcome(self.source, database, True, "The ingest was cancelled.", "cancelled")
        except UserActionRequired as exc:
            outcome = IngestOutcome(self.source, database, True, str(exc), "user")
        except Exception as exc:  # a bug or a hostile file: say what failed, show what was read
            outcome = IngestOutcome(self.source, database, True, f"{type(exc).__name__}: {exc}", "failed")
        finally:
            if case is not None:
                case.close()
        if self._stage:
            self.stageFinished.emit(self._stage)
        self.finished.emit(outcome)


class IngestJob(QObject):
    """A worker and its thread, started together and cleaned up together.

    The job lives on the GUI thread; :attr:`done` re-emits the worker's outcome there (a slot of an object
    living on the GUI thread is what makes Qt queue the call, a bare lambda would run in the worker thread).
    """

    done = Signal(object, object)  # (IngestJob, IngestOutcome)

    def __init__(self, source: Path, password: str | None = None, parent: QObject | None = None,
                 zone: str | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("ingest")
        self.worker = IngestWorker(source, password, zone)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)
        self.worker.finished.connect(self._relay)

    @Slot(object)
    def _relay(self, outcome: object) -> None:
        self.done.emit(self, outcome)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def wait(self, ms: int = 30000) -> bool:
        """Block until the thread ends (used on close: a running ingest is cancelled, then joined)."""
        return self.thread.wait(ms)
