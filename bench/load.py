"""Load benchmark: many customers at once against gunicorn, on SQLite and on PostgreSQL.

Starts gunicorn (sync workers, one thread each) on a free loopback port, serving the desk from
a fresh throwaway database: SQLite in a temporary directory (the embedded default, with its
WAL and busy-timeout settings), then, when DATABASE_URL (or --postgres) names a PostgreSQL
cluster, a throwaway database `<name>_load_<pid>` created there and dropped at the end. Each
database is migrated (which installs the default SLA policy) and seeded with organizations,
customers with portal passwords and API tokens, and feature requests open to votes.

Then N customers (threads) log in to the portal and make M requests each, as a mix of: ticket
creation through the API (201) and the portal form (302 to the ticket), replies to their own
tickets through both, votes on the feature requests (each customer votes once for each, the
customers all at once for the same one), the API list, the API search and the portal's home.
Logins (slow on purpose: password hashing) come before the clock starts; requests/s counts
the mix. The desk runs with its development defaults (DEBUG on, e-mail printed to the log)
and gunicorn's own defaults otherwise (a 30 s worker timeout).

Prints, side by side per database: requests and requests/s, p50/p95 latency and status codes
per kind of request, whether any 5xx happened (with the first lines of gunicorn's log about
them), and a loss check: tickets, replies and votes in the database against the successes the
clients were told of. Everything started is stopped, even on Ctrl-C.

    .venv/bin/python bench/load.py [--threads 20] [--requests 50] [--workers 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/loadbench .venv/bin/python bench/load.py
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

SCRIPT = Path(__file__).resolve()
BASE_DIR = SCRIPT.parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "load-bench-pass-2026"
CUSTOMER_PREFIX = "load-"
TICKET_MARK = "load ticket"
REPLY_MARK = "load reply"
CUSTOMERS_PER_ORGANIZATION = 4
REQUEST_TIMEOUT = 120  # seconds: longer than gunicorn's own worker timeout (30 s)

# One customer's rhythm, repeated; creation comes first so a reply always has a ticket.
CYCLE = (
    "api_create",
    "api_list",
    "portal_create",
    "api_reply",
    "api_search",
    "vote",
    "portal_home",
    "portal_reply",
    "api_create",
    "api_search",
)
# The status that means the request did what it was asked (votes alternate API / portal).
EXPECTED = {
    "login": "302",
    "api_create": "201",
    "portal_create": "302",
    "api_reply": "201",
    "portal_reply": "302",
    "api_vote": "200",
    "portal_vote": "302",
    "api_list": "200",
    "api_search": "200",
    "portal_home": "200",
}


# --- In the desk's own process (a subprocess per database): seeding and counting ----------


def _django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()


def seed(customers: int, feature_requests: int) -> dict:
    """Organizations, customers (one password hash for all: hashing is slow) with tokens,
    and public feature requests under review; returns what the clients need to log in."""
    _django_setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.services import api_token_create
    from feature_requests.models import FeatureRequest
    from sla import selectors as sla_selectors
    from tests import factories
    from tickets.models import OrganizationMember, Ticket

    now = timezone.now()
    hashed = make_password(PASSWORD)
    organizations = [
        factories.make_organization(name=f"Carga {number}")
        for number in range(max(1, -(-customers // CUSTOMERS_PER_ORGANIZATION)))
    ]
    seeded = []
    for number in range(customers):
        user = get_user_model().objects.create(
            username=f"{CUSTOMER_PREFIX}{number:03d}", password=hashed
        )
        OrganizationMember.objects.create(
            user=user, organization=organizations[number // CUSTOMERS_PER_ORGANIZATION]
        )
        _token, key = api_token_create(user=user, name="load bench", now=now)
        seeded.append({"username": user.username, "token": key})
    # The author is no load customer: their own vote is not one the load casts.
    author = factories.make_customer(username="bench-author", organization=organizations[0])
    proposals = [
        factories.make_feature_request(
            author=author,
            title=f"Proposta de carga {number}",
            status=FeatureRequest.Status.UNDER_REVIEW,
        ).pk
        for number in range(feature_requests)
    ]
    policy = sla_selectors.default_policy()
    levels = [{"code": t.level.code, "pk": t.level.pk} for t in policy.targets.all()]
    return {
        "customers": seeded,
        "feature_requests": proposals,
        "levels": levels,
        "category": Ticket.Category.OTHER,
        "scope": Ticket.Scope.ONE_CUSTOMER,
    }


def count() -> dict:
    """What the load left in the database, to hold against what the clients were told."""
    _django_setup()
    from django.db.models import Sum

    from communications.models import Message
    from feature_requests.models import FeatureRequest, Vote
    from tickets.models import Ticket

    proposals = FeatureRequest.objects.filter(title__startswith="Proposta de carga")
    return {
        "tickets": Ticket.objects.filter(subject__startswith=TICKET_MARK).count(),
        "replies": Message.objects.filter(body__startswith=REPLY_MARK).count(),
        "votes": Vote.objects.filter(user__username__startswith=CUSTOMER_PREFIX).count(),
        "vote_rows": Vote.objects.filter(feature_request__in=proposals).count(),
        "vote_count_sum": proposals.aggregate(total=Sum("vote_count"))["total"] or 0,
    }


# --- The clients ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer we measure (the portal's success), not something to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Record:
    kind: str
    status: str
    seconds: float
    detail: str = ""


@dataclass
class Customer:
    """One customer as a browser (cookie jar, CSRF) and as an integration (API token)."""

    base: str
    username: str
    token: str
    jar: CookieJar = field(default_factory=CookieJar)
    references: list[str] = field(default_factory=list)
    voted: set[int] = field(default_factory=set)

    def __post_init__(self):
        self.portal = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.api = urllib.request.build_opener(_NoRedirect)

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def send(self, method: str, path: str, *, form=None, payload=None) -> tuple[int, dict, bytes]:
        """One request: through the session when `form` or no payload, else with the token."""
        headers, data, opener = {}, None, self.portal
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.csrf()}
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if payload is not None or path.startswith("/api/"):
            opener = self.api
            headers["Authorization"] = f"Token {self.token}"
            headers["Accept"] = "application/json"
            if payload is not None:
                data = json.dumps(payload).encode()
                headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def _timed(kind: str, call) -> Record:
    """Run one request and classify it: its status code, or the error that replaced it."""
    started = time.perf_counter()
    try:
        status, detail = call()
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
        reason = getattr(error, "reason", error)
        status, detail = f"error:{type(reason).__name__}", str(reason)
    return Record(kind, str(status), time.perf_counter() - started, detail)


def _failure_detail(status: int, body: bytes) -> str:
    """For a 5xx, the exception Django's debug page names (its <title>), else the body's start."""
    if status < 500:
        return ""
    text = body.decode(errors="replace")
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    return " ".join((title.group(1) if title else text[:200]).split())


def _redirected_to(headers, pattern: str) -> re.Match | None:
    return re.search(pattern, headers.get("Location", "") or "")


def login(customer: Customer) -> Record:
    def call():
        customer.send("GET", "/accounts/login/")
        status, _headers, body = customer.send(
            "POST", "/accounts/login/", form={"username": customer.username, "password": PASSWORD}
        )
        return status, _failure_detail(status, body)

    return _timed("login", call)


def api_create(customer: Customer, seed_data: dict, number: int) -> Record:
    level = seed_data["levels"][number % len(seed_data["levels"])]
    payload = {
        "subject": f"{TICKET_MARK} {customer.username} api {number}",
        "description": "Gerado pelo benchmark de carga.",
        "priority": level["code"],
    }

    def call():
        status, _headers, body = customer.send("POST", "/api/tickets/", payload=payload)
        if status == 201:
            customer.references.append(json.loads(body)["reference"])
        return status, _failure_detail(status, body)

    return _timed("api_create", call)


def portal_create(customer: Customer, seed_data: dict, number: int) -> Record:
    level = seed_data["levels"][number % len(seed_data["levels"])]
    form = {
        "subject": f"{TICKET_MARK} {customer.username} portal {number}",
        "description": "Gerado pelo benchmark de carga.",
        "priority": level["pk"],
        "category": seed_data["category"],
        "scope": seed_data["scope"],
        "affected_service": "",
        "integration": "",
    }

    def call():
        status, headers, body = customer.send("POST", "/tickets/new/", form=form)
        opened = _redirected_to(headers, r"/tickets/(HD-\d{4}-\d{6})/")
        if status == 302 and opened:
            customer.references.append(opened.group(1))
        elif status == 302:
            return "302-elsewhere", headers.get("Location", "")
        return status, _failure_detail(status, body)

    return _timed("portal_create", call)


def reply(customer: Customer, kind: str, number: int) -> Record:
    if not customer.references:
        return Record(kind, "skipped", 0.0, "no ticket of its own yet")
    reference = customer.references[number % len(customer.references)]
    body = f"{REPLY_MARK} {customer.username} {number}"

    def call():
        if kind == "api_reply":
            path, sent = f"/api/tickets/{reference}/messages/", {"payload": {"body": body}}
        else:
            path, sent = f"/tickets/{reference}/reply/", {"form": {"body": body}}
        status, headers, answer = customer.send("POST", path, **sent)
        if status == 302 and not _redirected_to(headers, f"/tickets/{reference}/"):
            return "302-elsewhere", headers.get("Location", "")
        return status, _failure_detail(status, answer)

    return _timed(kind, call)


def vote(customer: Customer, feature_request: int, number: int) -> Record:
    """Alternately through the API and the portal; every customer votes once per request."""
    kind = "api_vote" if number % 2 == 0 else "portal_vote"
    path = f"/api/feature-requests/{feature_request}/vote/"
    if kind == "portal_vote":
        path = f"/feature-requests/{feature_request}/vote/"

    def call():
        if kind == "api_vote":
            status, headers, body = customer.send("POST", path, payload={})
        else:
            status, headers, body = customer.send("POST", path, form={})
            if status == 302 and not _redirected_to(
                headers, f"/feature-requests/{feature_request}/"
            ):
                return "302-elsewhere", headers.get("Location", "")
        if str(status) == EXPECTED[kind]:
            customer.voted.add(feature_request)
        return status, _failure_detail(status, body)

    return _timed(kind, call)


def read(customer: Customer, kind: str) -> Record:
    path = {
        "api_list": "/api/tickets/",
        "api_search": f"/api/tickets/?search={customer.username}",
        "portal_home": "/",
    }[kind]

    def call():
        status, _headers, body = customer.send("GET", path)
        return status, _failure_detail(status, body)

    return _timed(kind, call)


def customer_run(customer: Customer, seed_data: dict, requests: int, start, stop) -> list:
    """Log in, wait for every customer, then make `requests` requests of the mix."""
    try:
        records = [login(customer)]
    finally:
        start.wait()  # even after a failed login: the others must not wait for this one
    counters = Counter()
    for slot in range(requests):
        if stop.is_set():
            break
        kind = CYCLE[slot % len(CYCLE)]
        number = counters[kind]
        counters[kind] += 1
        if kind == "api_create":
            records.append(api_create(customer, seed_data, number))
        elif kind == "portal_create":
            records.append(portal_create(customer, seed_data, number))
        elif kind in ("api_reply", "portal_reply"):
            records.append(reply(customer, kind, number))
        elif kind == "vote":
            proposals = seed_data["feature_requests"]
            records.append(vote(customer, proposals[number % len(proposals)], number))
        else:
            records.append(read(customer, kind))
    return records


def fire(base: str, seed_data: dict, requests: int) -> tuple[list[Record], float, list]:
    """All customers at once; returns the records, the mixed phase's duration, the customers."""
    customers = [Customer(base, c["username"], c["token"]) for c in seed_data["customers"]]
    start = threading.Barrier(len(customers) + 1)
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=len(customers))
    try:
        futures = [
            pool.submit(customer_run, customer, seed_data, requests, start, stop)
            for customer in customers
        ]
        start.wait()  # every customer logged in
        began = time.perf_counter()
        records = [record for future in futures for record in future.result()]
        elapsed = time.perf_counter() - began
    except BaseException:
        stop.set()
        start.abort()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return records, elapsed, customers


