"""Load benchmark: a mixed workload at a fixed arrival rate against production-like Concord
with 1,000,000 cases.

What it does, in order:

1. Prepares a PostgreSQL database of its own (default `concord_bench_load`) as a copy
   (`CREATE DATABASE … TEMPLATE`) of a seeded one, so that the seeded original stays as it was:
   `concord_bench_dashboard` (bench/dashboard.py's, kept with --keep) when it exists and holds
   at least `--cases` cases; else `concord_bench_load_seed`, which this script seeds itself with
   bench/intake.py's code (`manage.py seed_demo --cases N`, `VACUUM (ANALYZE)`; reused when a
   run kept it). The copy is migrated to the current schema and analysed. `collectstatic`
   builds the static files production serves (the load requests none).
2. Starts Concord as production runs it: gunicorn (`-w 2 --threads 4`, gthread) with
   `CONCORD_PRODUCTION=1`, `CONCORD_DEBUG=0` and persistent database connections. Background
   jobs run in the app processes after each commit (`CELERY_BROKER_URL` empty), or with
   `--celery` on two `celery worker` processes over Redis (`redis://127.0.0.1:6379/12`).
3. Takes API tokens for clerk, dispatcher, leader and the handler baiguan of 百官街道 (eight
   each, standing for a center's staff: the API allows a token 600 requests a minute) and
   signs the dispatcher, the leader and baiguan in on the login page for session cookies;
   sends each kind of request a few times and registers cases for the transitions (none of
   this is counted).
4. Sends `--rate` requests a second for `--seconds` (open model: request i is due at
   start + i/rate whatever happened to the others; a slow server shows as latency, never as a
   lower rate) from up to `--connections` keep-alive connections. The mix (MIX, `--mix`):
   intake (POST /api/v1/cases), case lists (API with filters and pages; the /cases/ page),
   case detail (API and page), transitions (accept → assign → sign → resolve → rate → archive
   on cases registered during the run, each with the version it read), the dashboard
   (/api/v1/stats/kpis, /api/v1/stats/map, the /dashboard/ page and its KPI cards).
5. Prints per request type and variant: requests, achieved rate, p50/p95/p99/max latency (from
   the moment the request was due to its whole answer), errors by status; CPU per request in
   the app and the database; RSS of the gunicorn master and workers and of the PostgreSQL
   backends at start, end and peak; the load average; and a last line to compare runs. Stops
   the servers and drops the databases it made unless `--keep` (a seed kept by an earlier run
   stays until dropped by hand).

    .venv/bin/python bench/load.py [--seconds 600] [--rate 100] [--keep] [--celery]

Exit status: 0 when every request got its expected answer, 1 when some did not, 2 on a set-up
failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import (  # noqa: E402 - bench/ is put on the path just above
    HOST,
    PASSWORD,
    REQUEST_TIMEOUT,
    ROOT,
    BodyMaker,
    CpuMeter,
    Database,
    Reference,
    Server,
    SetupError,
    add_server_arguments,
    app_env,
    bench_url_problem,
    free_port,
    get_token,
    gunicorn_version,
    manage,
    percentile,
    prepare,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench_load"
TEMPLATE = "concord_bench_dashboard"  # bench/dashboard.py's 1,000,000 cases, copied if present
BROKER = "redis://127.0.0.1:6379/12"
COUNTY, TOWN = "330604000000", "330604001000"  # 上虞区, 百官街道
HANDLER_ORG = "town-330604001"  # 百官街道's center: baiguan's organisation, lead of the run's cases
MAX_IN_FLIGHT = 64
TIMED_OUT = f"no answer within {REQUEST_TIMEOUT:g} s"
IDLE_REOPEN = 10.0  # seconds: gunicorn closes a keep-alive connection idle for 15 (intake.Server)
PIPELINE_START = 24  # cases registered before the clock for the first transitions

# The mix: weights of the request types (printed as shares of their sum).
MIX = {
    "intake": 14,
    "list-api": 16,
    "list-page": 8,
    "detail-api": 16,
    "detail-page": 10,
    "transition": 14,
    "kpis": 8,
    "map": 6,
    "dashboard-page": 8,
}
# Transitions, in lifecycle order, and who takes each.
STEPS = ("accept", "assign", "sign", "resolve", "rate", "archive")
ACTOR = {
    "accept": "clerk",
    "assign": "dispatcher",
    "sign": "baiguan",
    "resolve": "baiguan",
    "rate": "clerk",
    "archive": "dispatcher",
}
TOKEN_USERS = ("clerk", "dispatcher", "leader", "baiguan")
# The API allows a token 600 requests a minute (CONCORD["API_RATE_LIMITS"]); four accounts
# stand for a center's staff, so each has several tokens: at 100 req/s the busiest (the clerk,
# about 27 a second) sends some 200 a minute on each.
TOKENS_PER_ACCOUNT = 8
SESSION_USERS = ("dispatcher", "leader", "baiguan")
# Who reads lists and cases, by weight (baiguan sees 百官街道's cases and those it holds).
READERS = {"dispatcher": 35, "clerk": 25, "leader": 15, "baiguan": 25}
PAGE_READERS = {"dispatcher": 50, "leader": 20, "baiguan": 30}  # the signed-in ones
STATUSES = ("open", "registered", "accepted", "in_progress", "resolved", "rated", "archived")
CHANNELS = ("walk_in", "phone", "hotline_12345", "grid", "police_110", "online_petition")
WORDS = ("工资", "噪音", "宅基地", "物业", "漏水", "拖欠", "赔偿", "邻居")
# Variants of a list request: what a user narrows the list by, with weights.
LIST_FILTERS = {
    "newest": 30,
    "status": 20,
    "town": 15,
    "category": 10,
    "channel+period": 10,
    "risk": 10,
    "keyword": 5,
}


# --------------------------------------------------------------------------------------------
# Database


def derived(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass
class Source:
    name: str
    cases: int
    note: str  # how it came to be


def prepare_databases(args: argparse.Namespace, run: Database, made: list[Database]) -> Source:
    """The run's database, a migrated and analysed copy of a seeded one; what it was copied
    from. The run's database of an earlier run (kept or left by a crash) is dropped first.
    `made` gets the databases this run makes (to drop unless --keep); a seed that an earlier
    run kept is not one of them: it stays until dropped by hand."""
    run.clear()
    source = template_source(args, run)
    if source is None:
        seed = Database(derived(run.url, f"{run.name}_seed"))
        if seed.seeded_marker() != args.cases:  # seeded by this run: dropped unless --keep
            made.append(seed)
        prepared = prepare(seed, args.cases, args.seed_timeout)
        how = (
            f"seeded in {prepared.seed_seconds:.0f} s"
            if prepared.seed_seconds is not None
            else "kept by an earlier run"
        )
        source = Source(seed.name, prepared.cases_before, f"{how}, seed_demo --cases {args.cases}")
    started = time.monotonic()
    made.append(run)
    try:
        run.create(template=source.name)
    except psycopg.Error as exc:
        raise SetupError(f"copying {source.name} into {run.name}: {exc}") from None
    run.mark(args.cases)
    print(f"· copied {source.name} into {run.name} in {time.monotonic() - started:.1f} s")
    for name, value in args.pg:
        run.set(name, value)
        print(f"· ALTER DATABASE {run.name} SET {name} = {value}")
    started = time.monotonic()
    manage(run, "migrate", "--noinput", "-v", "0", timeout=1800)
    print(f"· migrated {run.name} in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    run.vacuum_analyze()
    print(f"· VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    manage(run, "collectstatic", "--noinput", "-v", "0", timeout=1800)
    print(f"· collectstatic in {time.monotonic() - started:.1f} s")
    return source


def template_source(args: argparse.Namespace, run: Database) -> Source | None:
    """bench/dashboard.py's kept database, when it exists with enough cases (never changed)."""
    template = Database(derived(run.url, args.template))
    if template.name == run.name or template.seeded_marker() is None:
        return None
    cases = template.case_count()
    if cases < args.cases:
        print(f"· {template.name} holds {cases:,} cases, fewer than {args.cases:,}: not used")
        return None
    return Source(template.name, cases, "kept by bench/dashboard.py")


