"""A 10,000-row workbook with 30 bad rows at known lines: 9,970 cases and an error report with
exactly those lines and reasons; importing it again adds nothing; an import that dies halfway
leaves nothing of its file, and running it again completes it."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from concord.cases.models import Case, CaseEvent, Party
from concord.imports import services, writer
from concord.imports.choices import JobStatus
from concord.imports.models import ImportJob, RowProblem

from .conftest import canonical, csv_bytes, upload, xlsx_bytes

ROWS = 10_000
# (changes to a valid row, the reason the report must give), one per kind of mistake.
MISTAKES = [
    ({"description": ""}, "description：不能为空"),
    (
        {"received_at": "2025-13-45"},
        "received_at：无法识别的日期「2025-13-45」，请写成 2025-03-01 14:30",
    ),
    ({"category": "不存在的类别"}, "category：类别「不存在的类别」不存在或已停用"),
    ({"division": "330699000000"}, "division：区划代码 330699000000 不在本县（区）范围内"),
    (
        {"applicant_phone": "12345"},
        "applicant_phone：电话号码应为11位手机号或带区号的固定电话",
    ),
    ({"applicant_id_number": "330682198001011230"}, "applicant_id_number：身份证号校验位错误"),
    (
        {"status": "挂起"},
        "status：「挂起」的事项不能导入：只能导入登记、已办结、已评价、已归档的事项",
    ),
    (
        {"status": "resolved", "result": "", "resolved_at": "2025-12-01 10:00"},
        "result：已办结的事项须填写办理结果",
    ),
    (
        {
            "status": "resolved",
            "result": "solved",
            "received_at": "2025-06-01 09:00",
            "resolved_at": "2025-05-01 09:00",
        },
        "resolved_at：办结时间早于收到时间",
    ),
    ({"type": "灾害"}, "type：无法识别「灾害」"),
]
# 30 bad rows spread over the file: row index → mistake.
BAD = {index: MISTAKES[n % len(MISTAKES)] for n, index in enumerate(range(17, ROWS, 333))}
assert len(BAD) == 30


def workbook() -> bytes:
    rows = [canonical(i, **BAD[i][0]) if i in BAD else canonical(i) for i in range(ROWS)]
    return xlsx_bytes(rows)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> tuple[bytes, str]:
    data = workbook()
    path = tmp_path_factory.mktemp("imports") / "history.xlsx"
    path.write_bytes(data)
    return data, str(path)


def expected_lines() -> dict[int, str]:
    return {index + 2: reason for index, (_changes, reason) in BAD.items()}  # line 1: header


def report_lines(client, job: ImportJob) -> dict[int, str]:
    response = client.get(f"/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("行号", "错误原因", "source_id")
    return {row[0]: row[1] for row in rows[1:]}


def imported() -> dict[str, int]:
    cases = Case.objects.filter(source="import")
    return {
        "cases": cases.count(),
        "parties": Party.objects.filter(case__in=cases).count(),
        "events": CaseEvent.objects.filter(case__in=cases).count(),
    }


def test_a_10000_row_workbook_with_30_bad_rows_imports_9970_and_again_adds_nothing(
    big_file, web, media
):
    data, _path = big_file
    client = web("clerk")
    response = client.post("/imports/", {"file": upload(data, "history.xlsx")})
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.PREVIEWED and job.total == ROWS
    assert not Case.objects.filter(source="import").exists()  # nothing before confirming
    page = client.get(response.url).content.decode()
    assert "确认导入" in page and 'data-line="19"' in page  # the first bad row, previewed
    assert "description：不能为空" in page

    assert client.post(f"/imports/{job.pk}/start").status_code == 302
    services.run_import(job.pk)  # the queued job

    job.refresh_from_db()
    assert (job.status, job.created_count, job.existing_count, job.bad_count) == (
        JobStatus.DONE,
        9970,
        0,
        30,
    )
    assert Case.objects.filter(source="import").count() == 9970
    assert not job.file  # the kept upload is gone once imported
    reported = report_lines(client, job)
    assert sorted(reported) == sorted(expected_lines())
    for line, reason in expected_lines().items():
        assert reason in reported[line], (line, reported[line])
    done_page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "导入完成：新增 9970 件，0 件已导入过未重复登记，30 行有误未导入" in done_page

    # The same file again: every good row is already imported, the bad ones still bad.
    before = imported()
    response = client.post("/imports/", {"file": upload(data, "history.xlsx")})
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert "同一文件已于" in client.get(response.url).content.decode()
    client.post(f"/imports/{again.pk}/start")
    services.run_import(again.pk)
    again.refresh_from_db()
    assert (again.created_count, again.existing_count, again.bad_count) == (0, 9970, 30)
    assert imported() == before


def test_an_import_killed_halfway_leaves_nothing_and_a_rerun_completes(
    big_file, county, monkeypatch
):
    _data, path = big_file
    calls = []
    real = writer.insert_batch

    def dies_halfway(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # 4,000 of 9,970 cases written in this transaction
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "insert_batch", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        call_command("import_cases", path, stdout=io.StringIO())
    assert imported() == {"cases": 0, "parties": 0, "events": 0}
    killed = ImportJob.objects.get()
    assert killed.status == JobStatus.WRITING  # as a killed process leaves it: stalled later

    monkeypatch.setattr(writer, "insert_batch", real)
    out = io.StringIO()
    call_command("import_cases", path, stdout=out)
    summary = out.getvalue()
    assert "9970 created, 0 already imported, 30 bad rows" in summary
    assert "line 19: description：不能为空" in summary
    assert imported()["cases"] == 9970


def test_a_failed_background_import_writes_nothing_and_runs_again_from_its_file(
    web, media, monkeypatch
):
    rows = [canonical(i) for i in range(4500)]
    client = web("dispatcher")
    client.post("/imports/", {"file": upload(xlsx_bytes(rows), "orders.xlsx")})
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/start")
    real = writer.insert_batch
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "insert_batch", fails_once)
    services.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "未写入任何事项" in job.error
    assert imported()["cases"] == 0
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "重新导入" in page

    assert client.post(f"/imports/{job.pk}/retry").status_code == 302
    services.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (JobStatus.DONE, 4500)
    assert imported()["cases"] == 4500
    # Run a second time (a redelivered task): it finds the job taken and does nothing.
    services.run_import(job.pk)
    assert imported()["cases"] == 4500


def test_an_interrupted_import_shows_as_stalled_and_can_be_retried(web, media):
    client = web("clerk")
    client.post("/imports/", {"file": upload(xlsx_bytes([canonical(1)]), "one.xlsx")})
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/start")
    # The process died while writing: the status stayed, the heartbeat stopped.
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.WRITING, heartbeat_at=job.created_at - services.STALLED_AFTER
    )
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "已中断" in page and "hx-trigger" not in page
    client.post(f"/imports/{job.pk}/retry")
    services.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (JobStatus.DONE, 1)
    assert not RowProblem.objects.exists()


def test_the_command_refuses_an_unreadable_file_with_its_reason(tmp_path, county):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xff\xfe" + "来电时间".encode("utf-16-le"))
    with pytest.raises(CommandError, match="UTF-16"):
        call_command("import_cases", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_cases", str(tmp_path / "missing.csv"))


def test_the_same_file_confirmed_twice_is_written_once(tmp_path, county, monkeypatch):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([canonical(i) for i in range(50)]))
    real = services._check
    nested = []

    def second_import_meanwhile(*args, **kwargs):
        checked = real(*args, **kwargs)
        if not nested:  # while the first is between its check and its write
            nested.append(1)
            call_command("import_cases", str(path), stdout=io.StringIO())
        return checked

    monkeypatch.setattr(services, "_check", second_import_meanwhile)
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out)
    assert "0 created, 50 already imported" in out.getvalue()
    assert Case.objects.filter(source="import").count() == 50


def test_kept_files_are_purged_once_no_longer_needed(web, media):
    client = web("clerk")
    for name in ("old.csv", "fresh.csv"):
        client.post("/imports/", {"file": upload(csv_bytes([canonical(1)]), name)})
    old, fresh = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=old.created_at - services.PREVIEW_KEPT - dt.timedelta(minutes=1)
    )
    stored = old.file.path
    assert services.purge_files() == 1
    old.refresh_from_db()
    assert (old.status, old.file.name) == (JobStatus.FAILED, "")
    assert "文件已按期删除" in old.error
    assert not Path(stored).exists() and Path(fresh.file.path).exists()
    client.post(f"/imports/{old.pk}/start")
    assert not Case.objects.exists()
