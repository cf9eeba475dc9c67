"""Intake benchmark: `POST /api/v1/cases` against a county with 100,000 cases, under gunicorn.

What it does, in order:

1. Creates a fresh PostgreSQL database (default `concord_bench`), migrates it and seeds it with
   `manage.py seed_demo --cases N`, then runs `VACUUM (ANALYZE)` so the planner has the
   statistics autovacuum would have gathered by now. A database this script left behind with
   `--keep` and seeded with the same N is reused (seeding skipped).
2. Starts Concord under gunicorn (`-w 2 --threads 4`, gthread) on a free loopback port with
   DEBUG off and persistent database connections, and waits until `/healthz` answers.
3. Takes a bearer token for the demo clerk, then runs two equal phases from `--concurrency`
   client threads, each with its own keep-alive `http.client` connection:
   `GET /healthz` (bare Django, no database: the baseline) and `POST /api/v1/cases` with varied,
   valid bodies (towns and villages from the database, categories, 1-3 parties with valid ID
   numbers and mobile phones). Every intake answer must be 201 and every baseline answer 200;
   anything else is counted as an error by status.
4. Prints a table (requests, req/s, p50/p95/p99 latency, errors, and the CPU each request
   cost in the gunicorn workers and in the PostgreSQL backends) and a one-line summary, stops
   the server and drops the database unless `--keep`.

All traffic goes to 127.0.0.1. The run is bounded: each phase stops after `--seconds`, every
request times out after 30 s, and every subprocess has a time limit.

    .venv/bin/python bench/intake.py [--seconds 60] [--cases 100000] [--concurrency 4]
        [--database-url postgres://postgres@127.0.0.1:5432/concord_bench] [--keep]

Exit status: 0 when every request got the expected status, 1 when some did not, 2 on a set-up
failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from concord.core.pii import id_check_digit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench"
HOST = "127.0.0.1"
USERNAME, PASSWORD = "clerk", "Concord-demo1"
WORKERS, THREADS = 2, 4
REQUEST_TIMEOUT = 30.0
WARMUP_REQUESTS = 5  # per client connection, before the clock starts; not counted
MARKER = "concord-bench seeded="  # COMMENT ON DATABASE: this script made it, and with how many
INTAKE, BARE = "POST /api/v1/cases", "GET /healthz"


class SetupError(RuntimeError):
    """The benchmark could not be set up; the message says why."""


# --------------------------------------------------------------------------------------------
# Database


@dataclass(frozen=True)
class Database:
    url: str

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    @property
    def admin_url(self) -> str:
        """The same server's `postgres` database, to create and drop the bench database."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/postgres"))

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def seeded_marker(self) -> int | None:
        """None when the database does not exist, -1 when it exists but is not ours."""
        with self._admin() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.name],
            ).fetchone()
        if row is None:
            return None
        comment = row[0] or ""
        if not comment.startswith(MARKER):
            return -1
        return int(comment.removeprefix(MARKER))

    def own_marker(self) -> int | None:
        """`seeded_marker()` of a database these scripts made; one they did not make is
        refused."""
        marker = self.seeded_marker()
        if marker == -1:
            raise SetupError(
                f"database {self.name} exists and was not made by this script; drop it or "
                "choose another name with --database-url"
            )
        return marker

    def clear(self) -> None:
        """Drop the database an earlier run left (kept, or a run that failed); refuse to touch
        one that this script did not make."""
        if self.own_marker() is not None:
            print(f"· dropping database {self.name} left by an earlier run")
            self.drop()

    def create(self, template: str | None = None) -> None:
        """An empty database, or a copy of the database `template` (nobody may be connected
        to it while it is copied)."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name))
        if template is not None:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with self._admin() as conn:
            if template is not None and conn.info.server_version >= 150000:
                # Copy the files after a checkpoint instead of logging every block (15's
                # default): minutes less for a database of gigabytes.
                query = sql.SQL("{} STRATEGY FILE_COPY").format(query)
            conn.execute(query)
        self.mark(0)

    def set(self, name: str, value: str) -> None:
        """A setting (`ALTER DATABASE … SET`) for the sessions that connect from now on."""
        with self._admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    sql.Identifier(self.name), sql.Identifier(name), sql.Literal(value)
                )
            )

    def mark(self, seeded: int) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(self.name), sql.Literal(f"{MARKER}{seeded}")
                )
            )

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    def query(self, query: str) -> list[tuple]:
        with psycopg.connect(self.url, connect_timeout=10) as conn:
            return conn.execute(query).fetchall()

    def vacuum_analyze(self) -> None:
        """Fresh planner statistics and visibility map, as autovacuum would have made by now."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("VACUUM (ANALYZE)")

    def autovacuum(self) -> str:
        return self.query("SHOW autovacuum")[0][0]

    def case_count(self) -> int:
        return self.query("SELECT count(*) FROM cases_case")[0][0]


