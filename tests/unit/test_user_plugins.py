"""Python plugins in the user folder: loaded only when enabled, and then every hook takes part."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.archives import make_zip, setupact_bytes
from workbench.core.case import Case
from workbench.core.signatures.packs import user_pack_root

PLUGIN = textwrap.dedent(
    '''
    from workbench.core.plugins import hookimpl


    class AgentLogParser:
        name = "agentlog"
        kinds = frozenset({"agentlog"})
        tables = {}
        version = 1

        def parse(self, file, mediator):
            for n, line in enumerate(file.location.read_text("utf-8").splitlines(), 1):
                mediator.event(line=n, message=line, level="info", utc=1_700_000_000_000_000 + n)


    @hookimpl(tryfirst=True)
    def workbench_identify(name, head):
        return "agentlog" if name.endswith(".agentlog") else None


    @hookimpl
    def workbench_parsers():
        return [AgentLogParser()]
    '''
)


def _case(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "c.zip", {"Rollback/setupact.log": setupact_bytes(),
                                         "vendor/agent.agentlog": b"hooked Setup\nreleased Setup\n"})


def test_a_user_plugin_runs_only_when_enabled(tmp_path: Path, wb_home: Path) -> None:
    root = user_pack_root(wb_home)
    (root / "vendor-agent").mkdir(parents=True)
    (root / "vendor-agent" / "plugin.py").write_text(PLUGIN, "utf-8")
    src = _case(tmp_path)
    case = Case.open(src)
    case.ensure_ingested()
    assert case.store.scalar("SELECT count(*) FROM timeline WHERE source = 'agentlog'") == 0

    (root / "enabled.txt").write_text("# vendor parsers\nvendor-agent\n", "utf-8")
    case.ensure_ingested(force=True)
    rows = case.store.query("SELECT message FROM timeline WHERE source = 'agentlog' ORDER BY line")
    assert [r["message"] for r in rows] == ["hooked Setup", "released Setup"]


def test_a_broken_user_plugin_is_reported_and_the_rest_loads(tmp_path: Path, wb_home: Path) -> None:
    from workbench.core.plugins.manager import build_plugin_manager

    root = user_pack_root(wb_home)
    (root / "broken").mkdir(parents=True)
    (root / "broken" / "plugin.py").write_text("raise RuntimeError('half-written plugin')\n", "utf-8")
    (root / "enabled.txt").write_text("broken\nmissing\n", "utf-8")
    pm, report = build_plugin_manager(entry_points=False)
    errors = " ".join(error for _, error in report.failed)
    assert "half-written plugin" in errors and "'missing'" in errors
    assert "workbench.core.parsers.setupact" in report.loaded
