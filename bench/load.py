"""Load on the production layout: 300 couriers and 50 tracking look-ups a second.

Brings deploy/ up on loopback with deploy/prodcheck/stack.py (nginx with TLS,
gunicorn, the Celery units; its own database and Redis db), seeds a published day with
bench/load_seed.py, then for --minutes runs open-loop traffic (bench/load_traffic.py):
couriers' actions at /kurir/aksi/ and look-ups of /t/<code>/ and /api/track/<code>/,
sampling the SMS outbox lag from /metrics. Then, with the outbox drained, the tracking
look-up's closed-loop throughput beside a bare Django JSON view on the same stack.
Prints the figures and tears everything down (also on Ctrl-C or SIGTERM).

    .venv/bin/python bench/load.py --minutes 5
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_traffic import (  # noqa: E402
    Tally,
    Target,
    Traffic,
    client,
    closed_loop,
    in_django,
    outbox,
    percentiles,
)
from deploy.prodcheck import stack  # noqa: E402

GOAL_RATIO = 0.60
HOT_CODES = 200


def serve_double(conn) -> None:
    """Child process: a TwilioDouble with status callbacks, trusting the stack's CA."""
    from tests.twilio_double import TwilioDouble

    with TwilioDouble() as double:
        conn.send((double.base_url, double.account_sid, double.auth_token))
        os.environ["SSL_CERT_FILE"] = conn.recv()  # callbacks go to our https
        conn.recv()  # stop


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--minutes", type=float, default=5.0, help="open-loop phase (default 5)")
    add("--couriers", type=int, default=300)
    add("--stops", type=int, default=6, help="deliveries per courier")
    # A real courier acts about every 4 minutes (35 stops, 3 to 4 taps each, in 8
    # hours); once a minute is a busy morning.
    add("--action-every-s", type=float, default=60.0,
        help="mean seconds between one courier's actions (default 60)")  # fmt: skip
    add("--tracking-rate", type=float, default=50.0, help="look-ups per second")
    add("--connections", type=int, default=64, help="client's keep-alive pool")
    add("--closed-clients", type=int, default=16)
    add("--closed-seconds", type=float, default=20.0, help="per kind, in 2 rounds")
    cores = os.cpu_count() or 1
    add("--web-workers", type=int, default=2 * cores + 1,
        help="gunicorn workers (default: 2 x cores + 1)")  # fmt: skip
    add("--web-threads", type=int, default=1,
        help="threads per gunicorn worker (default 1: sync workers)")  # fmt: skip
    add("--database", default="antar_loadbench")
    add("--redis-db", type=int, default=12)
    add("--keep-up", action="store_true",
        help="after the figures, keep the stack up until Ctrl-C")  # fmt: skip
    return parser.parse_args()


def start_double():
    parent, child = multiprocessing.Pipe()
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=serve_double, args=(child,), daemon=True)
    process.start()
    return process, parent, parent.recv()


def stack_env(args: argparse.Namespace, double_info) -> dict[str, str]:
    base_url, sid, token = double_info
    return {
        "TWILIO_ACCOUNT_SID": sid,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_API_BASE_URL": base_url,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
        "BENCH_BARE_VIEW": "1",
        # Every look-up comes from 127.0.0.1: one client's budget would stop them all.
        "TRACKING_RATE_LIMIT": str(10**9),
        "GUNICORN_WORKERS": str(args.web_workers),
        "GUNICORN_THREADS": str(args.web_threads),
        # The bench measures the outbox at any hour: no quiet hours holding SMS back.
        "SMS_QUIET_START": "",
    }


def wait_healthy(running: stack.Stack, timeout_s: float = 120.0) -> None:
    context = ssl.create_default_context(cafile=str(running.ca_file))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            url = f"{running.base_url}/healthz"
            with urllib.request.urlopen(url, context=context, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the stack did not become healthy")


def seed(running: stack.Stack, args: argparse.Namespace) -> dict:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "bench/load_seed.py", "--couriers", str(args.couriers),
         "--stops", str(args.stops)],
        cwd=ROOT, env=os.environ | running.env, check=True, capture_output=True,
    )  # fmt: skip
    seeded = json.loads(done.stdout)
    print(f"seeded {args.couriers} couriers, {len(seeded['codes'])} deliveries and "
          f"a published plan in {time.monotonic() - started:.1f} s")  # fmt: skip
    return seeded


async def bench(target: Target, args: argparse.Namespace) -> None:
    async with client(target, args.connections) as http:
        traffic = Traffic(http, target)
        seconds = args.minutes * 60
        rate = args.couriers / args.action_every_s
        print(f"open loop for {seconds:.0f} s: courier actions {rate:.1f}/s, "
              f"look-ups {args.tracking_rate:.0f}/s")  # fmt: skip
        started = time.perf_counter()
        await traffic.run(seconds, rate, args.tracking_rate)
        report_open(traffic.tally, time.perf_counter() - started)
        await drain(http, target)
        await compare(http, target, args)


