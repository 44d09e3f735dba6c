"""Issue 6 follow-ups: one evidence row per line, the analyzer's cancel and device texts, event-log signatures
(samples given as rows, and the real EVTX fixtures), and ``workbench analyze --packs DIR``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.cli import main
from workbench.core.case import Case
from workbench.core.signatures.engine import Row, dedupe_evidence
from workbench.core.signatures.loader import load_signature
from workbench.core.signatures.packs import builtin_pack_roots, load_packs
from workbench.core.signatures.rowsample import RowsSampleError, load_rows_sample
from workbench.core.signatures.testing import SampleRunner, test_signatures
from workbench.core.upgrade.analyzer import unfinished_device_text

SIGNATURES = load_packs(builtin_pack_roots()).ordered()
EVTX_IDS = ("beyond.unexpected_shutdown_during_upgrade", "beyond.wer_setup_failure_report",
            "beyond.boot_driver_not_loaded")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    from workbench.demo import write_demo_case

    root = tmp_path_factory.mktemp("demo")
    case = Case.open(write_demo_case(root / "demo-case.zip"), home=root / "home")
    case.ensure_ingested()
    yield case
    case.close()


# ------------------------------------------------------------------------------------------- evidence


def test_evidence_keeps_one_row_per_line_preferring_the_log_line() -> None:
    line = Row(("timeline", 7), 200, 3, 31, "Reporting post reboot event", {})
    fact = Row(("facts", 2), 200, 3, 31, "upgrade.result_code = 0xC1900101", {})
    earlier = Row(("timeline", 5), 100, 3, 29, "earlier", {})
    file_row = Row(("files", 1), None, 4, None, "a dump", {})
    out = dedupe_evidence([fact, line, file_row, earlier, line, file_row])
    assert out == [earlier, line, file_row]
    assert out[1].text == "Reporting post reboot event"


def test_demo_findings_list_each_evidence_line_once_in_time_order(demo: Case) -> None:
    rows = demo.store.query("SELECT f.rule_id, e.file_id, e.line, e.ts FROM evidence e JOIN findings f "
                            "ON f.id = e.finding_id WHERE f.data LIKE '%\"signature\"%' ORDER BY e.id")
    by_rule: dict[str, list[tuple]] = {}
    for r in rows:
        by_rule.setdefault(r["rule_id"], []).append((r["file_id"], r["line"], r["ts"]))
    code = by_rule["beyond.code_0xc1900101_0x40017"]
    assert [(f, n) for f, n, _ in code].count((code[0][0], 31)) == 1
    for rule, ev in by_rule.items():
        lines = [(f, n) for f, n, _ in ev if n is not None]
        assert len(lines) == len(set(lines)), rule
        times = [t for *_, t in ev if t is not None]
        assert times == sorted(times), rule


# ------------------------------------------------------------------------------------------- analyzer


def test_unfinished_device_text_never_shows_none() -> None:
    inf = r"C:\WINDOWS\System32\DriverStore\FileRepository\lwfmgr.inf_amd64_5f7e21c0\lwfmgr.inf"
    assert unfinished_device_text({"device": inf, "description": None, "inf": None}) == inf
    assert unfinished_device_text({"device": "PCI\\VEN_8086&DEV_8C14", "description": "Intel(R) LPC",
                                   "inf_original": "lynxpointsystem.inf"}) == \
        "PCI\\VEN_8086&DEV_8C14 (Intel(R) LPC, lynxpointsystem.inf)"
    assert unfinished_device_text({"title": "Device Install (Hardware initiated)"}) == \
        "Device Install (Hardware initiated)"


def test_demo_failure_names_the_inf_without_none(demo: Case) -> None:
    row = demo.store.query("SELECT summary, severity FROM findings WHERE rule_id = 'upgrade.failure'")[0]
    assert "lwfmgr.inf" in row["summary"] and "None" not in row["summary"] and row["severity"] == "critical"


def _cancel_case(tmp_path: Path, code: str) -> Case:
    lines = [
        "2024-05-01 09:00:00, Info                  MOUPG  SetupHost::Initialize: CmdLine = [/Install /Media]",
        f"2024-05-01 09:10:00, Error                 MOUPG  SetupHost: Reporting error event -> [{code}, 0x20018]",
    ]
    path = tmp_path / "$Windows.~WS" / "Sources" / "Panther" / "setupact.log"
    path.parent.mkdir(parents=True)
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    case = Case.open(tmp_path / "$Windows.~WS", home=tmp_path / "home")
    case.ensure_ingested()
    return case


@pytest.mark.parametrize("code", ["0x800704D3", "0x800704C7"])
def test_a_user_cancel_is_a_low_cancel_not_an_upgrade_failure(tmp_path: Path, code: str) -> None:
    case = _cancel_case(tmp_path, code)
    rows = {r["rule_id"]: r for r in case.store.query("SELECT * FROM findings")}
    assert "upgrade.failure" not in rows
    assert rows["upgrade.cancelled"]["severity"] == "low"
    assert rows["upgrade.cancelled"]["title"].startswith("Upgrade cancelled (not a failure): " + code)
    case.close()


def test_a_real_failure_code_is_still_an_upgrade_failure(tmp_path: Path) -> None:
    case = _cancel_case(tmp_path, "0x80070070")
    rows = {r["rule_id"]: r for r in case.store.query("SELECT * FROM findings")}
    assert rows["upgrade.failure"]["severity"] == "critical" and "upgrade.cancelled" not in rows
    case.close()


@pytest.mark.fixtures
def test_copyleft21_media_creation_tool_cancel_is_reported_as_a_cancel(shared_fixtures: Path,
                                                                       tmp_path: Path) -> None:
    root = tmp_path / "case" / "$Windows.~WS" / "Sources" / "Panther"
    root.mkdir(parents=True)
    for name in ("setupact.log", "setuperr.log"):
        shutil.copy(fixture_file(shared_fixtures, f"setup/copyleft21_samsung__{name}"), root / name)
    case = Case.open(tmp_path / "case", home=tmp_path / "home")
    case.ensure_ingested()
    rows = {r["rule_id"]: r for r in case.store.query("SELECT * FROM findings")}
    assert "upgrade.failure" not in rows
    assert rows["upgrade.cancelled"]["severity"] == "low" and "0x800704C7" in rows["upgrade.cancelled"]["title"]
    assert not any(r["title"].startswith("Upgrade failed") for r in rows.values())
    case.close()


# ------------------------------------------------------------------------------------------- rows samples


def test_rows_sample_mistakes_are_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.rows.yaml"
    bad.write_text("files:\n  - path: System.evtx\n    evtx_records: {line: 1}\n", "utf-8")
    with pytest.raises(RowsSampleError, match=r"x\.rows\.yaml:3: 'evtx_records' must be a list"):
        load_rows_sample(bad)
    bad.write_text("files: []\n", "utf-8")
    with pytest.raises(RowsSampleError, match="'files:'"):
        load_rows_sample(bad)
    # validate reports it against the signature that names the sample
    pack = tmp_path / "pack"
    (pack / "signatures").mkdir(parents=True)
    (pack / "samples").mkdir()
    (pack / "samples" / "s.rows.yaml").write_text("filez: []\n", "utf-8")
    src = next(s for s in SIGNATURES if s.id == "beyond.wer_setup_failure_report").path.read_text("utf-8")
    sig = pack / "signatures" / "w.yml"
    sig.write_text(src.replace("samples/wer_setup_failure_report.rows.yaml", "samples/s.rows.yaml"), "utf-8")
    loaded, errors = load_signature(sig)
    assert loaded is None and any("s.rows.yaml" in e.message and "'files:'" in e.message for e in errors)


def test_rows_sample_for_an_unknown_table_fails_the_test(tmp_path: Path) -> None:
    sample = tmp_path / "pack" / "samples" / "u.rows.yaml"
    sample.parent.mkdir(parents=True)
    sample.write_text("files:\n  - path: a.log\n    no_such_table:\n      - {line: 1, x: 2}\n", "utf-8")
    with SampleRunner(tmp_path / "home") as runner, pytest.raises(RowsSampleError, match="no_such_table"):
        runner.fired(sample, SIGNATURES)


@pytest.fixture(scope="module")
def runner() -> Iterator[SampleRunner]:
    with SampleRunner() as r:
        yield r


@pytest.mark.parametrize("sig_id", EVTX_IDS)
def test_event_log_signatures_fire_on_their_row_samples(sig_id: str, runner: SampleRunner) -> None:
    sig = next(s for s in SIGNATURES if s.id == sig_id)
    assert all(p.name.endswith(".rows.yaml") for p in sig.samples_positive)
    results = test_signatures([sig], runner, universe=SIGNATURES)
    assert results and all(r.ok for r in results), [(r.kind, r.message, r.fired) for r in results]


def test_row_sample_goes_through_the_real_store_like_the_evtx_parser(runner: SampleRunner) -> None:
    """The WER record of the sample gives the timeline row and the upgrade facts the evtx parser would."""
    sig = next(s for s in SIGNATURES if s.id == "beyond.wer_setup_failure_report")
    runner.fired(sig.samples_positive[0], SIGNATURES)
    store = runner._cases[sig.samples_positive[0]].store  # type: ignore[attr-defined]
    msg = store.scalar("SELECT message FROM timeline WHERE source = 'evtx' AND line = 90412")
    assert msg.startswith("Application 1001: Windows Setup result (WinSetupDiag02): Failure 0x80070070 - 0x2000C")
    assert store.fact("upgrade.result_code")["value"] == "0x80070070"
    finding = store.query("SELECT summary FROM findings WHERE rule_id = 'upgrade.failure'")[0]
    assert "0x80070070 - 0x2000C" in finding["summary"]
    # the success report two days earlier is in the store but is not a failure report
    assert store.scalar("SELECT count(*) FROM evtx_records WHERE event_id = 1001") == 2


# ------------------------------------------------------------------------------------------- real EVTX


def _evtx_case(tmp_path: Path, shared: Path, evtx: str, setup_times: list[str]) -> Case:
    """A real System log beside a setupact.log the test writes at ``setup_times`` (UTC, the case clock)."""
    root = tmp_path / "case"
    logs = root / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    shutil.copy(fixture_file(shared, evtx), logs / "System.evtx")
    act = root / "$WINDOWS.~BT" / "Sources" / "Panther" / "setupact.log"
    act.parent.mkdir(parents=True)
    act.write_text("".join(f"{t}, Info                  MOUPG  SetupHost: Reporting progress: Percent = {n}\r\n"
                           for n, t in enumerate(setup_times)), "utf-8")
    case = Case.open(root, home=tmp_path / "home")
    case.store.set_meta("time_zone_user", "UTC")
    case.ensure_ingested()
    return case


def _findings(case: Case) -> dict[str, dict]:
    return {r["rule_id"]: dict(r) for r in case.store.query("SELECT * FROM findings")}


@pytest.mark.fixtures
def test_plaso_kernel_power_41_during_setup_is_a_power_loss(shared_fixtures: Path, tmp_path: Path) -> None:
    # plaso System.evtx record 325: Kernel-Power 41 at 2015-08-08 18:08:30 UTC (expected.json)
    case = _evtx_case(tmp_path, shared_fixtures, "evtx/plaso/System.evtx",
                      ["2015-08-08 17:40:00", "2015-08-08 18:20:00"])
    found = _findings(case)
    hit = found["beyond.unexpected_shutdown_during_upgrade"]
    assert hit["severity"] == "high" and "System 41: The system rebooted without cleanly" in hit["summary"]
    lines = {r["line"] for r in case.store.query("SELECT line FROM evidence WHERE finding_id = ?", (hit["id"],))}
    assert 325 in lines and 1046 not in lines  # the later 41 (2015-08-25) is outside the setup window
    case.close()


@pytest.mark.fixtures
def test_plaso_kernel_power_41_outside_setup_is_not_blamed(shared_fixtures: Path, tmp_path: Path) -> None:
    case = _evtx_case(tmp_path, shared_fixtures, "evtx/plaso/System.evtx", ["2015-09-30 10:00:00"])
    assert "beyond.unexpected_shutdown_during_upgrade" not in _findings(case)
    case.close()


@pytest.mark.fixtures
def test_scm_7026_and_7000_from_a_real_system_log(shared_fixtures: Path, tmp_path: Path) -> None:
    # omerbenamram system.evtx: 7000 CldFlt at 2017-07-12 17:16:28 UTC, 7026 "CSC, dam" a second later
    case = _evtx_case(tmp_path, shared_fixtures, "evtx/omerbenamram-evtx/system.evtx",
                      ["2017-07-12 17:00:00", "2017-07-12 17:30:00"])
    hit = _findings(case)["beyond.boot_driver_not_loaded"]
    assert "did not load" in hit["summary"] and "dam" in hit["summary"]
    case.close()


@pytest.mark.fixtures
def test_wer_1001_that_is_not_a_setup_report_does_not_fire(shared_fixtures: Path, tmp_path: Path) -> None:
    """deepbluecli's Application log has 44 WER 1001 events (WindowsUpdateFailure, ...), none WinSetupDiag."""
    src = fixture_file(shared_fixtures, "evtx/deepbluecli-gpl3/many-events-application.evtx")
    case = Case.open(src, home=tmp_path / "home")
    case.ensure_ingested()
    assert case.store.scalar("SELECT count(*) FROM evtx_records WHERE event_id = 1001") > 0
    assert not set(EVTX_IDS) & set(_findings(case))
    case.close()