def drop_if_ours(db: Database) -> None:
    if (marker := db.seeded_marker()) is not None and marker != -1:
        db.drop()
        print(f"· dropped database {db.name}")


@dataclass
class World:
    """What the requests are made of, read from the database before the run."""

    ref: Reference
    first_id: int
    last_id: int  # county staff see every seeded case: details pick ids in this range
    town_cases: list[int]  # a sample of 百官街道's cases, for baiguan
    handler_org: int
    today: dt.date
    tokens: dict[str, list[str]] = field(default_factory=dict)  # username → bearer tokens
    cookies: dict[str, str] = field(default_factory=dict)  # username → Cookie header


def read_world(db: Database) -> World:
    ref = Reference.load(db)
    (first, last), *_ = db.query("SELECT min(id), max(id) FROM cases_case")
    town = db.query(
        f"SELECT id FROM cases_case WHERE town_id = '{TOWN}' ORDER BY random() LIMIT 5000"
    )
    org = db.query(f"SELECT id FROM orgs_organisation WHERE code = '{HANDLER_ORG}'")
    if first is None or not town or not org:
        raise SetupError("the database has no cases in 百官街道 or no 百官街道 center")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return World(ref, first, last, [i for (i,) in town], org[0][0], today)


# --------------------------------------------------------------------------------------------
# Servers


