"""The traffic of bench/load.py: couriers and tracking look-ups over https, by asyncio.

Open loop: arrivals come at exponential intervals whatever the answers do, and a
request's latency counts from its planned arrival, so a slow server is not hidden by a
client that waits for it. One aiohttp client with HTTP/1.1 keep-alive and a bounded
pool of connections carries everything; cookies are sent by hand (each courier its own
session), so the pool is shared.
"""

import asyncio
import io
import random
import re
import ssl
import statistics
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aiohttp
from PIL import Image

# Requests in flight beyond this are not sent (counted as "shed"): the client's bound.
MAX_IN_FLIGHT = 400
TIMEOUT_S = 30
UNDO_SHARE = 0.3
METRIC = re.compile(r"^antar_sms_outbox_(oldest_age_seconds|pending) (\S+)$", re.M)
IN_DJANGO = re.compile(
    r"^antar_http_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$", re.M
)
LABEL = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class Tally:
    """Latencies, statuses and refusals per kind of request."""

    latency_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    shed: Counter = field(default_factory=Counter)
    outbox_age_s: list[float] = field(default_factory=list)
    outbox_pending: list[float] = field(default_factory=list)

    def record(self, kind: str, started: float, status: int | str) -> None:
        self.statuses[kind, status] += 1
        if status == 200:
            self.latency_s[kind].append(time.perf_counter() - started)


@dataclass
class Target:
    """Where the stack answers and what the seed made."""

    base_url: str
    ca_file: str
    metrics_key: str
    couriers: list[dict]
    codes: list[str]


def client(target: Target, connections: int) -> aiohttp.ClientSession:
    context = ssl.create_default_context(cafile=target.ca_file)
    connector = aiohttp.TCPConnector(limit=connections, ssl=context, force_close=False)
    return aiohttp.ClientSession(
        base_url=target.base_url,
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
    )


def jpeg(size=(640, 480)) -> bytes:
    """A phone-like photo: noise does not compress, so it is not trivially small."""
    image = Image.effect_noise(size, 40).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def courier_steps(deliveries: list[int], rng: random.Random) -> list[tuple]:
    """A courier's day: open the route, start it, then per stop heading, arrived,
    a failed visit with its photo (nobody at home) and now and then an undo."""
    steps: list[tuple] = [("route", None), ("start_route", None)]
    for delivery in deliveries:
        steps += [("heading", delivery), ("arrived", delivery), ("failed", delivery)]
        if rng.random() < UNDO_SHARE:
            steps.append(("undo", delivery))
    return steps