# --- The server and the databases ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage_env(database_url: str, var_dir: Path) -> dict:
    """The desk's environment: this database, and var/ (secret key, media) in the temp dir."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "PYTHONUNBUFFERED": "1",
    }


def _in_desk(env: dict, *args: str) -> str:
    """Run this script (or manage.py) in a subprocess against the throwaway database."""
    done = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, log: Path):
    """gunicorn in its own process group, killed with the whole group when we are done."""
    port = _free_port()
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "helpdesk.wsgi:application",
                *("--workers", str(workers), "--threads", "1"),
                *("--bind", f"127.0.0.1:{port}"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(server, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _uninterrupted(_stop_group, server)


def _wait_ready(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop_group(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGINT)  # gunicorn: quick shutdown
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _uninterrupted(cleanup, *args) -> None:
    """Clean up even if Ctrl-C is pressed again meanwhile."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cleanup(*args)
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def postgres_database(url: str):
    """A throwaway database `<name>_load_<pid>` in the cluster `url` names, dropped after."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_load_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _uninterrupted(_drop_database, admin, name)


def _drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- One database, start to end ------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    records: list[Record]
    elapsed: float
    expected: dict
    found: dict
    log_excerpt: list[str]


def _votes_cast(customers: list[Customer]) -> int:
    return len({(c.username, pk) for c in customers for pk in c.voted})


def _successes(records: list[Record], *kinds: str) -> int:
    return sum(1 for r in records if r.kind in kinds and r.status == EXPECTED[r.kind])


def _log_excerpt(log: Path, lines: int = 40) -> list[str]:
    """gunicorn's log from the first error on (tracebacks, worker timeouts)."""
    text = log.read_text(errors="replace").splitlines()
    marks = ("Traceback", "Internal Server Error", "ERROR", "CRITICAL", "WORKER TIMEOUT")
    first = next((i for i, line in enumerate(text) if any(m in line for m in marks)), None)
    return [] if first is None else text[first : first + lines]