def start_celery(db: Database, count: int) -> list[tuple[subprocess.Popen, Path]]:
    """`count` Celery workers (one process each) on the bench broker, its queue emptied first."""
    with socket.socket() as sock:
        sock.settimeout(2)
        if sock.connect_ex(("127.0.0.1", 6379)) != 0:
            raise SetupError("--celery needs Redis on 127.0.0.1:6379")
    celery = [sys.executable, "-m", "celery", "-A", "concord"]
    done = subprocess.run(
        [*celery, "purge", "-f"],
        cwd=ROOT,
        env=app_env(db),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise SetupError(f"celery purge failed:\n{done.stdout}{done.stderr}")
    workers = []
    for number in range(1, count + 1):
        log = Path(tempfile.mkstemp(prefix=f"concord-bench-celery{number}-", suffix=".log")[1])
        process = subprocess.Popen(
            [*celery, "worker", "-n", f"load{number}@%h", "--concurrency", "1", "-l", "warning"],
            cwd=ROOT,
            env=app_env(db),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        workers.append((process, log))
    return workers


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def sign_in(port: int, username: str) -> str:
    """The Cookie header of a session signed in through the login page (CSRF token and all)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = cookies_of(response)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or found is None or "csrftoken" not in cookies:
            raise SetupError(f"login page: {response.status}, no CSRF token")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": found[1]}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        }
        conn.request("POST", "/accounts/login/", urlencode(form), headers)
        response = conn.getresponse()
        answer = response.read()
        cookies |= cookies_of(response)
    except (OSError, http.client.HTTPException) as exc:
        raise SetupError(f"signing {username} in: {type(exc).__name__} {exc}") from None
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SetupError(f"signing {username} in: {response.status} {answer[:300]!r}")
    return "; ".join(f"{name}={cookies[name]}" for name in ("sessionid", "csrftoken"))


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


# --------------------------------------------------------------------------------------------
# Requests


@dataclass
class Request:
    kind: str  # the entry of the mix
    variant: str  # what in particular: a filter, an action, a scope
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expected: int = 200
    answered: Callable[[int, bytes], None] | None = None  # told the status and the body


class Pipeline:
    """Cases registered during the run, each waiting for its next transition.

    A transition takes a case already on its way while a dozen are (so that every step of the
    lifecycle is exercised), else a newly registered one; a case is out of the pipeline while
    its transition is in flight, so no two transitions of one case overlap."""

    WORKING = 12

    def __init__(self) -> None:
        self.new: deque[tuple[int, int, int]] = deque()  # (case id, version, next step)
        self.going: deque[tuple[int, int, int]] = deque()
        self.completed = 0
        self.lock = threading.Lock()

    def add(self, status: int, body: bytes) -> None:
        if status == 201:
            case = json.loads(body)
            with self.lock:
                self.new.append((case["id"], case["version"], 0))

    def take(self) -> tuple[int, int, int] | None:
        with self.lock:
            if self.going and (len(self.going) >= self.WORKING or not self.new):
                return self.going.popleft()
            return self.new.popleft() if self.new else None

    def moved(self, case_id: int, step: int) -> Callable[[int, bytes], None]:
        def answered(status: int, body: bytes) -> None:
            if status != 200:
                return  # counted as an error; the case leaves the pipeline
            version = json.loads(body)["version"]
            with self.lock:
                if step + 1 < len(STEPS):
                    self.going.append((case_id, version, step + 1))
                else:
                    self.completed += 1

        return answered

    def __len__(self) -> int:
        return len(self.new) + len(self.going)


class Traffic:
    """Makes the requests of each type, varied by a seeded random generator."""

    def __init__(self, world: World, seed: int, run_id: str) -> None:
        self.world, self.rng, self.lock = world, random.Random(seed), threading.Lock()
        self.bodies = BodyMaker(world.ref, seed=seed, run_id=run_id)
        self.pipeline = Pipeline()
        self.no_case = 0  # transitions due while no case was waiting (counted as errors)

    def make(self, kind: str) -> Request | None:
        with self.lock:
            return getattr(self, "_" + kind.replace("-", "_"))()

    def _api(self, user: str, json_body: bool = False) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.rng.choice(self.world.tokens[user])}"}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _page(self, user: str) -> dict[str, str]:
        return {"Cookie": self.world.cookies[user]}

    def _pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _intake(self) -> Request:
        return Request(
            "intake",
            "clerk",
            "POST",
            "/api/v1/cases",
            self._api("clerk", json_body=True),
            self.bodies(),
            201,
            self.pipeline.add,
        )

    def _filters(self, user: str) -> tuple[str, dict[str, object]]:
        rng, ref = self.rng, self.world.ref
        variant = self._pick(LIST_FILTERS)
        query: dict[str, object] = {}
        if variant == "status":
            query["status"] = rng.choice(STATUSES)
        elif variant == "town":
            query["division"] = TOWN if user == "baiguan" else rng.choice(ref.towns).code
            if rng.random() < 0.5:
                query["status"] = "open"
        elif variant == "category":
            query["category"] = rng.choice(ref.categories)[0]
        elif variant == "channel+period":
            first = self.world.today - dt.timedelta(days=rng.randrange(30, 365))
            query["channel"] = rng.choice(CHANNELS)
            query["received_from"] = first.isoformat()
            query["received_to"] = (first + dt.timedelta(days=30)).isoformat()
        elif variant == "risk":
            query["risk_level"] = rng.choice(("red", "orange"))
        elif variant == "keyword":
            query["q"] = rng.choice(WORDS)
        roll = rng.random()
        page = 1 if roll < 0.7 else rng.randint(2, 5) if roll < 0.95 else rng.randint(10, 40)
        if page > 1:
            query["page"] = page
        return variant, query

    def _list_api(self) -> Request:
        user = self._pick(READERS)
        variant, query = self._filters(user)
        if self.rng.random() < 0.2:
            query["page_size"] = 50
        path = "/api/v1/cases" + (f"?{urlencode(query)}" if query else "")
        return Request("list-api", variant, "GET", path, self._api(user))

    def _list_page(self) -> Request:
        user = self._pick(PAGE_READERS)
        variant, query = self._filters(user)
        path = "/cases/" + (f"?{urlencode(query)}" if query else "")
        return Request("list-page", variant, "GET", path, self._page(user))

    def _case_id(self, user: str) -> int:
        if user == "baiguan":
            return self.rng.choice(self.world.town_cases)
        return self.rng.randint(self.world.first_id, self.world.last_id)

    def _detail_api(self) -> Request:
        user = self._pick(READERS)
        path = f"/api/v1/cases/{self._case_id(user)}"
        return Request("detail-api", user, "GET", path, self._api(user))

    def _detail_page(self) -> Request:
        user = self._pick(PAGE_READERS)
        path = f"/cases/{self._case_id(user)}/"
        return Request("detail-page", user, "GET", path, self._page(user))

    def _transition(self) -> Request | None:
        taken = self.pipeline.take()
        if taken is None:
            self.no_case += 1
            return None
        case_id, version, step = taken
        action = STEPS[step]
        body: dict[str, object] = {"action": action, "version": version}
        if action == "assign":
            body["lead_org"] = self.world.handler_org
        elif action == "resolve":
            body |= {"result": "mediated", "reply": "经调解双方达成协议，已当场履行。"}
        elif action == "rate":
            body["satisfaction"] = self.rng.choice(("satisfied", "basically_satisfied"))
        return Request(
            "transition",
            action,
            "POST",
            f"/api/v1/cases/{case_id}/transitions",
            self._api(ACTOR[action], json_body=True),
            json.dumps(body, ensure_ascii=False).encode(),
            200,
            self.pipeline.moved(case_id, step),
        )

    def _period(self) -> tuple[str, dict[str, str]]:
        today = self.world.today
        if self.rng.random() < 0.6:
            return "year", {"from": (today - dt.timedelta(days=364)).isoformat()}
        return "month", {"from": today.replace(day=1).isoformat()}

    def _kpis(self) -> Request:
        where, division = ("county", COUNTY) if self.rng.random() < 0.6 else ("town", TOWN)
        span, query = self._period()
        query = {"division": division, **query, "to": self.world.today.isoformat()}
        path = f"/api/v1/stats/kpis?{urlencode(query)}"
        return Request("kpis", f"{where} {span}", "GET", path, self._api("leader"))

    def _map(self) -> Request:
        roll = self.rng.random()
        if roll < 0.4:
            variant, query = "county red", {"division": COUNTY, "risk": "red"}
        elif roll < 0.8:
            variant, query = "town", {"division": TOWN}
        else:
            variant, query = "county", {"division": COUNTY}
        path = f"/api/v1/stats/map?{urlencode(query)}"
        return Request("map", variant, "GET", path, self._api("leader"))

    def _dashboard_page(self) -> Request:
        user = "leader" if self.rng.random() < 0.7 else "dispatcher"
        if self.rng.random() < 0.5:
            return Request("dashboard-page", "page", "GET", "/dashboard/", self._page(user))
        span, query = self._period()
        query = {"division": COUNTY, **query, "to": self.world.today.isoformat()}
        path = f"/dashboard/kpis/?{urlencode(query)}"
        return Request("dashboard-page", f"kpi cards {span}", "GET", path, self._page(user))


# --------------------------------------------------------------------------------------------
# The run


class Connection:
    """One keep-alive connection, opened again after an error, a close or a long idle spell."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0

    def send(self, request: Request, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
        """Status and body of the answer; OSError (TimeoutError after `timeout` seconds of
        silence) or HTTPException when there is none."""
        if self.conn is not None and time.monotonic() - self.used > IDLE_REOPEN:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        elif self.conn.sock is not None:
            self.conn.sock.settimeout(timeout)
        try:
            self.conn.request(request.method, request.path, request.body, request.headers)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        self.used = time.monotonic()
        return response.status, body

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Tally:
    requests: int = 0  # due ones, answered or not
    ok: int = 0  # answered with the expected status
    latencies: list[float] = field(default_factory=list)  # due → whole answer, seconds
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.ok += other.ok
        self.latencies += other.latencies
        self.errors.update(other.errors)
        self.samples += other.samples[: 3 - len(self.samples)]


@dataclass
class Run:
    tallies: dict[tuple[str, str], Tally]  # (type, variant) → what happened
    started: float
    finished: float  # the last answer
    waits: list[float]  # due → sent: time waiting for a free connection in the client
    scheduler_lag: float  # the most the scheduler fell behind a due time, seconds
    client_cpu: float
    unfinished: int  # requests still in flight when the run gave up waiting

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def by_type(self) -> dict[str, Tally]:
        out: dict[str, Tally] = {}
        for (kind, _variant), tally in self.tallies.items():
            out.setdefault(kind, Tally()).add(tally)
        return out

    def total(self) -> Tally:
        out = Tally()
        for tally in self.tallies.values():
            out.add(tally)
        return out


def send_recorded(
    conn: Connection, request: Request | None, kind: str, due: float, tally_of, lock
) -> None:
    """Send one due request and record its latency or error. A request has REQUEST_TIMEOUT
    from the moment it was due, waiting for a connection included; no request (no case
    ready for a transition) is an error too."""
    if request is None:
        with lock:
            tally = tally_of((kind, "no case ready"))
            tally.requests += 1
            tally.errors["no case ready"] += 1
        return
    try:
        left = REQUEST_TIMEOUT - (time.perf_counter() - due)
        if left <= 0:
            raise TimeoutError
        status, body = conn.send(request, timeout=left)
    except (OSError, http.client.HTTPException) as exc:
        with lock:
            tally = tally_of((kind, request.variant))
            tally.requests += 1
            name = type(exc).__name__
            tally.errors[TIMED_OUT if isinstance(exc, TimeoutError) else name] += 1
        return
    latency = time.perf_counter() - due
    if request.answered is not None and status == request.expected:
        try:
            request.answered(status, body)
        except (ValueError, KeyError) as exc:  # not the JSON the API documents
            status = f"unreadable answer ({type(exc).__name__})"
    with lock:
        tally = tally_of((kind, request.variant))
        tally.requests += 1
        tally.latencies.append(latency)
        if status == request.expected:
            tally.ok += 1
        else:
            tally.errors[str(status)] += 1
            if len(tally.samples) < 3:
                text = body[:300].decode(errors="replace")
                tally.samples.append(f"{status} {request.method} {request.path} {text}")


def run_load(
    port: int, traffic: Traffic, mix: dict[str, int], rate: float, seconds: float, in_flight: int
) -> Run:
    """Send rate × seconds requests, request i due at start + i/rate, from up to `in_flight`
    connections. A request due while every connection is busy waits in the client, and the
    wait counts in its latency: the load stays open whatever the server does."""
    count = round(rate * seconds)
    rng = random.Random(7)
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=count)
    due_queue: queue.SimpleQueue = queue.SimpleQueue()
    tallies: dict[tuple[str, str], Tally] = {}
    waits: list[float] = []
    lock = threading.Lock()
    last_answer = [0.0]

    def tally_of(key: tuple[str, str]) -> Tally:
        return tallies.setdefault(key, Tally())

    def worker() -> None:
        conn = Connection(port)
        try:
            while (item := due_queue.get()) is not None:
                due, kind = item
                sent = time.perf_counter()
                if sent - due >= REQUEST_TIMEOUT:  # waited its whole time for a connection
                    with lock:
                        tally = tally_of((kind, "(not sent)"))
                        tally.requests += 1
                        tally.errors[TIMED_OUT] += 1
                    continue
                send_recorded(conn, traffic.make(kind), kind, due, tally_of, lock)
                with lock:
                    waits.append(sent - due)
                    last_answer[0] = max(last_answer[0], time.perf_counter())
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    started = time.perf_counter() + 0.05
    lag = 0.0
    for number, kind in enumerate(kinds):
        due = started + number / rate
        if (ahead := due - time.perf_counter()) > 0:
            time.sleep(ahead)
        else:
            lag = max(lag, -ahead)
        due_queue.put((due, kind))
    for _ in threads:
        due_queue.put(None)
    give_up = time.monotonic() + REQUEST_TIMEOUT + 15  # every request has ended by then
    for thread in threads:
        thread.join(timeout=max(0.1, give_up - time.monotonic()))
    unfinished = sum(thread.is_alive() for thread in threads)
    return Run(
        tallies=tallies,
        started=started,
        finished=max(last_answer[0], started + seconds),
        waits=waits,
        scheduler_lag=lag,
        client_cpu=time.process_time() - cpu,
        unfinished=unfinished,
    )


def warm_up(port: int, traffic: Traffic, mix: dict[str, int]) -> None:
    """Each request type a few times, then cases for the first transitions; not counted. An
    unexpected answer here means a wrong request: a set-up failure."""
    conn = Connection(port)
    try:
        plan = [kind for kind in mix if kind != "transition" and mix[kind]] * 3
        plan += ["intake"] * PIPELINE_START
        for kind in plan:
            request = traffic.make(kind)
            assert request is not None
            try:
                status, body = conn.send(request)
            except (OSError, http.client.HTTPException) as exc:
                raise SetupError(f"warm-up {request.path}: {type(exc).__name__} {exc}") from None
            if status != request.expected:
                text = body[:300].decode(errors="replace")
                raise SetupError(f"warm-up {request.method} {request.path}: {status} {text}")
            if request.answered is not None:
                request.answered(status, body)
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# Machine figures


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, private anonymous RSS) of a process in kB from /proc; zeros when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)

    def kb(name: str) -> int:
        return int(fields.get(name, "0 kB").split()[0])

    return kb("VmRSS"), kb("RssAnon")


