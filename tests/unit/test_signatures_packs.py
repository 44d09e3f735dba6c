"""The built-in packs on their samples, pack discovery, the CLI, and the real fixtures' expected findings."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.cli import main
from workbench.core.case import Case
from workbench.core.plugins import hookimpl
from workbench.core.plugins.manager import build_plugin_manager
from workbench.core.signatures.packs import builtin_pack_roots, discover, load_packs, user_pack_root
from workbench.core.signatures.testing import SampleRunner, test_signatures

BUILTIN = load_packs(builtin_pack_roots())
SIGNATURES = BUILTIN.ordered()


def test_builtin_packs_load_without_errors() -> None:
    assert BUILTIN.errors == []
    assert {p["name"] for p in BUILTIN.packs} >= {"setupdiag", "beyond-setupdiag"}
    assert len(SIGNATURES) >= 120
    ids = [s.id for s in SIGNATURES]
    assert len(ids) == len(set(ids))


def test_setupdiag_pack_covers_every_rule_once() -> None:
    rules = [s.setupdiag["rule"] for s in SIGNATURES if s.id.startswith("setupdiag.")]
    assert len(rules) == len(set(rules)) == 64
    guids = [s.setupdiag["guid"] for s in SIGNATURES if s.id.startswith("setupdiag.")]
    # the v1.7.0.0 doc gives DriverPackageMissingFileFailure the GUID of DeviceInstallHang; kept as documented
    assert len(set(guids)) == 63
    for s in SIGNATURES:
        assert s.remediation.get("en") and s.remediation.get("zh"), s.id
        assert s.samples_positive, s.id


@pytest.fixture(scope="module")
def runner() -> Iterator[SampleRunner]:
    with SampleRunner() as r:
        yield r


@pytest.mark.parametrize("sig", SIGNATURES, ids=[s.id for s in SIGNATURES])
def test_signature_fires_on_its_sample_and_not_on_the_others(sig, runner: SampleRunner) -> None:  # type: ignore[no-untyped-def]
    """Fires on its own positive sample(s), never on its negative one, and on no other signature's sample
    except those that declare it in ``samples.also_fires`` (checked from the other side by their own test)."""
    results = test_signatures([sig], runner, universe=SIGNATURES)
    bad = [f"{r.kind} {r.sample}: {r.message} (fired: {r.fired})" for r in results if not r.ok]
    assert not bad, bad
    for other in SIGNATURES:
        if other is sig or sig.id in other.also_fires:
            continue
        for sample in other.samples_positive:
            assert sig.id not in runner.fired(sample, SIGNATURES), f"fires on {other.id}'s sample"


def test_findings_land_in_the_store_through_ingest(tmp_path: Path) -> None:
    """The built-in plugin runs after ingest: findings with evidence, ranked, in the analysis JSON."""
    sample = next(s for s in SIGNATURES if s.id == "setupdiag.find_rollback_failure").samples_positive[0]
    case = Case.open(sample, home=tmp_path)
    case.ensure_ingested()
    from workbench.core.analysis import build_analysis

    findings = build_analysis(case.store)["findings"]
    # the rollback and the code's meaning restate the failure: told under it, with their evidence
    told = {x["id"]: (f, x) for f in findings for x in [f, *f.get("also", [])]}
    assert "setupdiag.find_rollback_failure" in told and "beyond.code_0xc1900101_0x30018" in told
    group, ours = told["setupdiag.find_rollback_failure"]
    assert ours["summary"] == "Rollback from FirstBoot: 0xC1900101 - 0x30018"
    assert any("Initiating rollback" in e["text"] for e in group["evidence"])
    assert all(e["file"].endswith("Rollback/setupact.log") for e in group["evidence"])
    meta = json.loads(case.store.get_meta("signature_scan") or "{}")
    assert meta["signatures"] == len(SIGNATURES) and meta["seconds"] < 1.0
    case.close()


# ------------------------------------------------------------------------------------------- discovery

BAD_SIG = "title: broken\nid: user.broken\nlevel: loud\n"


def make_pack(root: Path, sig_id: str, body_from: str = "beyond.user_cancelled") -> Path:
    """A user pack with one signature copied from a built-in (with its sample), under a new id."""
    src = next(s for s in SIGNATURES if s.id == body_from)
    pack = root / sig_id.split(".")[0]
    (pack / "signatures").mkdir(parents=True, exist_ok=True)
    text = src.path.read_text("utf-8").replace(f"id: {src.id}", f"id: {sig_id}")
    (pack / "signatures" / f"{sig_id.split('.')[1]}.yml").write_text(text, "utf-8")
    shutil.copytree(src.samples_positive[0], pack / "samples" / src.samples_positive[0].name, dirs_exist_ok=True)
    return pack


def test_discovery_order_user_folder_packs_and_hooks(tmp_path: Path, wb_home: Path) -> None:
    make_pack(user_pack_root(), "mine.cancel")
    extra = make_pack(tmp_path / "cli", "cli.cancel")

    class ThirdParty:
        @hookimpl
        def workbench_signature_packs(self) -> list[Path]:
            return [make_pack(tmp_path / "ep", "ep.cancel")]

    pm, _ = build_plugin_manager(entry_points=False, extra=(ThirdParty(),))
    found = discover(pm, extra=[extra])
    ids = list(found.signatures)
    assert found.errors == []
    assert ids.index("setupdiag.compat_scan_only") < ids.index("ep.cancel") < ids.index("mine.cancel") \
        < ids.index("cli.cancel")
    origins = {p["name"]: p["origin"] for p in found.packs}
    assert origins["setupdiag"] == "built-in" and origins["mine"] == "user" and origins["cli"] == "command line"
    assert origins["ep"].startswith("plugin")


def test_a_hook_that_raises_is_reported_and_the_rest_load() -> None:
    class Broken:
        @hookimpl
        def workbench_signature_packs(self) -> list[Path]:
            raise RuntimeError("boom")

    pm, _ = build_plugin_manager(entry_points=False, extra=(Broken(),))
    found = discover(pm)
    assert any("boom" in n for n in found.notes)
    assert "setupdiag.device_install_hang" in found.signatures


def test_user_python_loads_only_when_enabled(wb_home: Path) -> None:
    pack = user_pack_root() / "py"
    pack.mkdir(parents=True)
    marker = wb_home / "imported.txt"
    (pack / "plugin.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('yes')\n"
        "from workbench.core.plugins import hookimpl\n"
        "@hookimpl\n"
        "def workbench_signature_packs():\n"
        "    return []\n", "utf-8")
    discover()
    assert not marker.exists()
    (user_pack_root() / "enabled.txt").write_text("# packs whose Python may run\npy\n", "utf-8")
    found = discover()
    assert marker.exists()
    assert not any("py" in n and "failed" in n for n in found.notes)


# ------------------------------------------------------------------------------------------- CLI


def test_cli_list_show_validate_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["signatures", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} >= {s.id for s in SIGNATURES}
    dism = next(r for r in rows if r["id"] == "setupdiag.dism_image_session_failure")
    assert dism["setupdiag"] == {"rule": "DISMImageSessionFailure", "guid": "61B7886B-10CD-4C98-A299-B987CB24A11C"}

    assert main(["signatures", "show", "setupdiag.device_install_hang"]) == 0
    out = capsys.readouterr().out
    assert "FROM setupapi_sections WHERE" in out and "DeviceInstallHang" in out
    assert main(["signatures", "show", "no.such.id"]) == 2

    pack = make_pack(tmp_path / "packs", "third.cancel")
    assert main(["signatures", "validate", str(pack)]) == 0
    assert main(["signatures", "test", str(pack)]) == 0
    assert "1/1 sample checks passed" in capsys.readouterr().out

    (pack / "signatures" / "broken.yml").write_text(BAD_SIG, "utf-8")
    assert main(["signatures", "validate", str(pack)]) == 1
    out = capsys.readouterr().out
    assert f"{pack / 'signatures' / 'broken.yml'}:3: level 'loud' must be one of" in out
    assert "1 signatures valid, " in out


def test_cli_test_reports_a_signature_that_does_not_fire(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = make_pack(tmp_path / "packs", "third.cancel")
    sig = pack / "signatures" / "cancel.yml"
    sig.write_text(sig.read_text("utf-8").replace("0x800704D3|", "0x80070000|").replace(
        "0x800704C7|", "0x80070001|"), "utf-8")
    assert main(["signatures", "test", str(pack)]) == 1
    assert "did not fire on its positive sample" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------- real fixtures


@pytest.mark.fixtures
def test_baslr_rollback_names_the_hung_intel_chipset_inf(shared_fixtures: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "baslr" / "$WINDOWS.~BT" / "Sources" / "Rollback"
    (case_dir / "setupapi").mkdir(parents=True)
    shutil.copy(fixture_file(shared_fixtures, "setup/baslr_w10-logs__Rollback__setupact.log"), case_dir / "setupact.log")
    shutil.copy(fixture_file(shared_fixtures, "setup/baslr_w10-logs__Rollback__setupapi__setupapi.dev.log"),
                case_dir / "setupapi" / "setupapi.dev.log")
    case = Case.open(tmp_path / "baslr", home=tmp_path / "home")
    case.ensure_ingested()
    rows = {r["rule_id"]: r for r in case.store.query("SELECT * FROM findings")}
    hang = rows["setupdiag.device_install_hang"]
    assert "lynxpointsystem.inf" in hang["summary"] and "PCI\\VEN_8086&DEV_8C14" in hang["summary"]
    assert hang["severity"] == "critical"
    assert rows["setupdiag.find_rollback_failure"]["summary"] == "Rollback from FirstBoot: 0xC1900101 - 0x30018"
    assert "beyond.code_0xc1900101_0x30018" in rows
    case.close()


@pytest.mark.fixtures
def test_rickak77_log_gives_a_dism_image_session_failure(shared_fixtures: Path, tmp_path: Path) -> None:
    log = fixture_file(shared_fixtures, "setup/rickaK77_Setup-Log__setupact.log")
    case = Case.open(log, home=tmp_path)
    case.ensure_ingested()
    rows = {r["rule_id"]: r for r in case.store.query("SELECT * FROM findings")}
    assert "setupdiag.dism_image_session_failure" in rows
    # the SP failure nearest the DISM errors carries their own code; the 0x800700B7 retries come after it
    assert "0x80040154" in rows["setupdiag.dism_image_session_failure"]["summary"]
    assert rows["setupdiag.find_setup_host_reported_failure"]["summary"] == "SetupHost reported 0x80070032 - 0x50013"
    ev = case.store.query("SELECT line FROM evidence WHERE finding_id = ?",
                          (rows["setupdiag.dism_image_session_failure"]["id"],))
    assert {3101, 3127} <= {e["line"] for e in ev}
    case.close()


@pytest.mark.fixtures
def test_copyleft21_cancel_is_not_reported_as_a_failure(shared_fixtures: Path, tmp_path: Path) -> None:
    log = fixture_file(shared_fixtures, "setup/copyleft21_samsung__setupact.log")
    case = Case.open(log, home=tmp_path)
    case.ensure_ingested()
    ids = {r["rule_id"] for r in case.store.query("SELECT rule_id FROM findings")}
    assert "beyond.user_cancelled" in ids
    assert not ids & {"setupdiag.find_setup_host_reported_failure", "setupdiag.find_early_downlevel_error"}
    case.close()


def test_the_worked_example_in_the_docs_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/signatures.md's example, extracted as written: it validates, fires on its sample, and the mistake
    the page shows is reported with the line the page gives."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "signatures.md").read_text("utf-8")
    blocks = re.findall(r"```(\w*)\n(.*?)```", doc, re.S)
    yml = next(b for lang, b in blocks if lang == "yaml")
    act = next(b for lang, b in blocks if lang == "" and b.startswith("2024-03-12 11:20:02"))
    api = next(b for lang, b in blocks if lang == "" and b.startswith("[Device Install Log]"))
    pack = tmp_path / "my-pack"
    (pack / "signatures").mkdir(parents=True)
    sig = pack / "signatures" / "lwfmgr_ndis_filter_rollback.yml"
    sig.write_text(yml, "utf-8")
    rollback = pack / "samples" / "lwfmgr_ndis_filter_rollback" / "$WINDOWS.~BT" / "Sources" / "Rollback"
    (rollback / "setupapi").mkdir(parents=True)
    (rollback / "setupact.log").write_text(act, "utf-8")
    (rollback / "setupapi" / "setupapi.dev.log").write_bytes(api.encode("cp1252"))
    assert main(["signatures", "test", str(pack)]) == 0
    with SampleRunner() as runner:
        loaded = load_packs([pack]).ordered()
        case_hits = runner.fired(loaded[0].samples_positive[0], SIGNATURES + loaded)
    assert "mypack.lwfmgr_ndis_filter_rollback" in case_hits
    sig.write_text(yml.replace("filter_failed and boot_failed within", "filter_failed and boot_fail within"), "utf-8")
    capsys.readouterr()
    assert main(["signatures", "validate", str(pack)]) == 1
    line = re.search(r"lwfmgr_ndis_filter_rollback\.yml:(\d+): condition", doc)
    assert line is not None
    assert f"{sig}:{line.group(1)}: condition: the condition names 'boot_fail'" in capsys.readouterr().out