def report_open(tally: Tally, elapsed_s: float) -> None:
    print(f"\n-- open loop, {elapsed_s:.0f} s (latency from the planned arrival) --")
    print(f"{'kind':<12}{'sent':>7}{'ok/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    kinds = sorted({kind for kind, _ in tally.statuses})
    for kind in kinds:
        sent = sum(n for (k, _), n in tally.statuses.items() if k == kind)
        ok = tally.latency_s[kind]
        p50, p95, p99 = percentiles(ok)
        print(f"{kind:<12}{sent:>7}{len(ok) / elapsed_s:>8.1f}"
              f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")  # fmt: skip
    errors = {f"{k} {s}": n for (k, s), n in tally.statuses.items() if s != 200}
    print("errors by status:", errors or "none")
    refused = dict(tally.refused)
    print("refused by the app (200, outcome not applied):", refused or "none")
    print("not sent (client bound, or no idle courier):", dict(tally.shed) or "none")
    ages = tally.outbox_age_s
    if ages:
        print(f"outbox lag (oldest queued SMS), {len(ages)} samples: "
              f"median {statistics.median(ages):.1f} s, max {max(ages):.1f} s; "
              f"pending max {max(tally.outbox_pending):.0f}")  # fmt: skip


async def drain(http, target: Target, timeout_s: float = 300.0) -> None:
    """Wait for the outbox to empty, so that the comparison runs on a quiet stack."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        sample = await outbox(http, target)
        if sample and sample[1] == 0:
            break
        await asyncio.sleep(2)
    print(f"outbox drained {time.perf_counter() - started:.0f} s after the load "
          f"(last sample: {sample})")  # fmt: skip


async def compare(http, target: Target, args: argparse.Namespace) -> None:
    """Closed loop, alternating kinds in two rounds so that outside load hits all."""
    kinds = {
        "bare": ["/bench/bare/"],
        "track_api": [f"/api/track/{code}/" for code in target.codes],
        "track_page": [f"/t/{code}/" for code in target.codes],
        # Applicants reloading their own page (a day's few hundred codes, each looked
        # up again and again): the case the tracking cache is for.
        "track_api_hot": [f"/api/track/{code}/" for code in target.codes[:HOT_CODES]],
        "track_page_hot": [f"/t/{code}/" for code in target.codes[:HOT_CODES]],
    }
    done = {kind: [0.0, [], {}] for kind in kinds}
    before = await in_django(http, target)
    for _round in range(2):
        for kind, paths in kinds.items():
            took, lat, statuses = await closed_loop(
                http, paths, args.closed_clients, args.closed_seconds / 2
            )
            done[kind][0] += took
            done[kind][1] += lat
            for status, n in statuses.items():
                done[kind][2][status] = done[kind][2].get(status, 0) + n
    print(f"\n-- closed loop, {args.closed_clients} clients, "
          f"{args.closed_seconds:.0f} s per kind --")  # fmt: skip
    rates = {}
    for kind, (took, lat, statuses) in done.items():
        rates[kind] = statuses.get(200, 0) / took
        p50, p95, _ = percentiles(lat)
        print(f"{kind:<15}{rates[kind]:>8.1f} req/s  p50 {p50:.0f} ms  "
              f"p95 {p95:.0f} ms  statuses {statuses}")  # fmt: skip
    for kind in ("track_api", "track_page", "track_api_hot", "track_page_hot"):
        ratio = rates[kind] / rates["bare"] if rates["bare"] else 0.0
        verdict = "met" if ratio >= GOAL_RATIO else "MISSED"
        print(f"{kind} / bare = {ratio:.2f} (goal {GOAL_RATIO:.2f}: {verdict})")
    report_in_django(before, await in_django(http, target))


def report_in_django(before: dict, after: dict) -> None:
    print("mean time inside Django (gunicorn worker), closed loop:")
    for view in ("bench-bare", "tracking:api", "tracking:page"):
        seconds = after[view][0] - before.get(view, [0.0, 0.0])[0]
        count = after[view][1] - before.get(view, [0.0, 0.0])[1]
        if count:
            print(f"  {view:<14}{seconds / count * 1000:6.1f} ms over {count:.0f}")


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt  # the same clean-up as Ctrl-C


def main() -> None:
    args = arguments()
    signal.signal(signal.SIGTERM, _interrupted)
    print(f"load average at start: {os.getloadavg()}")
    process, pipe, info = start_double()
    running = stack.prepare(
        stack_env(args, info), database=args.database, redis_db=args.redis_db
    )
    pipe.send(str(running.ca_file))
    try:
        stack.start(running)
        wait_healthy(running)
        seeded = seed(running, args)
        key = running.env["METRICS_KEY"]
        target = Target(running.base_url, str(running.ca_file), key,
                        seeded["couriers"], seeded["codes"])  # fmt: skip
        asyncio.run(bench(target, args))
        if args.keep_up:
            print(f"stack up at {running.base_url} (CA {running.ca_file}, environment "
                  f"{running.tmp}/etc/antar.env); Ctrl-C tears it down")  # fmt: skip
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("interrupted: tearing down")
    except (subprocess.CalledProcessError, RuntimeError) as error:
        print(f"load bench FAILED: {error}")
        if isinstance(error, subprocess.CalledProcessError):
            print(error.stderr.decode(errors="replace")[-3000:])
        stack.print_logs(running)
    finally:
        print(f"load average at end: {os.getloadavg()}")
        stack.stop(running)
        pipe.send("stop")
        process.join(10)
        stack.remove(running)


if __name__ == "__main__":
    main()
