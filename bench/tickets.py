"""Benchmark of a large desk (issue 13): 100,000 tickets, then 1,000,000, with their clocks.

Seeds a year of tickets in bulk (plain INSERTs with executemany, COPY on PostgreSQL, never
the services): 20% open (reported in the last days, so some clocks run, some are at risk and
some breached), 50 organizations of 4 customers, 40 analysts as assignees, words from a
Zipf vocabulary in subjects and descriptions, a customer message on half the tickets and an
internal note on a tenth. Then rebuilds the report's rollups (`reports_rebuild_rollups`:
the bulk load bypasses the triggers, removed meanwhile) and the search documents
(`search_reindex`, timed), and prints the median of 7 runs after a warm-up, with the query
count, of: the admin ticket list (plain, filtered, page 100, searched), the ticket admin
page, the API list as an analyst and as a customer (plain and searched), the portal's
search, opening a ticket by `ticket_create` and by POST /api/tickets/, and a year's
compliance report; also the clocks breaching in the next hour (with the query plan).
With --million the same desk grows to 1,000,000 tickets and is measured again; the table
at the end has a column per size, the targets beside.

Re-applying a changed policy to every open ticket is timed at 100,000 only (rolled back, so
the desk grows unchanged): at a million it would move 50,000 of 200,000 open tickets, several
minutes (45 s at 100,000 on a loaded machine). Figures over their target are marked "!" and
followed by the slowest query of one run and its plan (EXPLAIN ANALYZE on PostgreSQL),
creation's by every query it made; "cpu" is this process's time (SQLite's work included),
"sql" the time spent in the database driver.

Runs in a throwaway test database: SQLite by default, PostgreSQL when DATABASE_URL points
at one.

    .venv/bin/python bench/tickets.py                  # 100,000 tickets
    .venv/bin/python bench/tickets.py --million        # and 1,000,000 (tens of minutes)
    .venv/bin/python bench/tickets.py --tickets 1000000  # 1,000,000 only
    .venv/bin/python bench/tickets.py --tickets 1000000 --keep /tmp/hd1m.sqlite3  # kept
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/hd_scale .venv/bin/python \\
        bench/tickets.py --tickets 1000000 --keep hd1m    # kept, on PostgreSQL
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/hd_scale .venv/bin/python \\
        bench/tickets.py --million
"""

import argparse
import itertools
import logging
import os
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# The bench's few users make hundreds of API calls a minute: no throttling 429s.
os.environ.setdefault("API_THROTTLE_USER", "100000/minute")

import django

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bulk_values import datetimes, durations  # noqa: E402
from communications.models import Message  # noqa: E402
from reports import selectors as report_selectors  # noqa: E402
from reports import triggers  # noqa: E402
from sla import business_time  # noqa: E402
from sla import selectors as sla_selectors  # noqa: E402
from sla import services as sla_services  # noqa: E402
from sla.models import PriorityLevel, PriorityTarget, SLAClock  # noqa: E402
from tests import factories  # noqa: E402
from tickets import services as ticket_services  # noqa: E402
from tickets import triggers as breach_triggers  # noqa: E402
from tickets.models import Organization, Ticket  # noqa: E402