def bench_url_problem(url: str) -> str | None:
    """Why a benchmark must not touch this database (it creates and drops it), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or "bench" not in parts.path:
        return "--database-url must be a PostgreSQL URL whose database name has 'bench'"
    if parts.hostname not in ("127.0.0.1", "localhost", "::1", None):
        return "--database-url must point at this machine"
    return None


def app_env(db: Database) -> dict[str, str]:
    """The environment of manage.py and gunicorn: the bench database, production-like."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db.url,
        DJANGO_SETTINGS_MODULE="concord.settings",
        CONCORD_DEBUG="0",
        CONCORD_ALLOWED_HOSTS="127.0.0.1,localhost",
        CONCORD_DB_CONN_MAX_AGE="60",
        CONCORD_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(db: Database, *args: str, timeout: float) -> str:
    """Run `manage.py ARGS` against the bench database; its output, or SetupError."""
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=app_env(db),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"manage.py {' '.join(args)} took more than {timeout:.0f} s") from None
    if done.returncode != 0:
        raise SetupError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


@dataclass
class Prepared:
    seeded: int
    seed_seconds: float | None  # None: reused a kept database
    cases_before: int


def prepare(db: Database, cases: int, seed_timeout: float) -> Prepared:
    marker = db.own_marker()
    reuse = marker == cases
    if reuse:
        print(f"· reusing database {db.name} kept by an earlier run (seeded with {cases:,} cases)")
    else:
        if marker is not None:
            print(f"· dropping database {db.name} left by an earlier run (seeded={marker:,})")
            db.drop()
        print(f"· creating database {db.name}")
        db.create()
    started = time.monotonic()
    manage(db, "migrate", "--noinput", "-v", "0", timeout=600)
    print(f"· migrated in {time.monotonic() - started:.1f} s")
    seed_seconds = None
    if not reuse:
        print(f"· seeding {cases:,} cases (seed_demo) ...", flush=True)
        started = time.monotonic()
        output = manage(db, "seed_demo", "--cases", str(cases), timeout=seed_timeout)
        seed_seconds = time.monotonic() - started
        db.mark(cases)
        print(f"· seeded in {seed_seconds:.1f} s — seed_demo says: {output.splitlines()[-1]}")
    # A bulk load leaves the tables without statistics until autovacuum analyses them, and
    # development servers often run without autovacuum: the planner then guesses (a parallel
    # plan for a one-row lookup). Measure the steady state a production database is in.
    started = time.monotonic()
    db.vacuum_analyze()
    print(
        f"· VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s "
        f"(autovacuum is {db.autovacuum()} on this server)"
    )
    return Prepared(seeded=cases, seed_seconds=seed_seconds, cases_before=db.case_count())