class Traffic:
    """The open-loop load: couriers' actions and tracking look-ups."""

    def __init__(self, http: aiohttp.ClientSession, target: Target, seed: int = 1):
        self.http, self.target = http, target
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.photo = jpeg()
        self.in_flight: set[asyncio.Task] = set()
        self.days = [courier_steps(c["deliveries"], self.rng) for c in target.couriers]
        self.csrf = [uuid.uuid4().hex for _ in target.couriers]
        self.idle = set(range(len(target.couriers)))

    async def run(self, seconds: float, action_rate: float, tracking_rate: float):
        """Both streams and the outbox sampler for `seconds`; then wait for answers."""
        until = time.perf_counter() + seconds
        await asyncio.gather(
            self._arrivals(action_rate, until, self._courier_arrival),
            self._arrivals(tracking_rate, until, self._tracking_arrival),
            self._sample_outbox(until),
        )
        if self.in_flight:
            await asyncio.wait(self.in_flight)

    async def _arrivals(self, rate: float, until: float, fire) -> None:
        planned = time.perf_counter()
        while True:
            planned += self.rng.expovariate(rate)
            if planned >= until:
                return
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
            fire(planned)

    def _spawn(self, kind: str, coroutine) -> None:
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            coroutine.close()
            self.tally.shed[kind] += 1
            return
        task = asyncio.ensure_future(coroutine)
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    def _tracking_arrival(self, planned: float) -> None:
        code = self.rng.choice(self.target.codes)
        if self.rng.random() < 0.5:
            kind, path = "track_page", f"/t/{code}/"
        else:
            kind, path = "track_api", f"/api/track/{code}/"
        self._spawn(kind, self.get(kind, path, planned))

    def _courier_arrival(self, planned: float) -> None:
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            self.tally.shed["courier"] += 1  # before a courier is taken off idle
            return
        if not self.idle:
            self.tally.shed["courier_busy"] += 1
            return
        n = self.rng.choice(tuple(self.idle))
        self.idle.discard(n)
        self._spawn("courier", self._courier_step(n, planned))

    async def _courier_step(self, n: int, planned: float) -> None:
        action, delivery = self.days[n].pop(0)
        try:
            if action == "route":
                await self.get("route", "/kurir/", planned, self._cookies(n))
            else:
                await self._act(n, action, delivery, planned)
        finally:
            if self.days[n]:
                self.idle.add(n)

    def _cookies(self, n: int) -> dict[str, str]:
        session = self.target.couriers[n]["session"]
        return {"Cookie": f"sessionid={session}; csrftoken={self.csrf[n]}"}

    async def get(self, kind: str, path: str, planned: float, headers=None) -> None:
        try:
            async with self.http.get(path, headers=headers, allow_redirects=False) as r:
                await r.read()
                self.tally.record(kind, planned, r.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            self.tally.record(kind, planned, type(error).__name__)

    async def _act(self, n: int, action: str, delivery, planned: float) -> None:
        form = aiohttp.FormData()
        fields = {
            "action": action,
            "client_id": str(uuid.uuid4()),
            "csrfmiddlewaretoken": self.csrf[n],
            "lat": "-0.66",
            "lon": "100.94",
        }
        if delivery is not None:
            fields["delivery"] = str(delivery)
        if action == "failed":
            fields["reason_code"] = "not_at_home"
            form.add_field("photo", self.photo, filename="rumah.jpg",
                           content_type="image/jpeg")  # fmt: skip
        for name, value in fields.items():
            form.add_field(name, value)
        headers = {**self._cookies(n), "Accept": "application/json",
                   "Referer": f"{self.target.base_url}/kurir/"}  # fmt: skip
        try:
            async with self.http.post("/kurir/aksi/", data=form, headers=headers) as r:
                answer = await r.json() if r.status == 200 else await r.read()
                self.tally.record(action, planned, r.status)
                if r.status == 200 and answer.get("outcome") != "applied":
                    self.tally.refused[action, answer.get("message", "")[:60]] += 1
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            self.tally.record(action, planned, type(error).__name__)

    async def _sample_outbox(self, until: float, every_s: float = 3.0) -> None:
        while time.perf_counter() < until:
            sample = await outbox(self.http, self.target)
            if sample:
                self.tally.outbox_age_s.append(sample[0])
                self.tally.outbox_pending.append(sample[1])
            await asyncio.sleep(every_s)


async def scrape(http: aiohttp.ClientSession, target: Target) -> str:
    """The text of /metrics ("" when it does not answer)."""
    headers = {"Authorization": f"Bearer {target.metrics_key}"}
    try:
        async with http.get("/metrics", headers=headers) as answer:
            return await answer.text()
    except (aiohttp.ClientError, TimeoutError):
        return ""


async def outbox(http: aiohttp.ClientSession, target: Target) -> tuple | None:
    """(age of the oldest queued SMS in s, SMS pending) from /metrics."""
    values = dict(METRIC.findall(await scrape(http, target)))
    if not values:
        return None
    return float(values["oldest_age_seconds"]), float(values["pending"])


async def in_django(http: aiohttp.ClientSession, target: Target) -> dict:
    """Per URL name, (seconds, answers) of 2xx requests as Django's middleware timed
    them: the time inside gunicorn's worker, without nginx, TLS and the client."""
    totals: dict = defaultdict(lambda: [0.0, 0.0])
    for part, labels, value in IN_DJANGO.findall(await scrape(http, target)):
        label = dict(LABEL.findall(labels))
        if label.get("status") == "2xx":
            totals[label["view"]][0 if part == "sum" else 1] += float(value)
    return totals


async def closed_loop(
    http: aiohttp.ClientSession, paths: list[str], clients: int, seconds: float
) -> tuple[float, list[float], Counter]:
    """`clients` loops, each sending its next request when the last answered;
    (seconds taken, latencies of the answers, statuses)."""
    until = time.perf_counter() + seconds
    latencies: list[float] = []
    statuses: Counter = Counter()
    rng = random.Random(2)

    async def loop() -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                async with http.get(rng.choice(paths), allow_redirects=False) as r:
                    await r.read()
                    statuses[r.status] += 1
            except (aiohttp.ClientError, TimeoutError) as error:
                statuses[type(error).__name__] += 1
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return time.perf_counter() - started, latencies, statuses


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds (0s for fewer than two values)."""
    if len(values) < 2:
        return (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000