@dataclass
class Sample:
    at: float
    load1: float
    app: tuple[int, int, int]  # processes, RSS kB, anonymous kB
    db: tuple[int, int, int]
    cpu: tuple[int, int]  # the machine's busy and total CPU time so far, in ticks


def machine_cpu() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot, from /proc/stat; zeros elsewhere."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def busy_share(first: Sample, last: Sample) -> float:
    """How busy the machine's CPUs were between two samples (everyone's work), 0 to 1."""
    total = last.cpu[1] - first.cpu[1]
    return (last.cpu[0] - first.cpu[0]) / total if total else math.nan


class Monitor:
    """Load average and memory of gunicorn (master and workers) and of the database's
    backends, every few seconds on a thread of its own."""

    EVERY = 5.0

    def __init__(self, master_pid: int, meter: CpuMeter, db: Database) -> None:
        self.master_pid, self.meter, self.db = master_pid, meter, db
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection | None = None

    def sample(self) -> Sample:
        if self._conn is None:
            self._conn = psycopg.connect(self.db.url, autocommit=True, connect_timeout=10)
        backends = [
            pid
            for (pid,) in self._conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            ).fetchall()
        ]
        app_pids = [self.master_pid, *self.meter.workers()]
        sample = Sample(
            time.perf_counter(),
            os.getloadavg()[0],
            total(app_pids),
            total(backends),
            machine_cpu(),
        )
        self.samples.append(sample)
        return sample

    def start(self) -> Sample:
        first = self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return first

    def _run(self) -> None:
        while not self._stop.wait(self.EVERY):
            self.sample()

    def stop(self) -> Sample:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        last = self.sample()
        if self._conn is not None:
            self._conn.close()
        return last


