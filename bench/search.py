"""Benchmark of full-text ticket search: 100,000 tickets (1,000,000 with --million).

Seeds tickets with multi-word subjects and descriptions drawn from a vocabulary of a few
thousand words (Zipf-distributed, accented Portuguese among them), a message on half of
them and an internal note on a tenth, rebuilds the search documents as `search_reindex`
does, and prints the median time of `tickets_matching(...).order_by("-reported_at")[:50]`
for a rare word, a common word, two words and a reference: as is, and with an index on
`reported_at` (created here, in the throwaway database) to show what that index buys.
Runs in a throwaway test database: SQLite by default, PostgreSQL when DATABASE_URL
points at one.

    .venv/bin/python bench/search.py [--tickets 100000 | --million]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from communications.models import Message  # noqa: E402
from search import services as search_services  # noqa: E402
from search.selectors import tickets_matching  # noqa: E402
from sla import selectors as sla_selectors  # noqa: E402
from sla import services as sla_services  # noqa: E402
from sla.models import PriorityLevel  # noqa: E402
from tests import factories  # noqa: E402
from tickets import selectors as ticket_selectors  # noqa: E402
from tickets.models import Ticket  # noqa: E402

SEED = 20261204
CHUNK = 20_000
# Words a helpdesk reads every day, in the three languages, accents and all.
COMMON_WORDS = """
sistema erro relatório usuário acesso senha integração pedido nota fiscal faturamento
cliente servidor conexão lentidão impressão exportação importação configuração cadastro
produto estoque pagamento boleto cobrança contrato atualização versão módulo tela botão
mensagem e-mail notificação arquivo planilha banco dados sincronização aplicativo celular
navegador certificado permissão perfil empresa filial transferência cancelamento devolução
agendamento calendário horário período mês semana ontem hoje amanhã urgente crítico lento
travando falhando quebrado indisponível bloqueado duplicado incorreto faltando atrasado
invoice report login password server database connection timeout export import upload
download sync payment order customer account error failure crash slow broken missing
factura pedido usuario contraseña conexión informe error lentitud pago cliente almacén
""".split()  # noqa: SIM905 (a paragraph is easier to read than a list)
SYLLABLES = """
ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga go la le li lo lu ma me mi mo mu
na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za zé
çã ção ões ná ní ló tá mé lã ça ço
""".split()  # noqa: SIM905
# A word no generated text holds, planted in a handful of tickets: the rare search.
RARE_WORD = "xilofonista"
RARE_EVERY = 20_000


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


def texts(words: np.ndarray, draws: np.ndarray, width: int) -> list[str]:
    rows = words[draws].reshape(-1, width)
    return [" ".join(row) for row in rows.tolist()]


def seed(count: int, now) -> list[str]:
    """Tickets, messages and notes written in bulk (as an import would), no documents yet."""
    rng = random.Random(SEED)
    numbers = np.random.default_rng(SEED)
    words = vocabulary(3000, rng)
    # Zipf-Mandelbrot: a few words in half the tickets, most in a fraction of a percent.
    weights = 1 / np.arange(10, len(words) + 10)
    weights /= weights.sum()
    vocab = np.array(words, dtype=object)
    snapshot = sla_services.snapshot_take(sla_selectors.default_policy())
    levels = list(PriorityLevel.objects.all())
    organizations = [
        factories.make_organization(name=f"Empresa {rng.choice(words)} {n}") for n in range(50)
    ]
    customers = [
        factories.make_customer(
            organization=rng.choice(organizations),
            first_name=rng.choice(words).title(),
            last_name=rng.choice(words).title(),
            email=f"pessoa{n}@cliente{n % 50}.example.com",
        )
        for n in range(500)
    ]
    analyst = factories.make_analyst()
    span = int(timedelta(days=365).total_seconds())
    template = Ticket(
        organization_id=organizations[0].pk,
        requester=customers[0],
        priority=levels[0],
        sla_snapshot=snapshot,
        reported_at=now,
        created_at=now,
        updated_at=now,
    )
    note = Message(ticket=template, direction="note", channel="portal", author=analyst, body="-")
    note.created_at = note.updated_at = now
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        subjects = texts(vocab, numbers.choice(len(words), size * 6, p=weights), 6)
        descriptions = texts(vocab, numbers.choice(len(words), size * 40, p=weights), 40)
        bodies = texts(vocab, numbers.choice(len(words), size * 25, p=weights), 25)
        tickets, messages = [], []
        for offset in range(size):
            number = start + offset + 1
            customer = rng.choice(customers)
            rare = f" {RARE_WORD}" if number % RARE_EVERY == 7 else ""
            tickets.append(
                {
                    "id": number,
                    "reference": f"HD-2026-{number:06d}",
                    "organization_id": customer.membership.organization_id,
                    "requester_id": customer.pk,
                    "subject": subjects[offset][:200],
                    "description": descriptions[offset] + rare,
                    "priority_id": rng.choice(levels).pk,
                    "reported_at": now - timedelta(seconds=rng.randrange(span)),
                }
            )
            if offset % 2 == 0:  # a message on half the tickets, an internal note on a tenth
                internal = offset % 10 == 0
                messages.append(
                    {
                        "ticket_id": number,
                        "direction": "note" if internal else "in",
                        "author_id": analyst.pk if internal else None,
                        "body": bodies[offset],
                    }
                )
        insert_rows(template, tickets)
        insert_rows(note, messages)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # ids were given: the sequence moves on
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [count]
            )
    return words


def insert_rows(template, rows: list[dict]) -> None:
    """INSERT rows that differ from `template` in a few columns, with executemany: Django's
    bulk_create spends most of a million rows preparing each value of each object."""
    if not rows:
        return
    fields = [f for f in template._meta.concrete_fields if not f.primary_key]
    fields += [template._meta.pk] if "id" in rows[0] else []
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    sql = (
        f"INSERT INTO {quote(template._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    values = []
    for row in rows:
        prepared = dict(base)
        for name, value in row.items():
            prepared[name] = (
                connection.ops.adapt_datetimefield_value(value) if name == "reported_at" else value
            )
        values.append([prepared[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def timed(function, repeat: int = 11) -> float:
    """Median seconds of `repeat` calls, after one to warm the caches."""
    function()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 tickets")
    args = parser.parse_args()
    settings.DEBUG = False  # no query log: it would cost time and fill up
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        run(1_000_000 if args.million else args.tickets)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(count: int) -> None:
    now = timezone.now()
    print(f"database {connection.vendor}; {count:,} tickets")
    started = time.perf_counter()
    words = seed(count, now)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    indexed = search_services.tickets_reindex_all(batch=5000)
    print(f"search_reindex: {indexed:,} documents in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    queries = {
        "rare word": RARE_WORD,
        "uncommon": words[-1],
        "common word": words[0],
        "two words": f"{words[3]} {words[40]}",
        "reference": f"HD-2026-{count // 2:06d}",
    }
    everything = Ticket.objects.all()
    admin = next(
        member.user for member in Ticket.objects.first().organization.members.select_related("user")
    )
    admin.membership.is_admin = True
    admin.membership.save()
    customer_view = ticket_selectors.tickets_visible_to(admin)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tickets_ticket")
    indexed = [name for name, c in constraints.items() if c["columns"] == ["reported_at"]]
    for label in ("without", "with"):
        if label == "with":
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE INDEX bench_ticket_reported_at ON tickets_ticket (reported_at)"
                )
                cursor.execute("ANALYZE")
        if label == "without":
            print(f"-- as migrated; indexes on tickets_ticket.reported_at: {indexed or 'none'}")
        else:
            print("-- with an index on tickets_ticket.reported_at made by the bench")
        for name, text in queries.items():
            analyst = tickets_matching(everything, text, staff=True).order_by("-reported_at")
            customer = tickets_matching(customer_view, text, staff=False).order_by("-reported_at")
            matches = analyst.count()
            staff_ms = timed(lambda q=analyst: list(q[:50])) * 1000
            customer_ms = timed(lambda q=customer: list(q[:50])) * 1000
            print(
                f"{name:12} {text!r:32} {matches:>8,} matches  "
                f"analyst p50 {staff_ms:7.1f} ms  organization admin p50 {customer_ms:7.1f} ms"
            )
        if label == "without":
            plan = tickets_matching(everything, queries["common word"], staff=True)
            print("query plan (common word, analyst):")
            for line in plan.order_by("-reported_at")[:50].explain().splitlines():
                print(f"    {line}")


if __name__ == "__main__":
    main()
