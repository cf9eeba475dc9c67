"""`manage.py backup` and `restore` (issue 11, Must show): a backup restored into an empty
database gives identical row counts and checksums, files included; a restore that would
overwrite data, or that comes from another schema version, is refused and changes nothing."""

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from concord.cases.attachments import attach_photos, check_photos
from concord.cases.models import Case
from concord.cases.tests.images import png
from concord.core import backups
from concord.demo.cases import seed_cases


def _url(db: dict) -> str:
    if backups.engine(db) == backups.SQLITE:
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database beside the test database: a second PostgreSQL database
    (test_hc_restore for test_hc), or a new SQLite file."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restore"
    with backups._pg(source, dbname="postgres") as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with backups._pg(source, dbname="postgres") as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_is_identical(
    county, persona, media, settings, tmp_path, empty_database
):
    seed_cases(60)
    case = Case.objects.order_by("pk").first()
    attach_photos(case=case, actor=persona("clerk"), photos=check_photos([png()]))
    source = connection.settings_dict
    before, files = backups.fingerprints(source), _files(media)
    assert before["cases_case"][0] == 60 and len(files) == 1

    bundle = tmp_path / "backups" / "concord.tar.gz"
    out = io.StringIO()
    call_command("backup", output=bundle, stdout=out)
    assert "已备份到" in out.getvalue()
    assert bundle.stat().st_mode & 0o777 == 0o600  # personal information: owner only
    manifest = backups.read_manifest(bundle)
    assert manifest["tables"]["cases_case"] == 60 and manifest["media_files"] == 1

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", bundle, database_url=_url(empty_database), stdout=out)
    assert "行数与备份记录一致" in out.getvalue()
    assert backups.fingerprints(empty_database) == before
    assert _files(settings.MEDIA_ROOT) == files

    # A second restore over the now full database needs --yes, and puts back what changed.
    with backups._cursor(empty_database) as cursor:
        cursor.execute("DELETE FROM notifications_outboxmessage")
        cursor.execute("UPDATE cases_case SET title = 'changed'")
        cursor.connection.commit()
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", bundle, database_url=_url(empty_database))
    call_command("restore", bundle, database_url=_url(empty_database), yes=True, stdout=out)
    assert backups.fingerprints(empty_database) == before


def _bundle(path: Path, manifest: dict) -> Path:
    """A bundle holding only a manifest: enough for the checks made before anything is read."""
    body = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(backups.MANIFEST)
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    return path


def _manifest(**changes) -> dict:
    return {
        "format": backups.FORMAT,
        "created_at": "2026-11-23T09:00:00+08:00",
        "engine": backups.engine(connection.settings_dict),
        "version": "0.1.0",
        "migrations": sorted(backups.code_migrations()),
        "tables": {},
        "media_files": 0,
        **changes,
    }


def test_restore_into_a_database_with_data_is_refused_without_yes(db, tmp_path):
    bundle = _bundle(tmp_path / "b.tar.gz", _manifest())
    cases = Case.objects.count()
    with pytest.raises(CommandError, match="不是空的.*--yes"):
        call_command("restore", bundle)
    assert Case.objects.count() == cases


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m[:-1], "备份缺少本程序的 1 个迁移"),
        (lambda m: [*m, "cases.9999_from_the_future"], "备份含本程序没有的 1 个迁移"),
    ],
)
def test_a_bundle_of_another_schema_version_is_refused(
    db, tmp_path, empty_database, change, message
):
    migrations = change(sorted(backups.code_migrations()))
    bundle = _bundle(tmp_path / "b.tar.gz", _manifest(migrations=migrations, version="0.0.9"))
    with pytest.raises(CommandError, match=f"结构版本与当前程序不一致：{message}.*0.0.9"):
        call_command("restore", bundle, database_url=_url(empty_database), yes=True)
    assert backups.is_empty(empty_database)


def test_a_file_that_is_not_a_bundle_is_refused(db, tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="不是 Concord 备份文件"):
        call_command("restore", junk, yes=True)
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", tmp_path / "missing.tar.gz", yes=True)


def test_a_bundle_of_the_other_engine_is_refused(db, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    bundle = _bundle(tmp_path / "b.tar.gz", _manifest(engine=other))
    with pytest.raises(CommandError, match=f"备份来自 {other} 数据库"):
        call_command("restore", bundle, yes=True)


def test_a_sqlite_file_round_trips_whatever_database_the_suite_runs_on(tmp_path, settings):
    """The SQLite path (online backup API both ways) on a small file of its own."""
    source = dj_database_url.parse(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with sqlite3.connect(source["NAME"]) as db:
        db.execute("CREATE TABLE django_migrations (app TEXT, name TEXT, applied TEXT)")
        db.executemany(
            "INSERT INTO django_migrations VALUES (?, ?, '')",
            [m.split(".", 1) for m in backups.code_migrations()],
        )
        db.execute("CREATE TABLE cases_case (id INTEGER PRIMARY KEY, title TEXT)")
        db.executemany("INSERT INTO cases_case VALUES (?, ?)", [(i, f"事项{i}") for i in range(50)])
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "现场.png").write_bytes(b"\x89PNG...")
    bundle = tmp_path / "b.tar.gz"
    backups.create_backup(bundle, source, media)

    target = dj_database_url.parse(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    restored_media = tmp_path / "restored"
    backups.restore_backup(bundle, target, restored_media, replace=False)
    assert backups.fingerprints(target) == backups.fingerprints(source)
    assert _files(restored_media) == _files(media)


def test_a_pg_dump_that_fails_leaves_no_bundle(tmp_path, monkeypatch):
    target = tmp_path / "b.tar.gz"
    unreachable = dj_database_url.parse("postgres://nobody@127.0.0.1:1/none")
    with pytest.raises((backups.BackupError, psycopg.OperationalError)):
        backups.create_backup(target, unreachable, tmp_path / "media")
    assert not target.exists() and list(tmp_path.iterdir()) == []
