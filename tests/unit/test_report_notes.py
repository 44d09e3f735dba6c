"""The Qt-free notes API the notes pane uses: the notes and their history, evidence quotes and their links."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.report.notes import (
    EvidenceLink,
    evidence_url,
    parse_evidence_url,
    plain_links,
    quote_evidence,
)
from workbench.core.store import NotesStore


def test_quote_links_back_to_the_evidence() -> None:
    quote = quote_evidence("line one\nline [two]", source="Rollback/setupact.log", line=42, file_id=7,
                           ts=1_795_141_203_000_000)
    assert quote.startswith("> line one\n> line [two]\n>\n> — [Rollback/setupact.log:42 @ 2026-11-20T02:20:03Z](")
    url = quote.rsplit("(", 1)[1].split(")", 1)[0]
    assert parse_evidence_url(url) == EvidenceLink(file_id=7, line=42, ts=1_795_141_203_000_000)
    assert plain_links(quote).endswith("> — Rollback/setupact.log:42 @ 2026-11-20T02:20:03Z\n")


def test_evidence_url_round_trip_and_foreign_links() -> None:
    assert parse_evidence_url(evidence_url(EvidenceLink(ts=5))) == EvidenceLink(ts=5)
    assert parse_evidence_url("https://example.com/evidence?file=1") is None
    assert plain_links("[web](https://example.com) and [x](workbench:evidence?file=1)") == \
        "[web](https://example.com) and x"


def test_notes_and_their_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NotesStore, "VERSION_BURST_SECONDS", 0)  # every save its own version, for this test
    with NotesStore.open(tmp_path) as store:
        first = store.save("draft")
        store.save("draft, then more", first)
        second = store.save("another note")
        assert [(n.id, n.body) for n in store.notes()] == [(first, "draft, then more"), (second, "another note")]
        assert [v.body for v in store.versions(first)] == ["draft", "draft, then more"]