SEED = 20261125
MICROSECOND = timedelta(microseconds=1)
BATCH = 10_000
SPAN = timedelta(days=365)
OPEN_SHARE = 0.2
OPEN_AGE_DAYS = 5  # mean age of an open ticket: most recent, a long tail
ORGANIZATIONS, CUSTOMERS_EACH, ANALYSTS = 50, 4, 40
WARN_PERCENT = 75
REPEAT = 7
SEARCH_RANK = 100  # a word in a few percent of the tickets: neither rare nor everywhere
COMMON_WORDS = """
sistema erro relatório usuário acesso senha integração pedido nota fiscal faturamento
cliente servidor conexão lentidão impressão exportação importação configuração cadastro
produto estoque pagamento boleto cobrança contrato atualização versão módulo tela botão
mensagem notificação arquivo planilha banco dados sincronização aplicativo celular
navegador certificado permissão perfil empresa filial transferência cancelamento devolução
agendamento calendário horário período semana ontem hoje amanhã urgente crítico lento
travando falhando quebrado indisponível bloqueado duplicado incorreto faltando atrasado
invoice report login password server database connection timeout export import upload
download sync payment order customer account error failure crash slow broken missing
factura usuario contraseña informe lentitud pago almacén impresora etiqueta remessa
""".split()  # noqa: SIM905 (a paragraph is easier to read than a list)
SYLLABLES = """
ba be bi bo ca ce co da de do fa fe ga go la le li lo ma me mi mo na ne no pa pe pi po ra re ri
ro sa se so ta te ti to va ve vo ção ões ná ló tá
""".split()  # noqa: SIM905
TARGETS_MS = {"list": 100, "create": 25}
REPORT_TARGET_S = {"postgresql": 1, "sqlite": 3}


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Real words first (the most frequent), then made-up ones to a realistic vocabulary."""
    words = list(dict.fromkeys(COMMON_WORDS))
    rng.shuffle(words)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Desk:
    """What the seeded tickets point at, made once; the vocabulary their text is drawn from."""

    def __init__(self, now) -> None:
        self.now = now
        self.snapshot = sla_services.snapshot_take(sla_selectors.default_policy())
        self.engine = sla_services.snapshot_engine(self.snapshot)
        self.levels = list(PriorityLevel.objects.order_by("number"))
        self._people()
        self.targets = [
            sla_services.snapshot_targets(
                self.snapshot, level_code=level.code, integration_24x7=False
            )
            for level in self.levels
        ]
        self.words = vocabulary(3000, random.Random(SEED))
        weights = 1 / np.arange(10, len(self.words) + 10)
        self.weights = weights / weights.sum()
        self.vocab = np.array(self.words, dtype=object)
        customer = self.customers[0]
        self.ticket_template = Ticket(
            reference="",
            organization_id=customer.membership.organization_id,
            requester=customer,
            subject="",
            description="",
            priority=self.levels[0],
            reported_at=now,
            sla_snapshot=self.snapshot,
            created_at=now,
            updated_at=now,
        )
        self.clock_template = SLAClock(budget=timedelta(0), started_at=now)
        self.message_template = Message(direction="in", channel="portal", body="")
        self.message_template.created_at = self.message_template.updated_at = now

    def _people(self) -> None:
        """Organizations, customers and analysts: made on a new desk, found on a kept one
        (--keep), where the factories' numbering then starts past the users already there."""
        kept = list(Organization.objects.filter(name__startswith="Empresa ").order_by("name"))
        if kept:
            names = User.objects.filter(username__regex=r"^user[0-9]+$")
            numbers = [int(name[4:]) for name in names.values_list("username", flat=True)]
            factories._sequence = itertools.count(max(numbers, default=0) + 1)
            self.organizations = kept
            self.customers = list(
                User.objects.filter(membership__organization__in=kept)
                .select_related("membership")
                .order_by("pk")
            )
            self.analysts = list(
                User.objects.filter(is_staff=True, is_superuser=False).order_by("pk")[:ANALYSTS]
            )
            return
        self.organizations = [
            factories.make_organization(name=f"Empresa {n:02d}") for n in range(ORGANIZATIONS)
        ]
        self.customers = [
            factories.make_customer(organization=organization)
            for organization in self.organizations
            for _ in range(CUSTOMERS_EACH)
        ]
        self.analysts = [factories.make_analyst() for _ in range(ANALYSTS)]

    def texts(self, rng: np.random.Generator, count: int, width: int) -> list[str]:
        draws = rng.choice(len(self.words), count * width, p=self.weights)
        return [" ".join(row) for row in self.vocab[draws].reshape(-1, width).tolist()]


