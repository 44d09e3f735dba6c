"""Rows read a block at a time, the blocks a table model read lately kept, the least recently used dropped.

Every big table pane (timeline, event logs, a process's Procmon events) shows millions of rows through a model
that never holds them: Qt asks for the rows on screen, the model reads the block of :data:`BLOCK` rows around
them with one query. The cache here is what they share, so the paging rules (block size, how many blocks
stay, what a failed read shows) live once.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

#: Rows per block: one query fills a screen and the next pages of it.
BLOCK = 256

Row = tuple[Any, ...]
Block = list[Row | None]


class BlockCache:
    """The last ``limit`` blocks of a model, by block number."""

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self._blocks: OrderedDict[int, Block] = OrderedDict()

    def clear(self) -> None:
        self._blocks.clear()

    def __len__(self) -> int:
        return len(self._blocks)

    def forget(self, number: int) -> None:
        """Drop block ``number`` (rows were added to it since it was read)."""
        self._blocks.pop(number, None)

    def get(self, number: int, read: Callable[[int], Block]) -> Block:
        """Block ``number``, read with ``read(number)`` unless cached.

        A read the database refuses (the case was closed, or is being rebuilt under the view) gives blank rows
        now and is not cached, so the rows are read again the next time they are painted.
        """
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        try:
            block = read(number)
        except sqlite3.Error:
            return [None] * BLOCK
        self._blocks[number] = block
        while len(self._blocks) > self.limit:
            self._blocks.popitem(last=False)
        return block


def read_timeline_block(conn: sqlite3.Connection, select_sql: str, number: int, rows: int, first: int,
                        ids: Sequence[int] | None) -> Block:
    """Block ``number`` of a view over ``timeline`` (``select_sql`` aliases it ``t``; its first column is
    ``t.id``).

    Unfiltered, view row ``r`` is timeline id ``first + r`` (ids are positions in time), so a block is one
    range scan; filtered, the view's rows are the sorted ``ids`` and a block asks for its 256 of them.
    """
    block: Block = [None] * BLOCK
    first_row = number * BLOCK
    last_row = min(first_row + BLOCK, rows) - 1
    if last_row < first_row:
        return block
    if ids is None:
        lo = first + first_row
        for r in conn.execute(select_sql + " WHERE t.id BETWEEN ? AND ?", (lo, first + last_row)):
            block[r[0] - lo] = tuple(r)
    else:
        wanted = ids[first_row:last_row + 1]
        position = {row_id: n for n, row_id in enumerate(wanted)}
        sql = select_sql + f" WHERE t.id IN ({','.join('?' * len(wanted))})"
        for r in conn.execute(sql, list(wanted)):
            block[position[r[0]]] = tuple(r)
    return block
