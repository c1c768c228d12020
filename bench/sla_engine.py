"""Benchmark of the SLA business-time engine against `businesstimedelta`, the usual peer.

Run from the project root: `python bench/sla_engine.py` (or `make bench`).

Workloads (default calendar: America/Sao_Paulo, Mon-Fri 09:00-18:00, BR national public
holidays): 100,000 random starts (whole seconds, uniform over 2026-2027) plus 2 business hours
(a first response) and plus 5 business days (45 business hours, a resolution, per PRODUCT.md).

1. Both engines are checked against each other on a 10,000-pair subset (due instants and
   elapsed business time), on the PRODUCT.md worked examples and on boundary starts (00:00,
   09:00, 16:00, 18:00, ... of every day around the November-January holidays).
2. `add` and `elapsed` are timed: ours over all 100,000 pairs, the peer (much slower) over the
   10,000-pair subset; rates are compared per operation. Best of a few repeats, `timeit`
   (garbage collector off while timing).
3. Bulk: 1,000,000 deadlines recomputed through `add_many`, conversions from aware datetimes to
   int64 microseconds and back included, 1,000 of them checked against the scalar `add`.

It prints figures and asserts only correctness, never timings. The last line is
`speedup_vs_businesstimedelta 2h=<ratio> 5d=<ratio>` (our add ops/s over the peer's).
"""

from __future__ import annotations

import random
import sys
import time
import timeit
from datetime import datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import businesstimedelta  # noqa: E402
import holidays  # noqa: E402
import numpy as np  # noqa: E402
import pytz  # noqa: E402

from sla.business_time import (  # noqa: E402
    BUSINESS,
    DEFAULT_SPEC,
    for_calendar,
    from_microseconds,
    to_microseconds,
)

SEED = 20260101
N_PAIRS = 100_000
N_PEER = 10_000
N_BULK = 1_000_000
N_BULK_CHECK = 1_000
REPEAT_OURS = 5
REPEAT_PEER = 3
REPEAT_BULK = 2
WORKLOADS = (("2h", timedelta(hours=2)), ("5d", timedelta(hours=45)))
YEARS = (2026, 2027)
# Holidays handed to the peer: the years of the starts plus margin for 5-business-day deadlines
# (its HolidayRule looks up to 5 years ahead for the next holiday, so the set must not run dry).
PEER_HOLIDAY_YEARS = range(YEARS[0] - 1, YEARS[1] + 3)


def best_of(function, repeat: int) -> float:
    """Best wall time (seconds) of `repeat` runs of `function`, gc off (timeit's default)."""
    return min(timeit.Timer(function, timer=time.perf_counter).repeat(repeat=repeat, number=1))


def random_start_seconds(rng: random.Random, count: int, zone) -> list[int]:
    """Epoch seconds, uniform over [local 2026-01-01 00:00, local 2028-01-01 00:00)."""
    low = int(datetime(YEARS[0], 1, 1, tzinfo=zone).timestamp())
    high = int(datetime(YEARS[1] + 1, 1, 1, tzinfo=zone).timestamp())
    return [low + rng.randrange(high - low) for _ in range(count)]


