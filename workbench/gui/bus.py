"""The bus every pane listens to: one time cursor, one selected range, one selection — one moment.

Panes never call each other. A pane that wants the others to move sets a value here; every pane that cares
is connected to the signal and moves itself. The cursor and the range ignore a value equal to the current
one, so a pane that reacts to a change by setting the same value again does not start an echo loop (glue's
hub, napari's evented models: the same idea with a few Qt signals instead of a framework).

A selection is different: every pick is published (``momentChanged``), even of the same time as before,
because the user who clicks a finding at the cursor's time expects the other panes to show that finding's
row, not to stay on an older row of the same second. Panes answer a moment and never publish in answer
(the ``origin`` of a selection says which pane made it), which is what keeps this from echoing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Selection:
    """What the user picked: a timeline row (``row_id``), a source line (``file_id`` + ``line``), a finding.

    ``origin`` names the pane that set it, so that pane can skip re-selecting what it just selected.
    Any field may be ``None``; ``ts`` is UTC microseconds.
    """

    kind: str
    ts: int | None = None
    row_id: int | None = None
    file_id: int | None = None
    line: int | None = None
    finding_id: int | None = None
    origin: str = ""


class CursorBus(QObject):
    """The shared time cursor (UTC µs), the selected time range and the current selection of a case."""

    cursorChanged = Signal(object)  # int | None, UTC µs
    #: The one signal panes answer: a Selection for every pick (also of an unchanged time), and a "time"
    #: Selection when only the cursor moved (the strip, Go to time). Each pane shows the row of that moment
    #: in its own source, or the nearest one, or says it has nothing then.
    momentChanged = Signal(object)  # Selection
    rangeChanged = Signal(object)  # tuple[int, int] | None, UTC µs, inclusive
    selectionChanged = Signal(object)  # Selection | None
    #: "Add to notes" from any pane: a dict with ``text`` and any of ``source``, ``file_id``, ``line``, ``ts``,
    #: ``row_id`` (see :meth:`add_to_notes`); the notes pane quotes it, so panes never need to know that pane.
    addToNotes = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cursor: int | None = None
        self._range: tuple[int, int] | None = None
        self._selection: Selection | None = None

    @property
    def cursor(self) -> int | None:
        return self._cursor

    @property
    def range(self) -> tuple[int, int] | None:
        return self._range

    @property
    def selection(self) -> Selection | None:
        return self._selection

    def set_cursor(self, ts: int | None, origin: str = "") -> None:
        """Move the time cursor to a moment with no particular row (a click on the strip, Go to time): the
        selection becomes that moment and panes show their row nearest it. Equal values are ignored."""
        ts = None if ts is None else int(ts)
        if ts == self._cursor:
            return
        self._cursor = ts
        self.cursorChanged.emit(ts)
        if ts is not None:
            moment = Selection("time", ts=ts, origin=origin)
            self._selection = moment
            self.selectionChanged.emit(moment)
            self.momentChanged.emit(moment)

    def set_range(self, span: tuple[int, int] | None) -> None:
        """Select a time range (start, end) in UTC µs, ordered; ``None`` clears it."""
        if span is not None:
            lo, hi = int(span[0]), int(span[1])
            span = (lo, hi) if lo <= hi else (hi, lo)
        if span == self._range:
            return
        self._range = span
        self.rangeChanged.emit(span)

    def select(self, selection: Selection | None) -> None:
        """Publish a pick: the selection, the cursor at its time, then the moment — always, even when the
        same as before (see the module docstring)."""
        self._selection = selection
        self.selectionChanged.emit(selection)
        if selection is not None and selection.ts is not None and selection.ts != self._cursor:
            self._cursor = int(selection.ts)
            self.cursorChanged.emit(self._cursor)
        if selection is not None:
            self.momentChanged.emit(selection)

    def add_to_notes(self, evidence: dict) -> None:
        """Ask for ``evidence`` to be quoted in the notes. Not stored on the bus: it is a request, not state,
        so the same line may be added twice on purpose."""
        self.addToNotes.emit(dict(evidence))

    def clear(self) -> None:
        """Forget everything (a new case was opened)."""
        self.select(None)
        self.set_range(None)
        self.set_cursor(None)
