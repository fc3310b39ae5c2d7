"""Several stations on one PostgreSQL server: cold start, catch-up, check-in write latency.

Writes the "Stations" section of docs/benchmarks.md. Needs PostgreSQL 15's initdb/pg_ctl (as in the
tests, a throwaway server on 127.0.0.1 is started and removed), or ``--url`` of an empty database.

    python bench/bench_stations.py [--embeddings 100000] [--minutes 5] [--stations 10]

1. Station cold start: a station with an empty data folder opens a gallery of N embeddings (dim 128,
   random unit vectors: storage does not care what the vectors are) from the server, until it can
   search; and a restart with its saved index cache.
2. Catch-up for one new enrollment: station A enrolls, station B (polling the change log every
   ``station_sync_interval_s``) finds the person; and the cost of one poll's read.
3. Check-in write latency: S simulated stations (threads, one connection each) each record one
   check-in per second (with the cross-station cool-down check and a sighting) for M minutes.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine_line, write_section  # noqa: E402
from facegui.storage import AttendanceStore, FaceDatabase, Gallery, NewEvent  # noqa: E402

MODEL = "arcface_mobilefacenet:bench"
DIM = 128
PEOPLE = 1000


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def fill(url: str, embeddings: int) -> None:
    """N embeddings of PEOPLE people, written in bulk as one enrolling admin would over time."""
    import psycopg

    with FaceDatabase(url):
        pass  # creates the schema
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((embeddings, DIM)).astype("<f4")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy("COPY people (id, name, created_at) FROM STDIN") as copy:
            for i in range(PEOPLE):
                copy.write_row((i + 1, f"person {i:05d}", now))
        with cursor.copy("COPY embeddings (id, person_id, model_id, dim, vector, enrolled_at) FROM STDIN") as copy:
            for i in range(embeddings):
                copy.write_row((i + 1, i % PEOPLE + 1, MODEL, DIM, vectors[i].tobytes(), now))
        with cursor.copy("COPY embedding_changes (model_id, revision, embedding_id, added) FROM STDIN") as copy:
            for i in range(embeddings):
                copy.write_row((MODEL, 1, i + 1, 1))
        cursor.execute("INSERT INTO model_revisions (model_id, revision, changes_from) VALUES (%s, 1, 0)", (MODEL,))
        for table in ("people", "embeddings"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def cold_start(url: str, work: Path) -> dict[str, float]:
    station = work / "cold-station"
    started = time.perf_counter()
    gallery = Gallery(station, MODEL, DIM, database_url=url)
    ready = time.perf_counter() - started
    probe = np.random.default_rng(1).standard_normal((1, DIM)).astype(np.float32)
    assert gallery.search(probe)[0]
    while gallery.is_rebuilding:
        time.sleep(0.05)
    approximate = time.perf_counter() - started
    gallery.close()
    started = time.perf_counter()
    with Gallery(station, MODEL, DIM, database_url=url) as reopened:
        restart = time.perf_counter() - started
        assert len(reopened) > 0
    return {"ready": ready, "approximate": approximate, "restart": restart}


def catch_up(url: str, work: Path, rounds: int) -> dict[str, list[float]]:
    rng = np.random.default_rng(7)
    seen_after, poll_cost = [], []
    with Gallery(work / "station-a", MODEL, DIM, database_url=url) as station_a, \
            Gallery(work / "station-b", MODEL, DIM, database_url=url) as station_b:
        while station_a.is_rebuilding or station_b.is_rebuilding:
            time.sleep(0.05)
        for i in range(rounds):
            # Out of step with B's polls: otherwise each round starts just after the poll that ended
            # the previous one, and every round measures a whole interval.
            time.sleep(float(rng.uniform(0.0, 1.0)))
            vector = rng.standard_normal(DIM).astype(np.float32)
            name = f"newcomer {i}"
            station_a.enroll(name, vector)
            enrolled = time.perf_counter()
            while (station_b.search(vector)[0] or [None])[0] is None or station_b.search(vector)[0][0].name != name:
                time.sleep(0.005)
            seen_after.append(time.perf_counter() - enrolled)
            started = time.perf_counter()
            station_b.sync()  # nothing new: the cost of one poll
            poll_cost.append(time.perf_counter() - started)
    return {"seen_after": seen_after, "poll_cost": poll_cost}


def checkin_latency(url: str, work: Path, stations: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    start_of_day = datetime.now().astimezone().replace(hour=0, minute=1, second=0, microsecond=0)

    def run_station(index: int) -> None:
        with AttendanceStore(work / f"door-{index}", url, f"door {index}") as store:
            tick = 0
            next_at = time.monotonic()
            while next_at < stop_at:
                time.sleep(max(0.0, next_at - time.monotonic()))
                at = start_of_day + timedelta(seconds=tick)
                name = f"person {(index * 97 + tick) % PEOPLE:05d}"
                event = NewEvent(name, at, "camera", 0.7, not_since=at - timedelta(minutes=5))
                began = time.perf_counter()
                store.record([event], [(name, at)])
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                tick += 1
                next_at += 1.0

    threads = [threading.Thread(target=run_station, args=(i,)) for i in range(stations)]
    for thread in threads:
        thread.start()
        time.sleep(1.0 / stations)  # spread the stations over the second, as real doors would be
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty PostgreSQL database (default: start a throwaway server)")
    parser.add_argument("--embeddings", type=int, default=100_000)
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()

    server = None
    if args.url:
        url = args.url
    else:
        from tests.postgres_server import PostgresServer

        server = PostgresServer()
        url = server.create_database()
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            started = time.perf_counter()
            fill(url, args.embeddings)
            print(f"filled {args.embeddings} embeddings in {time.perf_counter() - started:.1f} s", flush=True)
            cold = cold_start(url, work)
            print("cold start", cold, flush=True)
            caught = catch_up(url, work, args.rounds)
            print("catch-up", {k: statistics.median(v) for k, v in caught.items()}, flush=True)
            latencies = checkin_latency(url, work, args.stations, args.minutes * 60)
    finally:
        if server is not None:
            server.destroy()

    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    events = len(latencies)
    section = f"""## Stations: several doors on one PostgreSQL server

