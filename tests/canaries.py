"""Tools of the canary test: seeded personal data, and where to look for it.

A canary is a value nobody else would write (a made-up name, number, address); if it
turns up somewhere it must not be, it can only have leaked from the seeded applicant.
Searching is by the distinctive part of each value, so that a number found in another
form (0813..., %2B62813..., digits alone) is still found.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from dataclasses import dataclass
from typing import Any

import redis

# Runs of base64 long enough to hold a task's arguments: kombu's Redis transport
# stores each message body base64-encoded, where a plain search would miss a value.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


@dataclass(frozen=True)
class Canaries:
    """One applicant's seeded data and the patterns that find it in any text."""

    full_name: str
    phone: str
    passport_number: str
    address: str
    handover_code: str = ""

    def patterns(self) -> dict[str, re.Pattern[str]]:
        """What to search for: the distinctive words and digits of each value."""
        words = {
            "full_name": self.full_name.split(),
            "address": re.findall(r"Kenari\w+", self.address),
            # The digits after +62, so that 0813..., 62813... and %2B62813... match.
            "phone": [self.phone.removeprefix("+62")],
            "passport_number": [self.passport_number, self.passport_number[2:]],
        }
        found = {
            kind: re.compile("|".join(map(re.escape, values)), re.IGNORECASE)
            for kind, values in words.items()
        }
        if self.handover_code:
            # Six digits on their own: not inside a longer number or a timestamp.
            found["handover_code"] = re.compile(
                rf"(?<!\d){re.escape(self.handover_code)}(?!\d)"
            )
        return found

    def found_in(self, text: str) -> dict[str, list[str]]:
        """Each canary found in `text`, with a little context around each hit."""
        hits: dict[str, list[str]] = {}
        for kind, pattern in self.patterns().items():
            for match in pattern.finditer(text):
                start, end = max(match.start() - 60, 0), match.end() + 60
                hits.setdefault(kind, []).append(text[start:end])
        return hits


def with_decoded(text: str) -> str:
    """`text` followed by the decoding of every base64 run in it (message bodies)."""
    decoded = []
    for run in _BASE64_RUN.findall(text):
        try:
            raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        decoded.append(raw.decode("utf-8", errors="replace"))
    return "\n".join([text, *decoded])


class BrokerTap:
    """Every command one Redis database receives while open (Redis MONITOR).

    Messages are gone from the broker once a worker acknowledges them; MONITOR sees
    each one on its way in, so nothing that passed through the broker is missed."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.db = int(self.client.connection_pool.connection_kwargs.get("db", 0))
        self.commands: list[str] = []
        self._monitor = self.client.monitor()
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def __enter__(self) -> BrokerTap:
        self._monitor.__enter__()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Closing the connection ends the blocking read of the listening thread.
        self._monitor.__exit__()
        self._thread.join(timeout=10)
        self.client.close()

    def _listen(self) -> None:
        try:
            for command in self._monitor.listen():
                if command["db"] == self.db:
                    self.commands.append(command["command"])
        except Exception:  # noqa: BLE001 - the connection closed under the reader
            return

    def text(self) -> str:
        """What the database received, base64 bodies decoded."""
        return with_decoded("\n".join(self.commands))


def broker_dump(url: str) -> str:
    """Every key of the broker's database and its value (queues, unacked, bindings)."""
    client = redis.Redis.from_url(url)
    lines = []
    try:
        for key in client.scan_iter(count=500):
            lines.append(f"{key!r}: {_value(client, key)!r}")
    finally:
        client.close()
    return with_decoded("\n".join(lines))


def _value(client: redis.Redis, key: bytes) -> Any:
    kind = client.type(key).decode()
    readers = {
        "string": lambda: client.get(key),
        "list": lambda: client.lrange(key, 0, -1),
        "hash": lambda: client.hgetall(key),
        "set": lambda: client.smembers(key),
        "zset": lambda: client.zrange(key, 0, -1, withscores=True),
    }
    return readers.get(kind, lambda: kind)()