# ------------------------------------------------------------------------------------------- --packs


def test_analyze_packs_adds_a_pack_and_a_later_run_drops_it(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    src = next(s for s in SIGNATURES if s.id == "beyond.user_cancelled")
    pack = tmp_path / "mypack"
    (pack / "signatures").mkdir(parents=True)
    (pack / "signatures" / "again.yml").write_text(
        src.path.read_text("utf-8").replace("id: beyond.user_cancelled", "id: mine.cancel_again")
        .replace("samples/user_cancelled", "samples/s"), "utf-8")
    shutil.copytree(src.samples_positive[0], pack / "samples" / "s")
    case_dir = src.samples_positive[0]

    def ids(args: list[str]) -> set[str]:
        capsys.readouterr()
        main(["analyze", str(case_dir), "--json", "-q", *args])
        # every finding, also those told under another one of the same cause
        return {x["id"] for f in json.loads(capsys.readouterr().out)["findings"] for x in [f, *f.get("also", [])]}

    plain = ids([])
    assert "beyond.user_cancelled" in plain and "mine.cancel_again" not in plain
    with_pack = ids(["--packs", str(pack)])
    assert with_pack == plain | {"mine.cancel_again"}
    assert ids([]) == plain
    assert main(["analyze", str(case_dir), "--packs", str(tmp_path / "missing")]) == 2