def build_peer(engine):
    """The same calendar in `businesstimedelta`: pytz zone, 09-18 Mon-Fri, BR public holidays."""
    tz = pytz.timezone(DEFAULT_SPEC.timezone)
    br = holidays.country_holidays(
        DEFAULT_SPEC.holiday_country,
        years=PEER_HOLIDAY_YEARS,
        categories=DEFAULT_SPEC.holiday_categories,
    )
    # A frozenset of the dates rather than the HolidayBase object itself: same days, and the
    # peer's day-by-day `date in holidays` scan is much cheaper on a set (the charitable choice).
    holiday_dates = frozenset(br)
    ours = set().union(*(engine.spec.holidays_in(year) for year in PEER_HOLIDAY_YEARS))
    assert holiday_dates == ours, "the peer must get exactly our holidays"
    weekly = dict(DEFAULT_SPEC.weekly)
    assert all(len(periods) == 1 for periods in weekly.values())
    (period,) = next(iter(weekly.values()))
    assert all(periods == (period,) for periods in weekly.values())
    start = wall_time(period.start // 3600, period.start // 60 % 60)
    end = wall_time(period.end // 3600, period.end // 60 % 60)
    workday = businesstimedelta.WorkDayRule(
        start_time=start, end_time=end, working_days=sorted(weekly), tz=tz
    )
    holiday_rule = businesstimedelta.HolidayRule(holiday_dates, tz=tz)
    return tz, businesstimedelta.Rules([workday, holiday_rule])


def same_business_instant(engine, ours: datetime, theirs: datetime) -> bool:
    """Whether a peer due differs from ours only by convention (the same business instant).

    The one convention that could differ is "end of a working period" versus "start of the
    next one": ours (earliest instant, PRODUCT.md) at a period's end, the peer later, with no
    working time in between. Anything else is a real disagreement.
    """
    if theirs <= ours or engine.is_open(ours):
        return False
    return engine.elapsed(ours, theirs, BUSINESS) == timedelta(0) and engine.is_open(theirs)


def compare_dues(engine, rules, starts, peer_starts, duration, label) -> int:
    """Assert the peer's due instants equal ours; return how many needed normalisation."""
    delta = businesstimedelta.BusinessTimeDelta(rules, timedelta=duration)
    normalised, mismatches = 0, []
    for start, peer_start in zip(starts, peer_starts, strict=True):
        ours = engine.add(start, duration, BUSINESS)
        theirs = delta + peer_start
        if ours == theirs:
            continue
        if same_business_instant(engine, ours, theirs):
            normalised += 1
        else:
            mismatches.append((start, ours, theirs))
    for start, ours, theirs in mismatches[:5]:
        print(f"  MISMATCH {label}: start {start.isoformat()} ours {ours} peer {theirs}")
    assert not mismatches, f"{len(mismatches)} due instants differ ({label})"
    return normalised


def compare_elapsed(engine, rules, starts, peer_starts, dues, duration, label) -> None:
    """Assert the peer's Rules.difference equals our elapsed (and both equal the budget)."""
    bad = []
    for start, peer_start, due in zip(starts, peer_starts, dues, strict=True):
        ours = engine.elapsed(start, due, BUSINESS)
        theirs = rules.difference(peer_start, due).timedelta
        if not ours == theirs == duration:
            bad.append((start, due, ours, theirs))
    for start, due, ours, theirs in bad[:5]:
        print(f"  MISMATCH elapsed {label}: {start.isoformat()} -> {due}: {ours} vs {theirs}")
    assert not bad, f"{len(bad)} elapsed values differ ({label})"


def boundary_starts(zone) -> list[datetime]:
    """Starts on and around period boundaries, every day from late Oct 2026 to mid Jan 2027.

    The span holds Finados (Mon 11-02), Proclamacao (Sun 11-15), Consciencia Negra (Fri 11-20),
    Natal (Fri 12-25) and Confraternizacao (Fri 2027-01-01), weekends and year end.
    """
    clock_times = [
        (0, 0, 0), (8, 59, 59), (9, 0, 0), (9, 0, 1), (15, 59, 59), (16, 0, 0),
        (16, 0, 1), (17, 59, 59), (18, 0, 0), (18, 0, 1), (23, 59, 59),
    ]  # fmt: skip
    day = datetime(2026, 10, 26)
    starts = []
    while day < datetime(2027, 1, 16):
        starts.extend(
            datetime(day.year, day.month, day.day, h, m, s, tzinfo=zone) for h, m, s in clock_times
        )
        day += timedelta(days=1)
    return starts


def check_worked_examples(engine, rules, zone) -> int:
    """PRODUCT.md's business-hours worked examples, through both engines."""

    def local(*args):
        return datetime(*args, tzinfo=zone)

    examples = [
        (local(2026, 11, 27, 17), 2, local(2026, 11, 30, 10)),  # Alta, first response
        (local(2026, 11, 27, 17), 8, local(2026, 11, 30, 16)),  # Alta, resolution
        (local(2026, 11, 19, 15), 4, local(2026, 11, 23, 10)),  # Media over the 11-20 holiday
        (local(2026, 11, 19, 15), 45, local(2026, 11, 27, 15)),
        (local(2026, 11, 28, 11), 4, local(2026, 11, 30, 13)),  # Baixa, from a Saturday
        (local(2026, 11, 28, 11), 45, local(2026, 12, 4, 18)),  # ends at 18:00, not Mon 09:00
    ]
    for start, hours, expected in examples:
        duration = timedelta(hours=hours)
        ours = engine.add(start, duration, BUSINESS)
        theirs = businesstimedelta.BusinessTimeDelta(rules, hours=hours) + start
        assert ours == expected, (start, hours, ours, expected)
        assert theirs == expected, (start, hours, theirs, expected)
    return len(examples)


def bulk(engine, rng: np.random.Generator, zone) -> list[tuple[str, dict[str, float]]]:
    """1,000,000 deadlines through add_many, datetime -> int64 -> add_many -> datetime."""
    low = int(datetime(YEARS[0], 1, 1, tzinfo=zone).timestamp())
    high = int(datetime(YEARS[1] + 1, 1, 1, tzinfo=zone).timestamp())
    seconds = rng.integers(low, high, size=N_BULK, dtype=np.int64)
    # Aware UTC datetimes, as Django hands them over from the database.
    starts = [from_microseconds(value) for value in (seconds * 1_000_000).tolist()]
    sample = rng.choice(N_BULK, size=N_BULK_CHECK, replace=False).tolist()
    rows = []
    for label, duration in WORKLOADS:
        duration_us = duration // timedelta(microseconds=1)
        best: dict[str, float] = {}
        for _ in range(REPEAT_BULK):
            t0 = time.perf_counter()
            starts_us = np.fromiter(map(to_microseconds, starts), dtype=np.int64, count=N_BULK)
            t1 = time.perf_counter()
            dues_us = engine.add_many(starts_us, duration_us, BUSINESS)
            t2 = time.perf_counter()
            dues = list(map(from_microseconds, dues_us.tolist()))
            t3 = time.perf_counter()
            for key, value in (("to_us", t1 - t0), ("add_many", t2 - t1), ("from_us", t3 - t2)):
                best[key] = min(best.get(key, value), value)
            best["total"] = min(best.get("total", t3 - t0), t3 - t0)
        for i in sample:
            expected = engine.add(starts[i], duration, BUSINESS)
            assert dues[i] == expected, (starts[i], dues[i], expected)
            assert int(dues_us[i]) == to_microseconds(expected)
        rows.append((label, best))
    return rows


def main() -> None:
    started = time.perf_counter()
    engine = for_calendar(DEFAULT_SPEC)
    zone = engine.zone
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    engine.add(datetime(YEARS[0], 6, 1, 12, tzinfo=zone), timedelta(hours=1), BUSINESS)
    index_build = time.perf_counter() - t0

    starts = [datetime.fromtimestamp(s, zone) for s in random_start_seconds(rng, N_PAIRS, zone)]
    subset_idx = sorted(rng.sample(range(N_PAIRS), N_PEER))
    subset = [starts[i] for i in subset_idx]
    tz, rules = build_peer(engine)
    peer_subset = [start.astimezone(tz) for start in subset]  # pytz-aware, the peer's idiom
    open_share = sum(map(engine.is_open, starts)) / N_PAIRS

    print("SLA business-time engine vs businesstimedelta", businesstimedelta_version())
    print(
        f"calendar {DEFAULT_SPEC.timezone}, Mon-Fri 09:00-18:00, holidays BR/public; "
        f"python {sys.version.split()[0]}, numpy {np.__version__}, seed {SEED}"
    )
    print(
        f"{N_PAIRS:,} random starts over {YEARS[0]}-{YEARS[1]} "
        f"({open_share:.1%} inside business hours); peer subset {N_PEER:,}; "
        f"index build (first call) {index_build * 1e3:.1f} ms"
    )

    # -- correctness first ------------------------------------------------------------
    print()
    print("Agreement checks (before timing)")
    examples = check_worked_examples(engine, rules, zone)
    print(f"  PRODUCT.md worked examples: {examples} of {examples} match in both engines")
    edges = boundary_starts(zone)
    peer_edges = [start.astimezone(tz) for start in edges]
    dues: dict[str, list[datetime]] = {}
    for label, duration in WORKLOADS:
        dues[label] = [engine.add(start, duration, BUSINESS) for start in starts]
        at_close = sum(1 for due in dues[label] if due.time() == wall_time(18))
        normalised = compare_dues(engine, rules, subset, peer_subset, duration, label)
        sub_dues = [dues[label][i] for i in subset_idx]
        compare_elapsed(engine, rules, subset, peer_subset, sub_dues, duration, label)
        edge_normalised = compare_dues(engine, rules, edges, peer_edges, duration, label)
        edge_dues = [engine.add(start, duration, BUSINESS) for start in edges]
        compare_elapsed(engine, rules, edges, peer_edges, edge_dues, duration, label)
        edge_close = sum(1 for due in edge_dues if due.time() == wall_time(18))
        all_elapsed_ok = all(
            engine.elapsed(start, due, BUSINESS) == duration
            for start, due in zip(starts, dues[label], strict=True)
        )
        assert all_elapsed_ok, "elapsed(start, add(start, d)) must give d back"
        print(
            f"  {label}: {N_PEER:,}/{N_PEER:,} random due instants equal "
            f"(normalised {normalised}), elapsed equal; "
            f"{len(edges):,}/{len(edges):,} boundary starts equal (normalised {edge_normalised}); "
            f"dues at exactly 18:00: {at_close / N_PAIRS:.1%} of random, "
            f"{edge_close} of boundary"
        )
    print(f"  ours: elapsed(start, add(start, d)) == d for all {N_PAIRS:,} starts, both workloads")

    # -- timing -----------------------------------------------------------------------
    add, elapsed = engine.add, engine.elapsed
    results = []
    for label, duration in WORKLOADS:
        due_list = dues[label]
        peer_dues = [due_list[i] for i in subset_idx]
        delta = businesstimedelta.BusinessTimeDelta(rules, timedelta=duration)
        ours_add = best_of(lambda d=duration: [add(s, d, BUSINESS) for s in starts], REPEAT_OURS)
        ours_elapsed = best_of(
            lambda due_list=due_list: [
                elapsed(s, e, BUSINESS) for s, e in zip(starts, due_list, strict=True)
            ],
            REPEAT_OURS,
        )
        peer_add = best_of(lambda delta=delta: [delta + s for s in peer_subset], REPEAT_PEER)
        peer_elapsed = best_of(
            lambda peer_dues=peer_dues, difference=rules.difference: [
                difference(s, e) for s, e in zip(peer_subset, peer_dues, strict=True)
            ],
            REPEAT_PEER,
        )
        results.append((label, "add", N_PAIRS / ours_add, N_PEER / peer_add))
        results.append((label, "elapsed", N_PAIRS / ours_elapsed, N_PEER / peer_elapsed))

    print()
    print(
        f"Scalar throughput (ops/s, best of {REPEAT_OURS} over {N_PAIRS:,} for ours, "
        f"best of {REPEAT_PEER} over {N_PEER:,} for businesstimedelta)"
    )
    header = f"  {'workload':<10}{'op':<9}{'ours':>12}{'peer':>12}{'ours/peer':>11}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for label, op, ours_rate, peer_rate in results:
        print(
            f"  {label:<10}{op:<9}{ours_rate:>12,.0f}{peer_rate:>12,.0f}"
            f"{ours_rate / peer_rate:>10.1f}x"
        )

    # -- bulk -------------------------------------------------------------------------
    print()
    print(
        f"Bulk add_many: {N_BULK:,} deadlines (best of {REPEAT_BULK}; datetime -> int64 us -> "
        f"add_many -> datetime), {N_BULK_CHECK:,} checked against scalar add"
    )
    print(f"  {'workload':<10}{'to int64':>10}{'add_many':>10}{'to dt':>10}{'total':>10}{'/s':>14}")
    for label, best in bulk(engine, np.random.default_rng(SEED), zone):
        print(
            f"  {label:<10}{best['to_us']:>9.3f}s{best['add_many']:>9.3f}s"
            f"{best['from_us']:>9.3f}s{best['total']:>9.3f}s{N_BULK / best['total']:>14,.0f}"
        )
    print(f"  all {N_BULK_CHECK:,} sampled bulk dues equal the scalar add, both workloads")

    print()
    print(f"total runtime {time.perf_counter() - started:.1f} s")
    ratios = {label: ours / peer for label, op, ours, peer in results if op == "add"}
    print(f"speedup_vs_businesstimedelta 2h={ratios['2h']:.1f} 5d={ratios['5d']:.1f}")


def businesstimedelta_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("businesstimedelta")
    except PackageNotFoundError:  # pragma: no cover - vendored copy
        return "(version unknown)"


if __name__ == "__main__":
    main()
