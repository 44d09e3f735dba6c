"""Several machines of one customer side by side (issue 17), on customer cases built here.

The brief's customer: machine A (a bug check at the second boot, the endpoint agent's NDIS filter on the
stack), machine B (SetupHost dying in the down-level phase after the data-protection agent's DLL was
injected), both with the endpoint agent in their NFO; machine C upgraded fine without it. The shared agent
must come out as the suspect common to the failures, first. Then: two uploads of one machine told as one and
the later marked newer, the JSON checked against its schema, the customer case file (relative paths, a member
found by its SHA-256, read-only folders, a broken file), the summary in both languages, and the command line.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import stat
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.unit import customercase as cc
from tests.unit.schema_check import errors
from tests.unit.test_verdict import NOW, english_sentences
from workbench.cli import main
from workbench.core.case import source_digest
from workbench.core.customer import CustomerCase, build_comparison, load_machines
from workbench.core.customer.case_file import CUSTOMER_SUFFIX, create_or_update
from workbench.core.customer.summary import export_combined_summary, prepared_combined_summary
from workbench.core.errors import UserActionRequired
from workbench.core.store import NotesStore

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "workbench.compare-1.schema.json"


def _customer(paths: list[Path], **kw: Any) -> CustomerCase:
    customer = create_or_update([(p, source_digest(p)) for p in paths], **kw)
    customer.save()
    return customer


def _compare(paths: list[Path], **kw: Any) -> tuple[CustomerCase, list[Any], dict[str, Any]]:
    customer = _customer(paths, **kw)
    machines = load_machines(customer)
    return customer, machines, build_comparison(machines, customer)


@pytest.fixture()
def brief(tmp_path: Path) -> tuple[CustomerCase, list[Any], dict[str, Any]]:
    return _compare([cc.machine_a(tmp_path), cc.machine_b(tmp_path), cc.machine_c(tmp_path)], name="某银行")


def _by_key(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in c["machines"]}


def test_the_shared_agent_is_the_suspect_common_to_the_failures(brief: Any) -> None:
    _customer, _machines, c = brief
    m = _by_key(c)
    assert [m[k]["outcome"] for k in "ABC"] == ["failing", "failing", "succeeding"]
    assert (m["A"]["phase"], m["B"]["phase"]) == ("OOBE_BOOT", "DOWNLEVEL")  # different phases
    assert m["A"]["culprit"]["module"] == "lwfmgr.sys" and m["B"]["culprit"]["module"] == "Hook64.dll"
    assert m["A"]["code"] == "0xC1900101 - 0x40017" and m["B"]["code"] is None
    assert m["A"]["computer"] == "PC-0042" and m["B"]["build_from"] == "17763" and m["B"]["build_to"] == "19041"
    assert m["A"]["failure_time"] and m["A"]["collected"] and m["C"]["failure_time"] is None
    suspects = c["common_suspects"]
    assert len(suspects) == 1
    top = suspects[0]
    # the endpoint agent: its driver (NFO on both, the dump on A) and its service, aligned as one product
    assert {"lwfmgr.sys", "LwfMgrSvc"} <= set(top["modules"])
    assert top["vendor"] == "Fabrikam Endpoint Ltd."
    assert top["failing"] == ["A", "B"] and top["succeeding"] == [] and top["culprit_on"] == ["A"]
    assert top["machines"]["A"]["versions"] == ["1.2.3.4"] and top["machines"]["B"]["present"]
    assert not top["machines"]["C"]["present"]
    assert top["reasons"][0] == "On every failing machine (A, B) and on none that upgraded (C)."
    assert top["reasons_zh"][0].startswith("每台失败的机器（A、B）上都有")
    assert "A" in top["recommendation"] and "B" in top["recommendation_zh"]
    # the software list ranks it first; the data-protection agent (B's culprit, on C too) is no common suspect
    assert c["software"][0]["id"] == top["id"]
    dlp = next(p for p in c["software"] if "vUserHCI" in p["modules"])
    assert {"Hook64.dll", "vUserHCI.exe"} <= set(dlp["modules"])  # Procmon's process and module, the NFO service
    assert dlp["failing"] == ["B"] and dlp["succeeding"] == ["C"] and not dlp["common_to_failures"]
    assert dlp["culprit_on"] == ["B"]
    audio = next(p for p in c["software"] if "RTKVHD64.sys" in p["modules"])
    assert audio["product"] == "Realtek High Definition Audio" and not audio["common_to_failures"]
    assert c["software"].index(audio) > 0
    assert "Fabrikam Endpoint Ltd." in c["summary"] and "共同嫌疑" in c["summary_zh"]


def test_differences_and_findings_one_row_per_finding(brief: Any) -> None:
    _customer, _machines, c = brief
    kinds = {(d["kind"], d["field"]) for d in c["differences"]}
    assert {("machine", "phase"), ("machine", "culprit"), ("machine", "state")} <= kinds
    assert not any(d["field"] == c["common_suspects"][0]["id"] for d in c["differences"])  # listed as a suspect
    software = [d for d in c["differences"] if d["kind"] == "software"]
    assert any(d["values"]["A"] is None and d["values"]["B"] and d["values"]["C"] for d in software)  # DataGuard
    phase = next(d for d in c["differences"] if d["field"] == "phase")
    assert phase["values_zh"]["A"].startswith("第四阶段") and phase["values_zh"]["B"].startswith("第一阶段")
    rows = [(f["id"], f["title"]) for f in c["findings"]]
    assert len(rows) == len(set(rows))  # one row per finding, whatever the number of machines


def test_two_uploads_of_one_machine_are_one_machine_the_later_newer(tmp_path: Path) -> None:
    _customer, _machines, c = _compare([cc.machine_b(tmp_path), cc.machine_a(tmp_path),
                                        cc.machine_b_later(tmp_path)])
    m = _by_key(c)
    assert m["A"]["computer"] == m["C"]["computer"] == "PC-B"
    assert m["A"]["machine_id"] == m["C"]["machine_id"] != m["B"]["machine_id"]
    assert (m["A"]["uploads"], m["C"]["uploads"], m["B"]["uploads"]) == (2, 2, 1)
    assert m["C"]["newest"] and not m["A"]["newest"] and m["C"]["newer_than"] == ["A"]
    assert m["C"]["upload"] == 2 and "newer" in m["C"]["upload_text"] and "较新" in m["C"]["upload_text_zh"]
    assert "A and C are two uploads of one machine (PC-B); C is the newer." in c["summary"]
    # after the data-protection agent was updated B failed like A: the endpoint agent on every failing upload
    assert m["C"]["phase"] == "OOBE_BOOT" and c["common_suspects"][0]["failing"] == ["A", "B", "C"]


def test_same_name_another_installation_is_another_machine(tmp_path: Path) -> None:
    first = cc.machine_c(tmp_path, "C1.zip")
    other = tmp_path / "other"
    other.mkdir()
    files = {"SYSSUM.NFO": cc.nfo("PC-C", "Microsoft Windows 11 Pro", "10.0.22631 Build 22631", [cc.AUDIO], [],
                                  model="Latitude 5440")}
    from tests.archives import make_zip

    second = make_zip(other / "C2.zip", files)
    _customer, _machines, c = _compare([first, second])
    m = _by_key(c)
    assert m["A"]["machine_id"] != m["B"]["machine_id"] and m["A"]["uploads"] == m["B"]["uploads"] == 1


def test_the_json_follows_its_schema(brief: Any, tmp_path: Path) -> None:
    _customer, _machines, c = brief
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert errors(json.loads(json.dumps(c)), schema) == []
    # and the checker is no rubber stamp
    broken = json.loads(json.dumps(c))
    del broken["machines"][0]["verdict"]
    broken["common_suspects"][0]["machines"]["A"]["present"] = "yes"
    found = errors(broken, schema)
    assert any("no 'verdict'" in e for e in found) and any(".present" in e for e in found)


def test_the_combined_summary_in_chinese_and_english(brief: Any) -> None:
    customer, machines, c = brief
    with NotesStore.open(customer.notes_folder) as notes:
        notes.save("卸载代理后 A 升级成功。")
    zh = prepared_combined_summary(c, machines, lang="zh", now=NOW, customer=customer)
    from workbench.core.report.render import render_summary

    md = render_summary(zh, "md", kind="compare")
    assert english_sentences(md) == []
    for heading in ("案例描述", "案例分析", "案例进展", "建议 / 下一步"):
        assert f"## {heading}" in md
    assert "某银行" in md and "A · PC-0042" in md and "B · PC-B" in md
    assert "第四阶段" in md and "第一阶段" in md and "lwfmgr.sys" in md and "Hook64.dll" in md
    shared = md.index("### 各台机器的共同点")
    assert shared < md.index("| Test product（Fabrikam Endpoint Ltd.） | 1.2.3.4 | ✓ | — |") < md.index("## 案例进展")
    assert "卸载代理后 A 升级成功。" in md  # the customer case's own notes
    en = render_summary(prepared_combined_summary(c, machines, lang="en", now=NOW, customer=customer), "md",
                        kind="compare")
    assert "## Case description" in en and "On every failing machine (A, B)" in en
    for fmt in ("txt", "html"):
        text = render_summary(zh, fmt, kind="compare")
        assert "Fabrikam Endpoint Ltd." in text and "第四阶段" in text
    html = render_summary(zh, "html", kind="compare")
    assert "<script" not in html and html.startswith("<!DOCTYPE html>")


def test_the_combined_summary_as_e_mail_redacted(brief: Any) -> None:
    customer, machines, c = brief
    data = export_combined_summary(c, machines, "eml", lang="zh", now=NOW, customer=customer, redact=True)
    msg = email.message_from_bytes(data, policy=policy.default)
    assert "Windows 升级失败（3 台机器" in str(msg["Subject"])
    body = msg.get_body(("plain",)).get_content()
    assert "PC-0042" not in body and "PC-B" not in body  # one redactor over every machine
    assert "A · PC-1" in body and "B · PC-2" in body
    assert data == export_combined_summary(c, machines, "eml", lang="zh", now=NOW, customer=customer, redact=True)


def test_the_customer_case_file(tmp_path: Path) -> None:
    a, b = cc.machine_a(tmp_path), cc.machine_b(tmp_path)
    customer = _customer([a, b], name="客户/甲")
    assert customer.file == (tmp_path / f"客户-甲{CUSTOMER_SUFFIX}").resolve()
    data = json.loads(customer.file.read_text("utf-8"))
    assert data["schema"] == "workbench.customer/1" and data["name"] == "客户/甲"
    assert [m["path"] for m in data["members"]] == ["A.zip", "B.zip"]  # relative: the folder can move
    assert [m["sha256"] for m in data["members"]] == [source_digest(a), source_digest(b)]
    assert load_machines(customer)[0].error is None
    # the folder moves: the members are still beside the file
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.move(str(tmp_path), moved)
    try:
        again = CustomerCase.load(moved / customer.file.name)
        assert again.id == customer.id and again.member_path(again.members[0]) == moved / "A.zip"
        # an archive no longer there: its case database is found by the SHA-256 the file keeps
        (moved / "B.zip").unlink()
        machines = load_machines(again)
        assert machines[1].error is None and machines[1].analysis["verdict"]["culprit"]["module"] == "Hook64.dll"
    finally:
        shutil.move(str(moved), tmp_path)


def test_a_broken_or_missing_member_stays_a_column(tmp_path: Path) -> None:
    a = cc.machine_a(tmp_path)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    customer = _customer([a, junk])
    customer.add(tmp_path / "gone.zip", "ab" * 32)
    customer.save()
    machines = load_machines(customer)
    c = build_comparison(machines, customer)
    m = _by_key(c)
    assert m["A"]["verdict"]["state"] == "failed"
    assert m["C"]["error"] and "gone.zip" in m["C"]["error"] and m["C"]["verdict"]["state"] == "incomplete"
    assert m["C"]["outcome"] == "unknown" and "无法读取此存档" in m["C"]["verdict"]["summary_zh"]
    assert all(mm["verdict"]["state"] for mm in c["machines"])


def test_bad_customer_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / f"x{CUSTOMER_SUFFIX}"
    bad.write_text("{ not json", "utf-8")
    with pytest.raises(UserActionRequired, match=r"x\.wbcustomer: not a customer case file"):
        CustomerCase.load(bad)
    bad.write_text(json.dumps({"schema": "workbench.customer/1", "id": "0" * 32, "members": [{"path": "a"}]}))
    with pytest.raises(UserActionRequired, match="member 1 has no path or no sha256"):
        CustomerCase.load(bad)
    bad.write_text(json.dumps({"schema": "workbench.customer/1", "id": "0" * 32,
                               "members": [{"path": "a", "sha256": "00", "role": "boss"}]}))
    with pytest.raises(UserActionRequired, match="roles are auto, failing, reference"):
        CustomerCase.load(bad)


def test_read_only_archives_folder_puts_the_file_in_the_home(tmp_path: Path, wb_home: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    a = cc.machine_a(tmp_path)
    if os.name == "posix" and os.geteuid() != 0:
        tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    else:  # root writes anywhere: the archives' folder refuses the file the way read-only media do
        real = CustomerCase._write

        def refuse(self: CustomerCase, path: Path) -> None:
            if path.parent == tmp_path.resolve():
                raise PermissionError(13, "Read-only file system", str(path))
            real(self, path)

        monkeypatch.setattr(CustomerCase, "_write", refuse)
    try:
        customer = _customer([a], name="ro")
        assert customer.file.parent == (wb_home / "customers").resolve()
        assert CustomerCase.load(customer.file).member_path(customer.members[0]) == a.resolve()
        assert not list(tmp_path.glob(f"*{CUSTOMER_SUFFIX}"))
        # compared again, the same file is found in the home (and its notes with its id)
        assert create_or_update([(a, source_digest(a))], name="ro").id == customer.id
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                          ) -> None:
    a, b, c = cc.machine_a(tmp_path), cc.machine_b(tmp_path, chinese=True), cc.machine_c(tmp_path)
    assert main(["compare", str(a), str(b), str(c), "--json", "--name", "bank", "-q"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "workbench.compare/1" and len(out["machines"]) == 3
    assert out["common_suspects"][0]["vendor"] == "Fabrikam Endpoint Ltd."  # B's NFO in Chinese, read by position
    assert out["customer_case"]["name"] == "bank" and (tmp_path / "bank.wbcustomer").is_file()
    # nothing is ingested again: the members are read from their databases
    from workbench.core import ingest

    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("re-ingested")

    monkeypatch.setattr(ingest.Ingest, "run", refuse)
    eml = tmp_path / "out.eml"
    assert main(["compare", str(tmp_path / "bank.wbcustomer"), "--format", "eml", "--lang", "zh", "-o", str(eml),
                 "--now", "2026-11-25T08:30:00Z", "-q"]) == 0
    assert eml.read_bytes().startswith(b"Subject: ")
    # a machine that upgraded, named by the engineer: C counts as the reference whatever its logs say
    assert main(["compare", str(tmp_path / "bank.wbcustomer"), "--reference", str(c), "-q", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Suspects common to the failures" in text and "1. Test product (Fabrikam Endpoint Ltd.)" in text
    assert json.loads((tmp_path / "bank.wbcustomer").read_text("utf-8"))["members"][2]["role"] == "reference"


def test_the_command_line_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp_path / "nothing.zip")]) == 2
    assert "nothing.zip: no such file or folder" in capsys.readouterr().err
