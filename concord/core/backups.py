"""Backups: the database and the uploaded files in one bundle, and putting them back.

A bundle is one gzip'd tar file, readable by its owner only (it holds personal information;
the encrypted fields stay encrypted, and the keys are not in it):

    manifest.json      format, time, engine, Concord version, the applied migrations, and the
                       row count of every table, read in the same snapshot as the dump
    database.dump      PostgreSQL: `pg_dump -Fc` of that snapshot
    database.sqlite3   SQLite: a copy made by SQLite's online backup API
    media/...          the files under MEDIA_ROOT

Databases are named by a Django settings dict (`connections[alias].settings_dict`) and reached
through their own drivers and tools, not through Django's connections: a restore replaces
what those connections would be reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import psycopg
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.errors import ServiceError
from concord.core.health import concord_version

FORMAT = 1
MANIFEST, PG_DUMP, SQLITE_COPY, MEDIA = (
    "manifest.json",
    "database.dump",
    "database.sqlite3",
    "media",
)
POSTGRES, SQLITE = "postgresql", "sqlite"


class BackupError(ServiceError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def engine(db: dict) -> str:
    if "postgresql" in db["ENGINE"]:
        return POSTGRES
    if "sqlite3" in db["ENGINE"]:
        return SQLITE
    raise BackupError(_("不支持备份该数据库引擎：%(engine)s") % {"engine": db["ENGINE"]})


def default_path(directory: Path, now: datetime | None = None) -> Path:
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return directory / f"concord-{stamp}.tar.gz"


# Reading a database directly ---------------------------------------------------------------


@contextmanager
def _pg(db: dict, *, dbname: str | None = None) -> Iterator[psycopg.Connection]:
    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        yield conn


def _sqlite(name: str) -> sqlite3.Connection:
    # Django's in-memory test databases are shared-cache URIs ("file:memorydb_default?...").
    return sqlite3.connect(name, uri=str(name).startswith("file:"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, kind: str) -> list[str]:
    if kind == POSTGRES:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, kind: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, kind):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (catalogue names)
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


@contextmanager
def _cursor(db: dict) -> Iterator:
    kind = engine(db)
    if kind == POSTGRES:
        with _pg(db) as conn, conn.cursor() as cursor:
            yield cursor
    else:
        with closing(_sqlite(db["NAME"])) as conn:
            yield conn.cursor()


def fingerprints(db: dict) -> dict[str, tuple[int, str]]:
    """Every table's (row count, md5 of its rows in a fixed order): equal fingerprints mean
    equal contents. Reads whole tables: for checking a restore, not for every day."""
    kind = engine(db)
    result = {}
    with _cursor(db) as cursor:
        for table in _tables(cursor, kind):
            cursor.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 (catalogue names)
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            digest = hashlib.md5("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
            result[table] = (len(rows), digest)
    return result


def is_empty(db: dict) -> bool:
    """True when the database has no tables at all (a new database, or a new SQLite file)."""
    kind = engine(db)
    if kind == SQLITE and not str(db["NAME"]).startswith("file:"):
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
    with _cursor(db) as cursor:
        return not _tables(cursor, kind)


def code_migrations() -> set[str]:
    """The migrations this version of Concord has on disk: the schema it expects."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


# Tools -------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(tool)s：请先运行 sh scripts/ensure-pg-client.sh 安装 PostgreSQL 客户端")
            % {"tool": name}
        )
    return path


def _pg_command(db: dict, tool: str, *args: str) -> tuple[list[str], dict]:
    command = [_tool(tool), "--no-password", *args]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return command, env