def seed(desk: Desk, count: int, rng: np.random.Generator) -> None:
    """Add `count` tickets, their two clocks and messages, in batches of plain INSERTs (as an
    import would). The report's triggers are off meanwhile: the rollups are rebuilt after; so
    are the tickets' breach triggers: every ticket's first breach is filled in after, at once."""
    triggers.triggers_remove()
    breach_triggers.triggers_remove()
    if connection.vendor == "sqlite":  # the backfill's one UPDATE walks tickets and clocks
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-2000000")  # 2 GB while seeding
    first = (Ticket.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    for start in range(0, count, BATCH):
        _seed_batch(desk, first + start, min(BATCH, count - start), rng)
    breach_triggers.breaches_backfill(batch=50_000)
    breach_triggers.triggers_install()
    triggers.triggers_install()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, SLAClock, Message]):
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size=-32768")  # back to the settings' size


def _insert(model, template, columns: dict[str, list]) -> None:
    """Rows of the given columns, the others from `template`; the id from the database unless
    given. COPY on PostgreSQL, executemany elsewhere."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key or field.column in columns
    ]
    size = len(next(iter(columns.values())))
    series = [
        columns[field.column]
        if field.column in columns
        else [field.get_db_prep_save(getattr(template, field.attname), connection)] * size
        for field in fields
    ]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    rows = zip(*series, strict=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))


def _seed_batch(desk: Desk, first_id: int, size: int, rng: np.random.Generator) -> None:
    now_us = business_time.to_microseconds(desk.now)
    day_us = int(timedelta(days=1) / MICROSECOND)
    is_open = rng.random(size) < OPEN_SHARE
    open_age = np.minimum(rng.exponential(OPEN_AGE_DAYS * day_us, size), SPAN / MICROSECOND)
    closed_age = rng.integers(3_600_000_000, int(SPAN / MICROSECOND), size)
    reported = now_us - np.where(is_open, open_age + 60_000_000, closed_age).astype(np.int64)
    level_of = rng.integers(0, len(desk.levels), size)
    customer_of = rng.integers(0, len(desk.customers), size)
    analyst_of = rng.integers(0, len(desk.analysts), size)
    status = np.where(
        is_open,
        rng.choice(["new", "assigned", "in_progress"], size, p=[0.25, 0.15, 0.6]),
        rng.choice(["resolved", "closed"], size, p=[0.3, 0.7]),
    )
    is_new = status == "new"
    ids = np.arange(first_id, first_id + size)
    customer_ids = np.array([c.pk for c in desk.customers])[customer_of]
    organizations = np.array([c.membership.organization_id for c in desk.customers])
    analyst_ids = np.array([a.pk for a in desk.analysts])[analyst_of]
    reported_db = datetimes(reported)

    clocks, due_of, met_of = [], {}, {}
    # Share of the budget used when each goal was reached: about 1 in 8 comes late.
    shares = {
        "first_response": rng.uniform(0.05, 1.15, size),
        "resolution": rng.uniform(0.1, 1.2, size),
    }
    for metric in ("first_response", "resolution"):
        budget = np.empty(size, dtype=np.int64)
        due = np.empty(size, dtype=np.int64)
        warn = np.empty(size, dtype=np.int64)
        kind = np.empty(size, dtype=object)
        for index, targets in enumerate(desk.targets):
            chosen = level_of == index
            target = targets[metric]
            budget[chosen] = target.duration // MICROSECOND
            kind[chosen] = target.clock.code
            due[chosen] = desk.engine.add_many(reported[chosen], budget[chosen], target.clock)
            warning = budget[chosen] * WARN_PERCENT // 100
            warn[chosen] = desk.engine.add_many(reported[chosen], warning, target.clock)
        reached = ~is_new if metric == "first_response" else ~is_open
        # wall-clock share of the span to the deadline (close enough for a bench), never ahead
        # of now: an open ticket answered a minute ago cannot have been answered tomorrow
        met = reported + ((due - reported) * shares[metric]).astype(np.int64)
        met = np.minimum(met, now_us - 1_000_000)
        state = np.where(
            reached,
            np.where(met <= due, "met", "breached"),
            np.where(now_us <= due, "running", "breached"),
        )
        breached = state == "breached"
        due_of[metric], met_of[metric] = np.where(reached, np.iinfo(np.int64).max, due), met
        clocks.append(
            {
                "ticket_id": ids.tolist(),
                "metric": [metric] * size,
                "clock": kind.tolist(),
                "budget": durations(budget),
                "started_at": reported_db,
                "due_at": datetimes(due),
                "state": state.tolist(),
                "met_at": datetimes(met, reached),
                "breached_at": datetimes(due, breached),
                "warn_at": datetimes(warn),
                # earlier sweeps warned what crossed its threshold before now (steady state)
                "warned_at": datetimes(warn, warn <= now_us),
                "time_used": durations((budget * shares[metric]).astype(np.int64), reached),
            }
        )
    next_due = np.minimum(due_of["first_response"], due_of["resolution"])
    _insert(
        Ticket,
        desk.ticket_template,
        {
            "id": ids.tolist(),
            "created_at": reported_db,
            "updated_at": reported_db,
            "reference": [f"HD-B-{number:07d}" for number in ids.tolist()],
            "organization_id": organizations[customer_of].tolist(),
            "requester_id": customer_ids.tolist(),
            "subject": desk.texts(rng, size, 6),
            "description": desk.texts(rng, size, 20),
            "priority_id": np.array([level.pk for level in desk.levels])[level_of].tolist(),
            "reported_at": reported_db,
            "status": status.tolist(),
            "assignee_id": np.where(is_new, None, analyst_ids.astype(object)).tolist(),
            "next_due_at": datetimes(np.minimum(next_due, now_us * 2), is_open),
            "resolved_at": datetimes(met_of["resolution"], ~is_open),
            "closed_at": datetimes(met_of["resolution"], status == "closed"),
        },
    )
    for columns in clocks:
        _insert(SLAClock, desk.clock_template, columns)
    # A customer's message on every even ticket, an analyst's internal note on every tenth.
    with_message = ids % 2 == 0
    with_note = ids % 10 == 0
    for chosen, direction, authors in (
        (with_message, "in", customer_ids),
        (with_note, "note", analyst_ids),
    ):
        count = int(chosen.sum())
        at = datetimes(np.minimum(reported[chosen] + 600_000_000, now_us))
        _insert(
            Message,
            desk.message_template,
            {
                "ticket_id": ids[chosen].tolist(),
                "direction": [direction] * count,
                "author_id": authors[chosen].tolist(),
                "body": desk.texts(rng, count, 15),
                "created_at": at,
                "updated_at": at,
            },
        )


class Timing(NamedTuple):
    wall: float  # median seconds
    cpu: float  # median seconds of this process's CPU (SQLite's work included, not PostgreSQL's)
    queries: list[dict]  # of one more run, with each query's time


def timed(function, repeat: int = REPEAT) -> Timing:
    """Medians of `repeat` calls after a warm-up one; the queries of one more, captured."""
    function()
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as queries:
        function()
    return Timing(statistics.median(walls), statistics.median(cpus), queries.captured_queries)


def explain(sql: str) -> list[str]:
    """The plan of a captured SELECT (its parameters inlined), as the database tells it."""
    # PostgreSQL: actual rows and times per node
    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    prefix = connection.ops.explain_query_prefix(**options)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"{prefix} {sql}")
            rows = cursor.fetchall()
    except Exception as error:  # a bench reports it and goes on
        return [f"(no plan: {error})"]
    if connection.vendor == "sqlite":  # (id, parent, notused, detail)
        return [f"{row[0]:>4} {row[1]:>4} {row[3]}" for row in rows]
    return [row[0] for row in rows]


def show_slowest(timing: Timing) -> None:
    """The slowest query of an over-target measurement, and its plan."""
    selects = [q for q in timing.queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not selects:
        return
    slowest = max(selects, key=lambda q: float(q["time"]))
    print(f"      slowest query ({float(slowest['time']) * 1000:.1f} ms): {slowest['sql'][:1500]}")
    for line in explain(slowest["sql"]):
        print(f"        {line}")


def get(client: Client, url: str, status: int = 200):
    def request():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response

    return request


class Results:
    """Rows of (label, target) with a figure per size, printed as a table at the end."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}  # label -> target
        self.figures: dict[tuple[str, int], str] = {}

    def add(self, size: int, label: str, figure: str, target: str = "") -> None:
        self.rows.setdefault(label, target)
        self.figures[label, size] = figure
        print(f"  {label}: {figure}" + (f"   (target {target})" if target else ""), flush=True)

    def timing(self, size: int, label: str, timing: Timing, kind: str) -> None:
        target_ms = TARGETS_MS[kind]
        count = len(timing.queries)
        over = timing.wall * 1000 > target_ms or (kind == "create" and count > 25)
        target = f"< {target_ms} ms" + (", <= 25 queries" if kind == "create" else "")
        sql = sum(float(query["time"]) for query in timing.queries)
        figure = (
            f"{timing.wall * 1000:.0f} ms (cpu {timing.cpu * 1000:.0f}, sql {sql * 1000:.0f}), "
            f"{count} q"
        )
        self.add(size, label, figure + (" !" if over else ""), target)
        if over and kind == "create":
            for number, query in enumerate(timing.queries, 1):
                milliseconds = float(query["time"]) * 1000
                print(f"      {number:>2} {milliseconds:6.1f} ms {query['sql'][:160]}")
        if over:
            show_slowest(timing)

    def print(self, sizes: list[int]) -> None:
        width = max(len(label) for label in self.rows) + 2
        cell = max(len(figure) for figure in self.figures.values()) + 2
        head = "".join(f"{size:>{cell},}" for size in sizes)
        print(f"\n{'measurement':<{width}}{head}   target")
        for label, target in self.rows.items():
            cells = "".join(f"{self.figures.get((label, size), '-'):>{cell}}" for size in sizes)
            print(f"{label:<{width}}{cells}   {target}".rstrip())


