"""SMS outbox throughput end to end, beside the bare Twilio SDK on the same double.

Run from the project root, with PostgreSQL and Redis up:

    .venv/bin/python bench/sms.py --messages 5000 --runs 3 --workers 1 --concurrency 4

It makes a throwaway database (migrated), a unique Celery queue on a dedicated Redis db,
a TwilioDouble in its own process (status callbacks off) and real Celery workers. Each
run times the bare SDK (a thread pool of workers x concurrency calling
`client.messages.create`) and then the outbox path (`queue_sms` in transactions of
--batch, sent by the workers), from the first `queue_sms` to the last `sent_at` in the
database, and checks that the double got every body exactly once. CPU time per message
is split by process (from /proc). Everything it made is removed at the end, also on
Ctrl-C.
"""

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVICE_SID = "MG" + "0" * 32
# Nothing listens on the discard port; the double sends no callbacks anyway.
CALLBACK_BASE_URL = "http://127.0.0.1:9"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Starts a worker; --db-reuse-max overrides the setting CELERY_DB_REUSE_MAX (-1: keep
# the project's setting, as production runs; 0: close the connection around each task).
WORKER_MAIN = (
    "import sys; from config.celery import app; "
    "reuse = int(sys.argv[1]); "
    "app.conf.CELERY_DB_REUSE_MAX = app.conf.CELERY_DB_REUSE_MAX if reuse < 0 "
    "else (reuse or None); "
    "app.worker_main(sys.argv[2:])"
)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--messages", type=int, default=5000, help="messages per run")
    add("--runs", type=int, default=3, help="timed runs (medians are reported)")
    add("--workers", type=int, default=1, help="Celery worker processes")
    add("--concurrency", type=int, default=4, help="prefork children per worker")
    add("--batch", type=int, default=100, help="queue_sms calls per transaction")
    add("--warmup", type=int, default=200, help="untimed messages before the runs")
    add(
        "--db-reuse-max",
        type=int,
        default=-1,
        help="CELERY_DB_REUSE_MAX of workers (-1: the project's setting; 0: none)",
    )
    add("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    add("--redis-url", default="redis://127.0.0.1:6379/12")
    return parser.parse_args()


# -- CPU accounting from /proc ------------------------------------------------------


def _processes() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command name, stat fields from field 3 on) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        comm = text[text.find("(") + 1 : text.rfind(")")]
        yield int(entry.name), comm, text[text.rfind(")") + 2 :].split()


def machine_cpu_s() -> float:
    """Busy CPU seconds of the whole machine (all cores, idle and iowait excluded)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


@dataclass(frozen=True)
class Cpu:
    """CPU seconds by component and wall seconds, cumulative or a difference."""

    workers: float = 0.0
    double: float = 0.0
    bench: float = 0.0
    postgres: float = 0.0
    redis: float = 0.0
    machine: float = 0.0
    wall: float = 0.0

    def __sub__(self, other: "Cpu") -> "Cpu":
        return Cpu(*(a - b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def rest(self) -> float:
        """Everything else on the machine: other users' jobs, the kernel."""
        ours = self.workers + self.double + self.bench + self.postgres + self.redis
        return self.machine - ours


def cpu_snapshot(worker_pgids: set[int], double_pid: int) -> Cpu:
    """Cumulative CPU seconds by component, now."""
    parts = dict.fromkeys(("workers", "double", "bench", "postgres", "redis"), 0.0)
    for pid, comm, fields in _processes():
        own, children = int(fields[11]) + int(fields[12]), 0
        if int(fields[2]) in worker_pgids:
            part = "workers"
        elif pid in (double_pid, os.getpid()):
            part = "double" if pid == double_pid else "bench"
        elif comm in ("postgres", "redis-server"):
            part = comm.removesuffix("-server")
            # The postmaster reaps backends: their CPU lands in its children's time.
            children = int(fields[13]) + int(fields[14])
        else:
            continue
        parts[part] += (own + children) / CLOCK_TICKS
    return Cpu(**parts, machine=machine_cpu_s(), wall=time.monotonic())


# -- the Twilio double, in its own process (its own GIL) ------------------------------


def serve_double(conn: Any) -> None:
    """Child process: run a TwilioDouble; answer a tag with its bodies' counts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    from tests.twilio_double import TwilioDouble

    with TwilioDouble() as double:
        double.configure_callbacks(enabled=False)
        conn.send((double.base_url, double.account_sid, double.auth_token))
        while (tag := conn.recv()) is not None:
            counts = double.count_by_body()
            conn.send({body: n for body, n in counts.items() if tag in body})


class DoubleProcess:
    """Handle on the double's process: its address, counts, CPU time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve_double, args=(child,), daemon=True)
        self.process.start()
        base_url, sid, token = self.conn.recv()
        self.info = SimpleNamespace(
            base_url=base_url, account_sid=sid, auth_token=token
        )

    def counts(self, tag: str) -> dict[str, int]:
        """How often the double accepted each body carrying `tag`."""
        self.conn.send(tag)
        return self.conn.recv()

    def stop(self) -> None:
        """Stop the double's process."""
        if self.process.is_alive():
            self.conn.send(None)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


# -- throwaway services -------------------------------------------------------------


def admin_sql(pg_url: str, statement: str, name: str) -> None:
    """Run CREATE/DROP DATABASE `name` on the server's maintenance database."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


def service_env(args: argparse.Namespace, db: str, queue: str, info: Any) -> dict:
    """Environment of the bench and its workers: Twilio is the local double."""
    no_proxy = "127.0.0.1,localhost"
    return {
        "DATABASE_URL": f"{args.pg_url}/{db}",
        "CELERY_BROKER_URL": args.redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "LOG_LEVEL": "WARNING",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": info.account_sid,
        "TWILIO_AUTH_TOKEN": info.auth_token,
        "TWILIO_API_BASE_URL": info.base_url,
        "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        "TWILIO_TIMEOUT_S": "10",
        # The bench measures throughput, not the office's hourly budget of SMS.
        "SMS_MAX_PER_HOUR": "100000000",
        "SMS_QUIET_START": "",  # and it runs at any hour: no quiet hours
        "TWILIO_WEBHOOK_BASE_URL": CALLBACK_BASE_URL,
        "NO_PROXY": no_proxy,
        "no_proxy": no_proxy,
    }


def start_workers(args: argparse.Namespace, queue: str) -> list[subprocess.Popen]:
    """Start the Celery workers, each in its own process group, and wait for them."""
    from config.celery import app

    names = [f"bench{i}-{queue}@{socket.gethostname()}" for i in range(args.workers)]
    workers = []
    for name in names:
        command = [
            sys.executable, "-c", WORKER_MAIN, str(args.db_reuse_max), "worker",
            "-Q", queue, "-n", name, "--concurrency", str(args.concurrency),
            "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        workers.append(
            subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True
            )
        )
    deadline = time.monotonic() + 60
    while len(app.control.ping(destination=names, timeout=1)) < len(names):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise RuntimeError("the Celery workers did not start")
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Warm shutdown (unacked tasks go back to the queue), then kill."""
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def clean_redis(redis_url: str, queue: str) -> None:
    """Delete this bench's queue and bindings; leave every other key alone."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    for key in client.scan_iter("_kombu.binding.*pidbox"):
        mine = [m for m in client.smembers(key) if queue.encode() in m]
        if mine:
            client.srem(key, *mine)
    # kombu's shared bookkeeping (e.g. _kombu.binding_deadlines) goes only when
    # nothing else is left in the db, i.e. no one else uses it.
    left = list(client.scan_iter())
    if left and all(key.startswith(b"_kombu.") for key in left):
        client.delete(*left)


# -- one run ------------------------------------------------------------------------


def phone(i: int) -> str:
    """A distinct Indonesian mobile number per message."""
    return f"+62812{i:07d}"


def link(tag: str, i: int) -> str:
    """A tracking link that makes each body unique and findable by `tag`."""
    return f"https://antar.id/t/{tag}-{i:05d}"


def outbox_run(tag: str, n: int, batch: int) -> tuple[float, float]:
    """Queue n messages, wait until all are sent; (messages/s, queueing s)."""
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from notifications.models import SmsMessage
    from notifications.services import queue_sms

    started_at, start = timezone.now(), time.perf_counter()
    for first in range(0, n, batch):
        with transaction.atomic():
            for i in range(first, min(first + batch, n)):
                context = {"link": link(tag, i)}
                key = f"bench:{tag}:{i}"
                queue_sms(to=phone(i), template="queued", context=context, key=key)
    queued_s = time.perf_counter() - start
    wait_all_sent(n, deadline=time.monotonic() + 120 + n / 10)
    last = SmsMessage.objects.aggregate(last=Max("sent_at"))["last"]
    return n / (last - started_at).total_seconds(), queued_s


def wait_all_sent(n: int, *, deadline: float) -> None:
    """Poll the outbox until n rows are sent; fail on any other final status."""
    from django.db.models import Count

    from notifications.models import SmsMessage

    pending = {"queued", "sending", "sent"}
    while time.monotonic() < deadline:
        rows = SmsMessage.objects.values_list("status").annotate(Count("id"))
        counts = dict(rows)
        if counts.get("sent", 0) == n:
            return
        if set(counts) - pending:
            raise RuntimeError(f"messages ended badly: {counts}")
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for the outbox: {counts}")


def ceiling_run(info: Any, tag: str, n: int, threads: int) -> float:
    """The bare SDK: n creates from a thread pool, one client per thread; msg/s."""
    from notifications.services import sms_render
    from tests.twilio_double import client_for

    bodies = [
        sms_render(template="queued", language="id", context={"link": link(tag, i)})
        for i in range(n)
    ]
    local = threading.local()
    callback = CALLBACK_BASE_URL + "/notifications/twilio/status/"

    def send(i: int) -> None:
        if not hasattr(local, "client"):
            local.client = client_for(info, timeout=10)
        local.client.messages.create(
            to=phone(i),
            body=bodies[i],
            messaging_service_sid=SERVICE_SID,
            status_callback=callback,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(n)))
    return n / (time.perf_counter() - start)


def outbox_checks(counts: dict[str, int], n: int) -> str:
    """Exactly once at the double, each row sent once with its own provider id."""
    from django.db.models import Count, Q

    from notifications.models import SmsMessage

    rows = SmsMessage.objects.aggregate(
        sent=Count("id", filter=Q(status="sent")),
        sids=Count("provider_sid", distinct=True),
        retried=Count("id", filter=Q(attempts__gt=1)),
    )
    once = len(counts) == n and set(counts.values()) == {1}
    ok = once and rows["sent"] == rows["sids"] == n
    return f"{'yes' if ok else 'NO'} ({rows['retried']} retried)"


def truncate_outbox() -> None:
    """Empty the outbox between runs so each run starts alike."""
    from django.db import connection

    from notifications.models import SmsMessage

    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{SmsMessage._meta.db_table}"')


@dataclass(frozen=True)
class RunResult:
    """The figures of one run."""

    outbox_rate: float
    ceiling_rate: float
    queued_s: float
    once: str
    outbox_cpu: Cpu
    ceiling_cpu: Cpu

    @property
    def ratio(self) -> float:
        """Outbox rate over the bare SDK rate."""
        return self.outbox_rate / self.ceiling_rate


class Bench:
    """The services of one invocation and the runs on them."""

    def __init__(self, args: argparse.Namespace, double: DoubleProcess) -> None:
        self.args, self.double = args, double
        self.workers: list[subprocess.Popen] = []

    def cpu(self) -> Cpu:
        """Cumulative CPU seconds by component, now."""
        return cpu_snapshot({w.pid for w in self.workers}, self.double.process.pid)

    def run(self, tag: str, n: int) -> RunResult:
        """The bare SDK, then the outbox path, on n messages each."""
        threads = self.args.workers * self.args.concurrency
        before = self.cpu()
        ceiling = ceiling_run(self.double.info, f"{tag}c", n, threads)
        middle = self.cpu()
        rate, queued_s = outbox_run(f"{tag}o", n, self.args.batch)
        after = self.cpu()
        once = outbox_checks(self.double.counts(f"/{tag}o-"), n)
        truncate_outbox()
        return RunResult(rate, ceiling, queued_s, once, after - middle, middle - before)


# -- report -------------------------------------------------------------------------


def print_runs(results: list[RunResult]) -> None:
    """The per-run table with a median row."""
    print("| run | outbox msg/s | bare SDK msg/s | ratio | queueing s | exactly once |")
    print("|---|---:|---:|---:|---:|---|")
    for i, r in enumerate(results, 1):
        print(
            f"| {i} | {r.outbox_rate:.0f} | {r.ceiling_rate:.0f} | {r.ratio:.2f}"
            f" | {r.queued_s:.1f} | {r.once} |"
        )

    def med(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in results)

    print(
        f"| **median** | **{med('outbox_rate'):.0f}** | **{med('ceiling_rate'):.0f}**"
        f" | **{med('ratio'):.2f}** | {med('queued_s'):.1f} | |"
    )


CPU_PARTS = ("workers", "double", "bench", "postgres", "redis", "rest")


def print_cpu(results: list[RunResult], n: int) -> None:
    """Median CPU milliseconds per message by component, and busy cores."""
    print("\nCPU ms per message by process (median of runs):\n")
    print(
        "| path | workers | double | bench process | PostgreSQL | Redis"
        " | **sum of these** | rest of machine (others, kernel) | busy cores"
        " | CPU-bound msg/s (cores / sum) |"
    )
    print("|---|" + "---:|" * 9)
    for label, attr in (("outbox", "outbox_cpu"), ("bare SDK", "ceiling_cpu")):
        cpus = [getattr(r, attr) for r in results]
        ms = {
            part: statistics.median(getattr(c, part) for c in cpus) * 1000 / n
            for part in CPU_PARTS
        }
        ours = sum(ms.values()) - ms["rest"]
        busy = statistics.median(c.machine / c.wall for c in cpus)
        cells = [f"{ms[p]:.2f}" for p in CPU_PARTS[:5]]
        cells += [f"**{ours:.2f}**", f"{ms['rest']:.2f}", f"{busy:.2f}"]
        cells += [f"{(os.cpu_count() or 1) * 1000 / ours:.0f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")


def print_header(args: argparse.Namespace) -> None:
    """What was measured, on what."""
    import celery
    import twilio

    print(
        f"{args.messages} messages x {args.runs} runs; {args.workers} worker(s) x"
        f" concurrency {args.concurrency} (bare SDK: {args.workers * args.concurrency}"
        f" threads); batch {args.batch}; CELERY_DB_REUSE_MAX {args.db_reuse_max};"
        f" python {sys.version.split()[0]}, celery {celery.__version__},"
        f" twilio {twilio.__version__}, {os.cpu_count()} cores\n"
    )


# -- main -----------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    """Point this process at the throwaway services and migrate the outbox."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Only the outbox's app: the bench needs no other table.
    command = [sys.executable, "manage.py", "migrate", "notifications", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=os.environ, check=True)
    import django

    django.setup()


def measure(args: argparse.Namespace, bench: Bench, session: str) -> None:
    """Warm up, run, report."""
    bench.workers = start_workers(args, f"antar-bench-{session}")
    if args.warmup:
        bench.run(f"{session}w", args.warmup)
    results = []
    for i in range(args.runs):
        results.append(bench.run(f"{session}r{i}", args.messages))
        print(f"run {i + 1}: {results[-1].outbox_rate:.0f} msg/s", file=sys.stderr)
    print_header(args)
    print_runs(results)
    print_cpu(results, args.messages)


def main() -> None:
    """Set up throwaway services, measure, and always clean up."""
    args = parse_args()
    session = uuid.uuid4().hex[:8]
    db, queue = f"antar_bench_{session}", f"antar-bench-{session}"
    # Ctrl-C and SIGTERM both unwind through the finally block below (SIGINT too
    # when started in the background, where it is inherited as ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    double = DoubleProcess()
    bench = Bench(args, double)
    created = False
    try:
        admin_sql(args.pg_url, "CREATE DATABASE {}", db)
        created = True
        setup_django(service_env(args, db, queue, double.info))
        measure(args, bench, session)
    except KeyboardInterrupt:
        print("interrupted: cleaning up", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        stop_workers(bench.workers)
        if created:
            from django.db import connections

            connections.close_all()
            admin_sql(args.pg_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", db)
        clean_redis(args.redis_url, queue)
        double.stop()


if __name__ == "__main__":
    main()