def run_backend(name: str, database_url: str, args, scratch: Path) -> Outcome:
    env = _manage_env(database_url, scratch)
    print(f"[{name}] migrating a fresh database…", flush=True)
    _in_desk(env, "manage.py", "migrate", "--noinput")
    votes_each = sum(1 for slot in range(args.requests) if CYCLE[slot % len(CYCLE)] == "vote")
    seed_data = json.loads(
        _in_desk(env, str(SCRIPT), "--internal-seed", str(args.threads), str(max(1, votes_each)))
    )
    log = scratch / "gunicorn.log"
    with gunicorn(env, args.workers, log) as base:
        print(f"[{name}] {args.threads} customers x {args.requests} requests…", flush=True)
        records, elapsed, customers = fire(base, seed_data, args.requests)
    expected = {
        "tickets": _successes(records, "api_create", "portal_create"),
        "replies": _successes(records, "api_reply", "portal_reply"),
        "votes": _votes_cast(customers),
    }
    found = json.loads(_in_desk(env, str(SCRIPT), "--internal-count"))
    return Outcome(name, records, elapsed, expected, found, _log_excerpt(log))


def run_sqlite(args) -> Outcome:
    scratch = Path(tempfile.mkdtemp(prefix="helpdesk-load-"))
    try:
        return run_backend("SQLite", f"sqlite:///{scratch / 'load.sqlite3'}", args, scratch)
    finally:
        _uninterrupted(shutil.rmtree, scratch, True)