# --------------------------------------------------------------------------------------------
# Server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving concord.wsgi on the loopback interface, logs in a temporary file."""

    def __init__(self, db: Database, port: int, workers: int, threads: int) -> None:
        self.port, self.workers, self.threads = port, workers, threads
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="concord-bench-gunicorn-", suffix=".log", delete=False
        )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "concord.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--keep-alive=15",
            "--timeout=60",
            "--graceful-timeout=15",
            "--no-control-socket",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=app_env(db), stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until /healthz answered 200, or SetupError."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise SetupError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.monotonic() - started
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise SetupError(f"/healthz did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful stop), SIGKILL after 20 s; our process only."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class CpuMeter:
    """CPU seconds of gunicorn's workers and of the database backends serving them.

    Latency on a shared 2-core machine depends on what else runs; CPU spent per request does
    not, much. Django closes a persistent connection once it is CONN_MAX_AGE old, so backends
    come and go during a phase: a thread samples them every quarter second and keeps the last
    figure of each. Linux only (/proc); elsewhere the figures are left out.
    """

    INTERVAL = 0.25

    def __init__(self, master_pid: int, db: Database) -> None:
        self.master_pid, self.db = master_pid, db
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.available = Path(f"/proc/{master_pid}/stat").exists()
        self._first: dict[tuple[str, int], float] = {}
        self._last: dict[tuple[str, int], float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _stat(pid: int | str) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text[text.rindex(")") + 2 :].split()  # fields from the third (state) on

    def _cpu(self, pid: int) -> float | None:
        fields = self._stat(pid)
        return (int(fields[11]) + int(fields[12])) / self.tick if fields else None

    def workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (the master's children)."""
        return [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit()
            and (fields := self._stat(entry.name))
            and int(fields[1]) == self.master_pid
        ]

    def _sample(self, conn: psycopg.Connection, first: bool) -> None:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
        groups = {"app": self.workers(), "db": [pid for (pid,) in backends]}
        for group, pids in groups.items():
            for pid in pids:
                if (cpu := self._cpu(pid)) is not None:
                    # A process first seen after the start began during the phase: all its
                    # CPU counts. One seen at the start counts from there.
                    self._first.setdefault((group, pid), cpu if first else 0.0)
                    self._last[(group, pid)] = cpu

    def _run(self, conn: psycopg.Connection) -> None:
        with conn:
            while not self._stop.wait(self.INTERVAL):
                self._sample(conn, first=False)
            self._sample(conn, first=False)

    def start(self) -> None:
        self._first.clear()
        self._last.clear()
        if not self.available:
            return
        self._stop.clear()
        conn = psycopg.connect(self.db.url, autocommit=True, connect_timeout=10)
        self._sample(conn, first=True)
        self._thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """CPU seconds per group ("app", "db") since start(); empty when not measured."""
        if self._thread is None:
            return {}
        self._stop.set()
        self._thread.join(timeout=10)
        self._thread = None
        used = {"app": 0.0, "db": 0.0}
        for key, cpu in self._last.items():
            used[key[0]] += cpu - self._first[key]
        return used


# --------------------------------------------------------------------------------------------
# Request bodies


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # 百官街道龙山社区, or the town alone
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class Reference:
    villages: list[Place]
    towns: list[Place]
    categories: list[tuple[str, str]]  # (code, name), children and a few parents

    @classmethod
    def load(cls, db: Database) -> Reference:
        rows = db.query(
            "SELECT d.code, d.level, d.name, p.name, d.lat, d.lng FROM geo_division d "
            "LEFT JOIN geo_division p ON p.code = d.parent_id "
            "WHERE d.level IN ('town', 'village') ORDER BY d.code"
        )
        villages = [Place(c, f"{parent}{name}", lat, lng) for c, lv, name, parent, lat, lng in rows
                    if lv == "village"]  # fmt: skip
        towns = [Place(c, name, lat, lng) for c, lv, name, _, lat, lng in rows if lv == "town"]
        categories = db.query("SELECT code, name FROM cases_category WHERE active ORDER BY code")
        if not villages or not towns or not categories:
            raise SetupError("the bench database has no divisions or categories")
        return cls(villages, towns, [(code, name) for code, name in categories])


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏"
)
# fmt: off
GIVEN = [
    "建国", "伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
    "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "海燕",
    "志强", "晓东", "国庆", "春花", "小红", "金水", "阿根", "雪芬", "永康", "美娟",
]
COMPANIES = [
    "建材", "五金", "纺织", "化工", "机械", "电器", "服饰", "物业服务", "建筑工程",
    "食品", "汽车维修", "装饰工程",
]
# fmt: on
MOBILE_PREFIXES = ("13", "15", "17", "18", "19")
TYPES = {"dispute": 60, "complaint": 12, "petition": 10, "request": 10, "consultation": 8}
CHANNELS = {
    "walk_in": 30,
    "phone": 18,
    "hotline_12345": 15,
    "grid": 12,
    "police_110": 6,
    "online_petition": 5,
    "letter": 4,
    "court_referral": 3,
    "portal": 5,
    "other": 2,
}
INTEGRATED = {"hotline_12345": "12345", "online_petition": "XF", "police_110": "110"}
OPENINGS = [
    "{who}{a}反映：{since}以来，与{b}因{topic}问题多次发生争执，",
    "{who}{a}来电称，{place}的{topic}问题已持续{months}个月，",
    "{who}{a}到窗口反映，其与{b}之间存在{topic}纠纷，",
    "网格员上报：{place}村民{a}与{b}因{topic}发生矛盾，",
    "{who}{a}通过来信反映{place}{topic}问题，",
]
MIDDLES = [
    "村调委会曾组织调解一次，双方分歧较大未能达成一致。",
    "双方情绪较为激动，曾发生肢体推搡，派出所已出警劝离。",
    "涉及金额约{amount}元，对方以各种理由拖延至今。",
    "申请人提供了相关照片、合同复印件及聊天记录等材料。",
    "该问题涉及{n}户村民，群众意见较大。",
    "此前已向镇（街道）相关部门反映，尚未得到答复。",
]
ENDINGS = [
    "请求中心协调处理。",
    "希望有关部门尽快介入，依法依规解决。",
    "要求对方赔偿损失并赔礼道歉。",
    "请求组织双方进行调解。",
    "咨询通过何种途径维护自身合法权益。",
]


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def id_number(rng: random.Random) -> str:
    """A valid GB 11643 resident ID: a Shaoxing region code, a birth date, a check digit."""
    region = rng.choice(["330604", "330682", "330602", "330621", "330683"])
    born = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


class BodyMaker:
    """Varied, valid `CaseIn` bodies; one per client thread (its own random generator)."""

    def __init__(self, ref: Reference, seed: int, run_id: str) -> None:
        self.ref, self.rng, self.run_id, self.made = ref, random.Random(seed), run_id, 0
        self.prefix = f"{run_id}-{seed}"

    def __call__(self) -> bytes:
        rng, ref = self.rng, self.ref
        self.made += 1
        place = rng.choice(ref.villages) if rng.random() < 0.85 else rng.choice(ref.towns)
        roll = rng.random()
        code, topic = rng.choice(ref.categories) if roll < 0.95 else ("", "其他")
        case_type, channel = weighted(rng, TYPES), weighted(rng, CHANNELS)
        parties = self._parties(rng.choice((1, 1, 2, 2, 2, 3)), place)
        group = rng.random() < 0.05
        people = rng.randint(5, 40) if group else len(parties)
        amount = rng.choice((None, None, rng.randint(5, 50_000) * 10))
        words = {
            "who": {"dispute": "申请人", "petition": "信访人", "complaint": "投诉人"}.get(
                case_type, "来电人"
            ),
            "a": parties[0]["name"],
            "b": parties[1]["name"] if len(parties) > 1 else "邻居",
            "topic": topic,
            "place": place.name,
            "since": f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月",
            "months": rng.randint(2, 30),
            "amount": f"{amount or rng.randint(1, 90) * 1000:,}",
            "n": people,
        }
        text = rng.choice(OPENINGS) + "".join(rng.sample(MIDDLES, rng.randint(1, 3)))
        body: dict[str, object] = {
            "type": case_type,
            "channel": channel,
            "description": (text + rng.choice(ENDINGS)).format(**words),
            "division": place.code,
            "category": code,
            "address": f"{place.name}{rng.randint(1, 300)}号" if rng.random() < 0.7 else "",
            "people_count": people,
            "parties": parties,
        }
        if rng.random() < 0.5:
            body["title"] = f"{place.name.split('街道')[-1].split('镇')[-1]}{topic}"[:60]
        if amount is not None:
            body["amount"] = f"{amount:.2f}"
        if place.lat is not None and place.lng is not None and rng.random() < 0.6:
            body["lat"] = round(place.lat + rng.uniform(-0.004, 0.004), 6)
            body["lng"] = round(place.lng + rng.uniform(-0.004, 0.004), 6)
        if system := INTEGRATED.get(channel):
            body["source_id"] = f"{system}-{self.prefix}-{self.made:07d}"
        return json.dumps(body, ensure_ascii=False).encode()

    def _parties(self, count: int, place: Place) -> list[dict[str, str]]:
        rng = self.rng
        parties = []
        for i, role in enumerate(("applicant", "respondent", "third_party")[:count]):
            company = role == "respondent" and rng.random() < 0.3
            if company:
                name = f"绍兴市上虞{rng.choice('华盛鑫达恒宏')}{rng.choice(COMPANIES)}有限公司"
            else:
                name = person(rng)
            party = {"role": role, "name": name}
            if not company and (i == 0 or rng.random() < 0.6):
                party["id_number"] = id_number(rng)
            if i == 0 or rng.random() < 0.7:
                party["phone"] = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**9):09d}"
            if rng.random() < 0.5:
                party["address"] = f"{place.name}{rng.randint(1, 300)}号"
            parties.append(party)
        return parties