def measure(desk: Desk, size: int, results: Results, *, reapply: bool, rebuild: bool) -> None:
    """Rebuild what the bulk seed bypassed (`rebuild`: not on a kept desk that had every
    ticket already), then time the pages."""
    vendor = connection.vendor
    if rebuild:
        started = time.perf_counter()
        call_command("reports_rebuild_rollups", stdout=StringIO())
        results.add(size, "rollups rebuilt (reports_rebuild_rollups)", _seconds(started))
        started = time.perf_counter()
        call_command("search_reindex", stdout=StringIO())
        results.add(size, "search documents rebuilt (search_reindex)", _seconds(started))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    now = timezone.now()
    window = sla_selectors.clocks_breaching_between(now, now + timedelta(hours=1))
    seconds = timed(lambda: list(window.values_list("ticket_id", "due_at"))).wall
    found = window.count()
    results.add(size, "clocks breaching in the next hour", f"{seconds * 1000:.1f} ms ({found:,})")
    print("  query plan:")
    for line in window.explain().splitlines():
        print(f"      {line}")

    word = desk.words[SEARCH_RANK]
    page = min(100, size // 50)  # 50 a page
    superuser = factories.make_user(is_staff=True, is_superuser=True)
    analyst = desk.analysts[0]
    customer = desk.customers[0]
    clients = {}
    for name, user in (("superuser", superuser), ("analyst", analyst), ("customer", customer)):
        clients[name] = Client()
        clients[name].force_login(user)
    admin, api, portal = clients["superuser"], clients["analyst"], clients["customer"]
    pages = [
        ("admin list, first page", admin, "/admin/tickets/ticket/"),
        ("admin list ?status=new", admin, "/admin/tickets/ticket/?status=new"),
        ("admin list ?sla=breached", admin, "/admin/tickets/ticket/?sla=breached"),
        ("admin list ?sla=at_risk", admin, "/admin/tickets/ticket/?sla=at_risk"),
        ("admin list ?assignee=<analyst>", admin, f"/admin/tickets/ticket/?assignee={analyst.pk}"),
        # Django's admin pages are 1-based in `p` (since 4.x)
        (f"admin list page {page} (?p={page})", admin, f"/admin/tickets/ticket/?p={page}"),
        (f"admin search ?q={word}", admin, f"/admin/tickets/ticket/?q={word}"),
        ("API list, analyst", api, "/api/tickets/"),
        ("API list, customer", portal, "/api/tickets/"),
        (f"API ?search={word}, analyst", api, f"/api/tickets/?search={word}"),
        (f"API ?search={word}, customer", portal, f"/api/tickets/?search={word}"),
        (f"portal home ?q={word}, customer", portal, f"/?q={word}"),
    ]
    for label, client, url in pages:
        results.timing(size, label, timed(get(client, url)), kind="list")

    ticket = Ticket.objects.filter(pk__in=Message.objects.filter(direction="note").values("ticket"))
    url = f"/admin/tickets/ticket/{ticket.order_by('pk').first().pk}/change/"
    results.timing(size, "ticket admin page", timed(get(admin, url)), kind="list")

    medium = PriorityLevel.objects.get(code="media")
    organization = customer.membership.organization

    def create():
        ticket_services.ticket_create(
            organization=organization,
            requester=customer,
            subject="Nota fiscal rejeitada",
            description="A emissão da nota fiscal falha desde ontem.",
            priority=medium,
            now=timezone.now(),
        )

    results.timing(size, "ticket_create(...)", timed(create), kind="create")

    def post():
        response = portal.post(
            "/api/tickets/",
            {"subject": "Boleto duplicado", "description": "Dois boletos", "priority": "media"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    results.timing(size, "POST /api/tickets/, customer", timed(post), kind="create")

    year = report_selectors.Period((now - SPAN).date(), timezone.localdate(now))
    seconds, _, queries = timed(
        lambda: report_selectors.compliance_report(period=year, now=timezone.now()), 5
    )
    queries = len(queries)
    target = REPORT_TARGET_S[vendor]
    over = " !" if seconds > target else ""
    results.add(
        size, "compliance report, a year", f"{seconds:.3f} s, {queries} q{over}", f"< {target} s"
    )

    if reapply:
        results.add(size, "re-apply a changed policy (rolled back)", _reapply(superuser))


def _seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def _reapply(actor) -> str:
    policy = sla_selectors.default_policy()
    with transaction.atomic():
        target = PriorityTarget.objects.get(policy=policy, level__code="media")
        target.resolution_amount = 4
        target.save()
        open_count = Ticket.objects.open().count()
        started = time.perf_counter()
        moved = ticket_services.tickets_reapply_policy(
            policy=policy, actor=actor, now=timezone.now()
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return f"{elapsed:.1f} s ({moved:,} of {open_count:,} open)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="first size")
    parser.add_argument("--million", action="store_true", help="then grow to 1,000,000 tickets")
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="seed into the database NAME (SQLite: a file; PostgreSQL: a database on the "
        "DATABASE_URL's server) and keep it; a later run on the same NAME measures what is "
        "there and seeds only the tickets missing (to study one size without reseeding)",
    )
    args = parser.parse_args()
    sizes = [args.tickets] + ([1_000_000] if args.million and args.tickets < 1_000_000 else [])
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT: not collected
    settings.DEBUG = False  # no query log: it would cost time and fill up
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if args.keep:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = args.keep
    old_config = setup_databases(
        verbosity=0, interactive=False, serialized_aliases=set(), keepdb=bool(args.keep)
    )
    try:
        run(sizes)
    finally:
        if not args.keep:
            teardown_databases(old_config, verbosity=0)


def run(sizes: list[int]) -> None:
    rng = np.random.default_rng(SEED)
    desk = Desk(timezone.now())
    results = Results()
    print(f"database {connection.vendor}; {OPEN_SHARE:.0%} of tickets open", flush=True)
    for index, size in enumerate(sizes):
        started = time.perf_counter()
        missing = size - Ticket.objects.count()
        if missing > 0:  # a kept desk (--keep) may have them all
            seed(desk, missing, rng)
        print(f"{size:,} tickets ({2 * size:,} clocks)", flush=True)
        results.add(size, "seeded (bulk, cumulative size)", _seconds(started))
        measure(desk, size, results, reapply=index == 0 and size <= 100_000, rebuild=missing > 0)
        results.print(sizes)


if __name__ == "__main__":
    main()