def _run(command: list[str], env: dict | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败：%(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )


# Backup ------------------------------------------------------------------------------------


def create_backup(output: Path, db: dict, media_root: Path) -> dict:
    """Write a bundle of the database `db` and the files under `media_root` to `output`;
    returns its manifest.

    1. PostgreSQL: in one REPEATABLE READ transaction, export its snapshot, read the applied
       migrations and the row counts, and run pg_dump on that same snapshot, so the manifest
       describes exactly the dump. SQLite: copy the file with the online backup API (writers
       wait for each step; the copy is consistent), then read the copy.
    2. Pack manifest, dump and media into `output` (0600), written beside it and renamed into
       place, so a failed backup never leaves a truncated bundle under the final name.
    """
    kind = engine(db)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        if kind == POSTGRES:
            dump = work_dir / PG_DUMP
            applied, counts = _dump_postgres(db, dump)
        else:
            dump = work_dir / SQLITE_COPY
            applied, counts = _copy_sqlite(db["NAME"], dump)
        media_files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": kind,
            "version": concord_version(),
            "migrations": applied,
            "tables": counts,
            "media_files": len(media_files),
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = work_dir / "bundle.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as bundle:
            bundle.add(work_dir / MANIFEST, arcname=MANIFEST)
            bundle.add(dump, arcname=dump.name)
            for path in media_files:
                bundle.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        partial.chmod(0o600)
        partial.replace(output)
    return manifest


def _dump_postgres(db: dict, dump: Path) -> tuple[list[str], dict[str, int]]:
    with _pg(db) as conn, conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        applied, counts = _applied(cursor), _counts(cursor, POSTGRES)
        command, env = _pg_command(
            db, "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"
        )
        _run([*command, db["NAME"]], env)  # while the snapshot's transaction is open
    return applied, counts


def _copy_sqlite(name: str, copy: Path) -> tuple[list[str], dict[str, int]]:
    with closing(_sqlite(name)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        cursor = target.cursor()
        return _applied(cursor), _counts(cursor, SQLITE)


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


# Restore -----------------------------------------------------------------------------------


def read_manifest(bundle: Path) -> dict:
    try:
        with tarfile.open(bundle, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(
            _("%(path)s 不是 Concord 备份文件：%(error)s") % {"path": bundle, "error": exc}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s 的备份格式不受支持") % {"path": bundle})
    return manifest


def check_schema(manifest: dict) -> None:
    """Refuse a bundle whose database was at another migration state than this code's."""
    recorded, expected = set(manifest["migrations"]), code_migrations()
    missing, unknown = sorted(expected - recorded), sorted(recorded - expected)
    if missing or unknown:
        details = []
        if missing:
            details.append(
                _("备份缺少本程序的 %(n)s 个迁移（如 %(names)s）")
                % {"n": len(missing), "names": "、".join(missing[:3])}
            )
        if unknown:
            details.append(
                _("备份含本程序没有的 %(n)s 个迁移（如 %(names)s）")
                % {"n": len(unknown), "names": "、".join(unknown[:3])}
            )
        raise BackupError(
            _(
                "备份的数据库结构版本与当前程序不一致：%(details)s。"
                "请用生成该备份的 Concord 版本（%(version)s）恢复，再运行 migrate 升级。"
            )
            % {"details": "；".join(details), "version": manifest.get("version", "?")}
        )


def restore_backup(bundle: Path, db: dict, media_root: Path, *, replace: bool) -> dict:
    """Put a bundle back into the database `db` and `media_root`; returns its manifest.

    1. Refuse a bundle of another engine or another schema version, and, unless `replace`,
       a database that has tables or a media directory that has files.
    2. PostgreSQL: pg_restore --clean --if-exists --no-owner in a single transaction (all or
       nothing). SQLite: the online backup API copies the bundle's file over the database.
    3. Swap the media directory for the bundle's files (the old one is removed once the new
       one is in place).
    4. Count the rows again and refuse to call it done unless they match the manifest.
    """
    manifest = read_manifest(bundle)
    kind = engine(db)
    if manifest["engine"] != kind:
        raise BackupError(
            _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库")
            % {"source": manifest["engine"], "target": kind}
        )
    check_schema(manifest)
    if not replace:
        if not is_empty(db):
            raise BackupError(
                _("数据库 %(name)s 不是空的：恢复会覆盖其中的全部数据。确认无误后加 --yes 再运行。")
                % {"name": db["NAME"]}
            )
        if _media_files(media_root):
            raise BackupError(
                _("文件目录 %(path)s 不是空的：恢复会替换其中的文件。确认无误后加 --yes 再运行。")
                % {"path": media_root}
            )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        work_dir = Path(work)
        with tarfile.open(bundle, "r:*") as archive:
            archive.extractall(work_dir, filter="data")  # no absolute paths, links out, devices
        if kind == POSTGRES:
            command, env = _pg_command(
                db,
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
            )
            _run([*command, str(work_dir / PG_DUMP)], env)
        else:
            with (
                closing(sqlite3.connect(work_dir / SQLITE_COPY)) as source,
                closing(_sqlite(db["NAME"])) as target,
            ):
                source.backup(target)
        _swap_media(work_dir / MEDIA, media_root)
    with _cursor(db) as cursor:
        counts = _counts(cursor, kind)
    if counts != manifest["tables"]:
        differ = sorted(t for t in counts.keys() | manifest["tables"].keys()
                        if counts.get(t) != manifest["tables"].get(t))  # fmt: skip
        raise BackupError(
            _("恢复后的行数与备份记录不符：%(tables)s") % {"tables": "、".join(differ[:5])}
        )
    return manifest


def _swap_media(restored: Path, media_root: Path) -> None:
    if not restored.exists():
        restored.mkdir()
    old = media_root.with_name(f".{media_root.name}-replaced")
    if old.exists():
        shutil.rmtree(old)
    if media_root.exists():
        media_root.rename(old)
    restored.rename(media_root)
    if old.exists():
        shutil.rmtree(old)