# --------------------------------------------------------------------------------------------
# Load


@dataclass
class Endpoint:
    label: str
    method: str
    path: str
    expected: int
    headers: dict[str, str]
    body: Callable[[], bytes] | None = None  # called per request; one maker per client


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # a few bodies of unexpected answers


@dataclass
class PhaseResult:
    endpoint: str
    seconds: float
    latencies: list[float]
    errors: Counter[str]
    samples: list[str]
    client_cpu: float  # CPU seconds of this (client) process during the phase
    server_cpu: dict[str, float]  # CPU seconds of the app workers ("app") and backends ("db")

    def cpu_per_request(self, group: str) -> float:
        """Milliseconds of CPU per request in `group`, NaN when not measured."""
        if group not in self.server_cpu or not self.requests:
            return math.nan
        return self.server_cpu[group] / self.requests * 1000

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        return percentile(self.latencies, p)


def percentile(seconds: list[float], p: float) -> float:
    """Nearest-rank percentile of durations in seconds, in milliseconds; NaN when empty."""
    if not seconds:
        return math.nan
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def client(
    port: int,
    endpoint: Endpoint,
    body: Callable[[], bytes] | None,
    start: threading.Barrier,
    clock: dict[str, float],
    result: ClientResult,
) -> None:
    """One keep-alive connection: warm up, wait for the others, then send until the deadline."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)

    def send(record: bool) -> None:
        nonlocal conn
        payload = body() if body else None
        began = time.perf_counter()
        try:
            conn.request(endpoint.method, endpoint.path, payload, endpoint.headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            if record:
                result.errors[type(exc).__name__] += 1
            return
        elapsed = time.perf_counter() - began
        if response.will_close:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        if not record:
            return
        result.latencies.append(elapsed)
        if response.status != endpoint.expected:
            result.errors[str(response.status)] += 1
            if len(result.samples) < 3:
                result.samples.append(f"{response.status} {answer[:300].decode(errors='replace')}")

    try:
        for _ in range(WARMUP_REQUESTS):
            send(record=False)
        start.wait()
        deadline = clock["deadline"]
        while time.perf_counter() < deadline:
            send(record=True)
    finally:
        conn.close()


def run_phase(
    port: int,
    endpoint: Endpoint,
    makers: list[Callable[[], bytes] | None],
    seconds: float,
    meter: CpuMeter,
) -> PhaseResult:
    results = [ClientResult() for _ in makers]
    clock: dict[str, float] = {}

    def go() -> None:  # runs once, when every client has warmed up
        meter.start()
        clock["started"] = time.perf_counter()
        clock["cpu"] = time.process_time()
        clock["deadline"] = clock["started"] + seconds

    start = threading.Barrier(len(makers) + 1, action=go)
    threads = [
        threading.Thread(
            target=client, args=(port, endpoint, maker, start, clock, result), daemon=True
        )
        for maker, result in zip(makers, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=120)
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    finished = time.perf_counter()
    server_cpu = meter.stop()
    errors: Counter[str] = Counter()
    for result in results:
        errors.update(result.errors)
    return PhaseResult(
        endpoint=endpoint.label,
        seconds=finished - clock["started"],
        latencies=[x for result in results for x in result.latencies],
        errors=errors,
        samples=[s for result in results for s in result.samples][:3],
        client_cpu=time.process_time() - clock["cpu"],
        server_cpu=server_cpu,
    )


def get_token(port: int, username: str = USERNAME) -> str:
    """A bearer token for a demo account (the demo password)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 200:
        raise SetupError(f"token for {username}: {response.status} {answer[:300]!r}")
    return json.loads(answer)["token"]