{machine_line()} PostgreSQL 15 on the same machine (127.0.0.1, fsync off as in the tests), started by
`python bench/bench_stations.py`. The machine's 2 cores were shared with six other engineers' work
while this ran: read the medians, and the ratios, not the last digit.

| what | result |
|---|---|
| station cold start: empty data folder, {args.embeddings:,} embeddings (dim {DIM}) read from the server into faiss, until it can search (exact) | {cold['ready']:.2f} s |
| … until its approximate index (built in the background) is swapped in | {cold['approximate']:.1f} s |
| restart of that station with its saved index cache | {cold['restart']:.2f} s |
| one enrollment at station A until station B names that person (polling every 0.5 s; median / max of {args.rounds}) | {ms(statistics.median(caught['seen_after']))} / {ms(max(caught['seen_after']))} |
| one poll of the change log with nothing new (median) | {ms(statistics.median(caught['poll_cost']))} |
| check-in write latency, {args.stations} stations × 1 check-in/s for {args.minutes:g} min ({events:,} check-ins, each with the cross-station cool-down check and a sighting): p50 / p99 / max | {ms(percentile(latencies, 50))} / {ms(percentile(latencies, 99))} / {ms(max(latencies))} |

The catch-up time is the poll interval (`station_sync_interval_s`, 0.5 s: on average half of it)
plus one small query: the target is 2 s. The cold start reads every vector once; a restart keeps
its saved index and reads only the embeddings' ids and names to check it.
"""
    print(section)
    if not args.no_write:
        write_section("stations", section)


if __name__ == "__main__":
    main()