def run_postgres(args) -> Outcome:
    scratch = Path(tempfile.mkdtemp(prefix="helpdesk-load-"))
    try:
        with postgres_database(args.postgres) as url:
            return run_backend("PostgreSQL", url, args, scratch)
    finally:
        _uninterrupted(shutil.rmtree, scratch, True)


# --- The report ----------------------------------------------------------------------------


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    if len(seconds) < 2:
        return (seconds[0], seconds[0]) if seconds else (0.0, 0.0)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _kind_cell(outcome: Outcome, kind: str) -> str:
    records = [r for r in outcome.records if r.kind == kind and r.status != "skipped"]
    statuses = Counter(r.status for r in outcome.records if r.kind == kind)
    if not statuses:
        return "-"
    p50, p95 = _percentiles([r.seconds for r in records])
    codes = " ".join(f"{code}x{n}" for code, n in sorted(statuses.items()))
    return f"{p50 * 1000:6.0f} {p95 * 1000:6.0f}  {codes}"


def _server_errors(outcome: Outcome) -> list[Record]:
    return [r for r in outcome.records if r.status.startswith(("5", "error"))]


def report(outcomes: list[Outcome]) -> None:
    width = 42
    print()
    print(f"{'':18}" + "".join(f"{o.name:<{width}}" for o in outcomes))
    mixed = [[r for r in o.records if r.kind != "login"] for o in outcomes]
    rows = [
        (
            "requests",
            [
                f"{len(m)} (+{len(o.records) - len(m)} logins)"
                for o, m in zip(outcomes, mixed, strict=True)
            ],
        ),
        (
            "requests/s",
            [
                f"{len(m) / o.elapsed:.1f} over {o.elapsed:.1f} s"
                for o, m in zip(outcomes, mixed, strict=True)
            ],
        ),
        ("", ["p50 ms p95 ms  status x count" for _ in outcomes]),
    ]
    rows += [(kind, [_kind_cell(o, kind) for o in outcomes]) for kind in EXPECTED]
    rows.append(("5xx / errors", [str(len(_server_errors(o))) for o in outcomes]))
    for check in ("tickets", "replies", "votes"):
        rows.append(
            (
                f"{check} in db",
                [
                    f"{o.found[check]} vs {o.expected[check]} told "
                    + ("ok" if o.found[check] == o.expected[check] else "MISMATCH")
                    for o in outcomes
                ],
            )
        )
    rows.append(
        (
            "vote_count",
            [
                f"{o.found['vote_count_sum']} vs {o.found['vote_rows']} rows "
                + ("ok" if o.found["vote_count_sum"] == o.found["vote_rows"] else "MISMATCH")
                for o in outcomes
            ],
        )
    )
    for label, cells in rows:
        print(f"{label:<18}" + "".join(f"{cell:<{width}}" for cell in cells))
    for outcome in outcomes:
        _report_errors(outcome)