# --------------------------------------------------------------------------------------------
# Report


def report(
    args: argparse.Namespace,
    db: Database,
    prepared: Prepared,
    server: Server,
    phases: dict[str, PhaseResult],
    cases_after: int,
    load_before: str,
    load_after: str,
) -> None:
    intake, bare = phases[INTAKE], phases[BARE]
    seeding = (
        f"seeded in {prepared.seed_seconds:.1f} s"
        if prepared.seed_seconds is not None
        else "kept from an earlier run, seeding skipped"
    )
    print()
    print(f"Concord intake benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"  database     {db.name}: {prepared.seeded:,} cases {seeding}")
    print(f"               {prepared.cases_before:,} cases at start, {cases_after:,} at the end")
    print(
        f"  server       gunicorn {gunicorn_version()}, {server.workers} workers × "
        f"{server.threads} threads (gthread), DEBUG off, CONN_MAX_AGE=60, {os.cpu_count()} CPUs"
    )
    print(f"  machine      load average {load_before} before the phases, {load_after} after")
    print(
        f"  clients      {args.concurrency} thread{'s' * (args.concurrency != 1)}, "
        "one keep-alive connection each, "
        f"{args.seconds:.0f} s per phase after {WARMUP_REQUESTS} warm-up requests per client"
    )
    print()
    header = f"  {'endpoint':<20} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    print(header + f" {'p99 ms':>8} {'errors':>7}   {'CPU ms/request: app':>19} {'db':>5}")
    for phase in (intake, bare):
        print(
            f"  {phase.endpoint:<20} {phase.requests:>9,} {phase.rps:>8.1f} "
            f"{phase.percentile(50):>8.1f} {phase.percentile(95):>8.1f} "
            f"{phase.percentile(99):>8.1f} {sum(phase.errors.values()):>7,}   "
            f"{phase.cpu_per_request('app'):>19.2f} {phase.cpu_per_request('db'):>5.2f}"
        )
    print(
        "  (CPU: gunicorn workers and PostgreSQL backends, from /proc; the client used "
        + ", ".join(f"{p.client_cpu / p.seconds:.0%}" for p in (intake, bare) if p.seconds)
        + " of a core)"
    )
    for phase in (intake, bare):
        if phase.errors:
            by_status = ", ".join(f"{k}: {v:,}" for k, v in phase.errors.most_common())
            print(f"  errors of {phase.endpoint}: {by_status}")
            for sample in phase.samples:
                print(f"    e.g. {sample}")
    print()
    print(
        f"intake p50={intake.percentile(50):.1f}ms p95={intake.percentile(95):.1f}ms "
        f"rps={intake.rps:.1f} | bare p50={bare.percentile(50):.1f}ms "
        f"p95={bare.percentile(95):.1f}ms rps={bare.rps:.1f}"
    )


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews the figures."""
    return f"{os.getloadavg()[0]:.2f}"


def gunicorn_version() -> str:
    from importlib.metadata import version

    return version("gunicorn")


# --------------------------------------------------------------------------------------------


def add_server_arguments(
    parser: argparse.ArgumentParser, database_url: str, seed_timeout: float
) -> None:
    """The options of a benchmark that seeds a database and serves it with gunicorn:
    --database-url, --keep, --workers, --threads, --seed-timeout."""
    parser.add_argument(
        "--database-url",
        default=database_url,
        help=f"bench database; its name must contain 'bench' [{database_url}]",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (a later run reuses it)"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers [2]")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker [4]")
    parser.add_argument(
        "--seed-timeout",
        type=float,
        default=seed_timeout,
        help=f"time limit of seeding, seconds [{seed_timeout:.0f}]",
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase [60]")
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed [100000]")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections [4]")
    add_server_arguments(parser, DEFAULT_DATABASE_URL, seed_timeout=1800)
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = Database(args.database_url)
    server: Server | None = None
    phases: dict[str, PhaseResult] = {}
    try:
        prepared = prepare(db, args.cases, args.seed_timeout)
        ref = Reference.load(db)
        server = Server(db, free_port(), args.workers, args.threads)
        ready = server.wait_ready()
        print(f"· gunicorn up on {HOST}:{server.port} in {ready:.1f} s")
        token = get_token(server.port)
        meter = CpuMeter(server.process.pid, db)
        run_id = dt.datetime.now().strftime("%y%m%d%H%M%S")
        bare = Endpoint(BARE, "GET", "/healthz", 200, {})
        intake = Endpoint(
            INTAKE,
            "POST",
            "/api/v1/cases",
            201,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        load_before = load_average()
        print(f"· phase 1: {BARE} for {args.seconds:.0f} s", flush=True)
        phases[BARE] = run_phase(server.port, bare, [None] * args.concurrency, args.seconds, meter)
        print(f"· phase 2: {INTAKE} for {args.seconds:.0f} s", flush=True)
        makers: list[Callable[[], bytes] | None] = [
            BodyMaker(ref, seed=i, run_id=run_id) for i in range(args.concurrency)
        ]
        phases[INTAKE] = run_phase(server.port, intake, makers, args.seconds, meter)
        cases_after = db.case_count()
        if server.process.poll() is not None:
            print(f"! gunicorn died during the run:\n{server.log_tail()}")
        report(args, db, prepared, server, phases, cases_after, load_before, load_average())
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
            failed = server.process.returncode not in (0, None)
            if failed or any(phase.errors for phase in phases.values()):
                print(f"· gunicorn exited with {server.process.returncode}; log: {server.log.name}")
            else:
                os.unlink(server.log.name)
        if args.keep:
            print(f"· kept database {db.name} (--keep)")
        else:
            db.drop()
            print(f"· dropped database {db.name}")
    return 1 if any(phase.errors for phase in phases.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