def total(pids: list[int]) -> tuple[int, int, int]:
    figures = [memory_kb(pid) for pid in pids]
    alive = [f for f in figures if f[0]]
    return len(alive), sum(f[0] for f in alive), sum(f[1] for f in alive)


# --------------------------------------------------------------------------------------------
# Report


def mb(kb: int) -> float:
    return kb / 1024


def row(label: str, tally: Tally, seconds: float, weight: str = "") -> str:
    errors = sum(tally.errors.values())
    count = tally.requests
    rps = tally.ok / seconds if seconds else 0.0  # achieved: answered as expected
    figures = [percentile(tally.latencies, p) for p in (50, 95, 99, 100)]
    return (
        f"  {label:<28} {weight:>6} {count:>9,} {rps:>7.1f} "
        + " ".join("       —" if math.isnan(x) else f"{x:>8.1f}" for x in figures)
        + f" {errors:>7,}"
    )


def report(
    args: argparse.Namespace,
    source: Source,
    run_db: Database,
    server: Server,
    run: Run,
    mix: dict[str, int],
    traffic: Traffic,
    cpu: dict[str, float],
    monitor: Monitor,
    cases: tuple[int, int],
) -> Tally:
    first, last = monitor.samples[0], monitor.samples[-1]
    loads = [s.load1 for s in monitor.samples]
    weight_sum = sum(mix.values())
    jobs = (
        f"background jobs on 2 Celery workers ({BROKER})"
        if args.celery
        else "background jobs in the app processes (no broker)"
    )
    print()
    print(f"Concord load benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(
        f"  database     {run_db.name}: copy of {source.name} ({source.cases:,} cases, "
        f"{source.note}); {cases[0]:,} cases at start, {cases[1]:,} at the end"
    )
    print(
        f"  server       gunicorn {gunicorn_version()}, {server.workers} workers × "
        f"{server.threads} threads (gthread), CONCORD_PRODUCTION=1, DEBUG off, "
        f"CONN_MAX_AGE=60; {jobs}"
    )
    if args.pg:
        settings = ", ".join(f"{name}={value}" for name, value in args.pg)
        print(f"  PostgreSQL   {settings} (ALTER DATABASE, --pg)")
    print(
        f"  load         {args.rate:g} requests/s for {args.seconds:g} s, open model (request i "
        f"due at start + i/rate), up to {args.connections} keep-alive connections"
    )
    print(
        f"  machine      {os.cpu_count()} CPUs; load average (1 min) {first.load1:.2f} at the "
        f"start, {last.load1:.2f} at the end, {sum(loads) / len(loads):.2f} on average, "
        f"{max(loads):.2f} at most; CPUs {busy_share(first, last):.0%} busy during the run "
        "(all processes)"
    )
    print()
    print(
        f"  {'request type / variant':<28} {'mix %':>6} {'requests':>9} {'ok/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    )
    by_type = run.by_type()
    for kind, weight in mix.items():
        if kind not in by_type:
            continue
        share = f"{weight / weight_sum * 100:.0f}"
        print(row(kind, by_type[kind], run.seconds, share))
        variants = sorted((v, t) for (k, v), t in run.tallies.items() if k == kind)
        for variant, tally in variants:
            print(row(f"  · {variant}", tally, run.seconds))
    everything = run.total()
    print(row("all", everything, run.seconds, "100"))
    print()
    print(
        f"  ok/s: answers with the expected status per second over {run.seconds:.1f} s, from "
        "the first request due to the last answer"
    )
    print(
        "  latency (of the answered requests): from the moment a request was due to its whole "
        "answer; waiting for a free "
        f"connection in the client: p99 {percentile(run.waits, 99):.1f} ms, max "
        f"{percentile(run.waits, 100):.1f} ms; scheduler at most {run.scheduler_lag * 1000:.1f} "
        "ms late"
    )
    if run.unfinished:
        print(f"  ! {run.unfinished} connections still waiting for an answer at the end")
    if cpu:
        requests = len(everything.latencies) or 1
        print(
            f"  CPU per request: {cpu['app'] / requests * 1000:.1f} ms in gunicorn's workers, "
            f"{cpu['db'] / requests * 1000:.1f} ms in PostgreSQL's backends "
            f"({(cpu['app'] + cpu['db']) / run.seconds:.2f} of the {os.cpu_count()} CPUs; "
            "parallel query workers not counted); "
            f"the client used {run.client_cpu / run.seconds:.0%} of a core"
        )
    print(
        f"  transitions: {traffic.pipeline.completed:,} cases went from registration to "
        f"archive during the run, {len(traffic.pipeline):,} still on their way"
    )
    peak_app = max(monitor.samples, key=lambda s: s.app[1]).app
    peak_db = max(monitor.samples, key=lambda s: s.db[1]).db
    print()
    print(f"  {'memory (RSS, MB)':<42} {'start':>8} {'end':>8} {'peak':>8}")
    for label, pick, peak in (
        (f"gunicorn master + {server.workers} workers", lambda s: s.app, peak_app),
        ("PostgreSQL backends of the database", lambda s: s.db, peak_db),
    ):
        a, b = pick(first), pick(last)
        print(
            f"  {label:<42} {mb(a[1]):>8.0f} {mb(b[1]):>8.0f} {mb(peak[1]):>8.0f}"
            f"   ({a[0]} → {b[0]} processes)"
        )
        print(
            f"  {'  of which private (RssAnon)':<42} {mb(a[2]):>8.0f} {mb(b[2]):>8.0f} "
            f"{mb(peak[2]):>8.0f}"
        )
    print("  (a backend's RSS counts the pages of PostgreSQL's shared buffers it has touched)")
    for kind, tally in by_type.items():
        if tally.errors:
            by_status = ", ".join(f"{k}: {v:,}" for k, v in tally.errors.most_common())
            print(f"  errors of {kind}: {by_status}")
            for sample in tally.samples:
                print(f"    e.g. {sample}")
    print()
    print(
        f"load rps={everything.ok / run.seconds:.1f} errors={sum(everything.errors.values())} "
        f"p50={percentile(everything.latencies, 50):.1f}ms "
        f"p95={percentile(everything.latencies, 95):.1f}ms "
        f"p99={percentile(everything.latencies, 99):.1f}ms "
        f"mem_start={mb(first.app[1]):.0f}MB mem_end={mb(last.app[1]):.0f}MB"
    )
    return everything


# --------------------------------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, int]:
    mix = dict(MIX)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        if name not in MIX or not weight.isdigit():
            raise argparse.ArgumentTypeError(
                f"--mix takes NAME=WEIGHT,… with NAME one of {', '.join(MIX)}"
            )
        mix[name] = int(weight)
    if not any(mix.values()):
        raise argparse.ArgumentTypeError("--mix leaves nothing to send")
    return {name: weight for name, weight in mix.items() if weight}


def pg_setting(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[\w.]+", value):
        raise argparse.ArgumentTypeError("--pg takes NAME=VALUE, e.g. jit=off")
    return name, value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="length of the run [600]")
    parser.add_argument("--rate", type=float, default=100, help="requests per second [100]")
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=dict(MIX),
        help="weights to change, e.g. map=0,intake=20 ["
        + ",".join(f"{k}={v}" for k, v in MIX.items())
        + "]",
    )
    parser.add_argument(
        "--only", choices=list(MIX), help="send this request type alone (its CPU per request)"
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="seeded cases [1000000]")
    add_server_arguments(parser, DEFAULT_DATABASE_URL, seed_timeout=7200)
    parser.add_argument(
        "--template",
        default=TEMPLATE,
        help=f"a seeded database to copy when it exists, never changed [{TEMPLATE}]",
    )
    parser.add_argument(
        "--celery", action="store_true", help=f"background jobs on 2 Celery workers ({BROKER})"
    )
    parser.add_argument(
        "--pg",
        type=pg_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the run's database, e.g. jit=off (repeatable)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=MAX_IN_FLIGHT,
        help=f"most requests in flight (client connections) [{MAX_IN_FLIGHT}]",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 7200:
        parser.error("--seconds must be between 1 and 7200")
    if not 0.1 <= args.rate <= 2000:
        parser.error("--rate must be between 0.1 and 2000")
    if not 1 <= args.connections <= 512:
        parser.error("--connections must be between 1 and 512")
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    if "bench" not in args.template:
        parser.error("--template must name a database whose name contains 'bench'")
    if args.only:
        args.mix = {args.only: 1}
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_db = Database(args.database_url)
    server: Server | None = None
    celery: list[tuple[subprocess.Popen, Path]] = []
    everything: Tally | None = None
    made: list[Database] = []
    # Production, whatever .env says; jobs in-process unless --celery.
    os.environ.update(CONCORD_PRODUCTION="1", CELERY_BROKER_URL=BROKER if args.celery else "")
    try:
        source = prepare_databases(args, run_db, made)
        world = read_world(run_db)
        if args.celery:
            celery = start_celery(run_db, 2)
            print(f"· {len(celery)} Celery workers started on {BROKER}")
        server = Server(run_db, free_port(), args.workers, args.threads)
        ready = server.wait_ready()
        print(f"· gunicorn up on {HOST}:{server.port} in {ready:.1f} s")
        world.tokens = {
            user: [get_token(server.port, user) for _ in range(TOKENS_PER_ACCOUNT)]
            for user in TOKEN_USERS
        }
        world.cookies = {user: sign_in(server.port, user) for user in SESSION_USERS}
        traffic = Traffic(world, seed=1, run_id=dt.datetime.now().strftime("%y%m%d%H%M%S"))
        started = time.monotonic()
        warm_up(server.port, traffic, args.mix)
        print(
            f"· warmed up in {time.monotonic() - started:.1f} s; "
            f"{len(traffic.pipeline)} cases ready for transitions"
        )
        cases_start = run_db.case_count()
        meter = CpuMeter(server.process.pid, run_db)
        monitor = Monitor(server.process.pid, meter, run_db)
        monitor.start()
        meter.start()
        print(f"· {args.rate:g} requests/s for {args.seconds:g} s …", flush=True)
        run = run_load(server.port, traffic, args.mix, args.rate, args.seconds, args.connections)
        cpu = meter.stop()
        monitor.stop()
        if server.process.poll() is not None:
            print(f"! gunicorn died during the run:\n{server.log_tail()}")
        cases_end = run_db.case_count()
        everything = report(
            args,
            source,
            run_db,
            server,
            run,
            args.mix,
            traffic,
            cpu,
            monitor,
            (cases_start, cases_end),
        )
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    finally:
        errors = everything is None or bool(everything.errors)
        if server is not None:
            server.stop()
            if errors or server.process.returncode not in (0, None):
                print(f"· gunicorn exited with {server.process.returncode}; log: {server.log.name}")
            else:
                os.unlink(server.log.name)
        for process, log in celery:
            stop_process(process)
            print(f"· Celery worker exited with {process.returncode}; log: {log}")
        for db in made:
            if args.keep:
                print(f"· kept database {db.name} (--keep)")
            else:
                drop_if_ours(db)
    return 1 if everything is None or everything.errors else 0


if __name__ == "__main__":
    sys.exit(main())