def _report_errors(outcome: Outcome) -> None:
    errors = _server_errors(outcome)
    lost = any(outcome.found[k] != outcome.expected[k] for k in outcome.expected)
    print()
    if not errors:
        print(
            f"{outcome.name}: no 5xx and no connection errors." + (" WRITES LOST." if lost else "")
        )
        return
    print(f"{outcome.name}: {len(errors)} 5xx or connection errors:")
    for (kind, status, detail), n in Counter(
        (r.kind, r.status, r.detail) for r in errors
    ).most_common(10):
        print(f"  {n} x {kind} {status}: {detail[:150]}")
    print("  gunicorn's log from the first error:")
    for line in outcome.log_excerpt or ["  (nothing logged)"]:
        print(f"    {line[:200]}")


def _terminated(signum, frame):
    """A `kill` stops the run as Ctrl-C does, so the cleanup runs too."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20, help="concurrent customers")
    parser.add_argument("--requests", type=int, default=50, help="requests per customer")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL cluster URL (default: DATABASE_URL); empty: SQLite only",
    )
    parser.add_argument("--internal-seed", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--internal-count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal_seed:
        print(json.dumps(seed(*args.internal_seed)))
        return
    if args.internal_count:
        print(json.dumps(count()))
        return
    signal.signal(signal.SIGTERM, _terminated)
    try:
        outcomes = [run_sqlite(args)]
        if args.postgres.startswith(("postgres://", "postgresql://")):
            outcomes.append(run_postgres(args))
    except KeyboardInterrupt:
        sys.exit("Interrupted: gunicorn stopped, throwaway databases and files removed.")
    report(outcomes)


if __name__ == "__main__":
    main()
