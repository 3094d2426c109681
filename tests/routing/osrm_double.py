"""A stand-in for OSRM's table service on 127.0.0.1, for tests.

It answers ``GET /table/v1/{profile}/{lon,lat;...}`` like osrm-routed 5.x:
``sources``/``destinations`` indices, ``annotations=duration,distance``, the
``TooBig`` limit (sources x destinations <= max_table_size**2), ``NoSegment`` for
points it cannot snap, null for pairs without a route, and errors as HTTP 400
with a JSON ``{"code", "message"}`` body. Distances are 1.3 x the haversine
distance and durations distance / 10 m/s, so any split into blocks gives the same
numbers as one request.
"""

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROAD_FACTOR = 1.3
SPEED_M_S = 10.0


def double_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the double's road distance between two (lat, lon) points."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return round(ROAD_FACTOR * 2 * 6_371_008.8 * math.asin(math.sqrt(h)), 1)


class OsrmError400(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class OsrmDouble:
    """Start with ``with OsrmDouble() as osrm:``; ``osrm.base_url`` is its URL."""

    def __init__(self, *, max_table_size: int = 100, delay_s: float = 0.0) -> None:
        self.max_table_size = max_table_size
        self.delay_s = delay_s
        self.requests: list[str] = []
        self.unsnappable: set[tuple[float, float]] = set()
        self.unroutable: set[tuple[float, float]] = set()
        self.raw_response: tuple[int, bytes] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes shutdown() quick (the default waits 0.5 s).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "OsrmDouble":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str) -> tuple[int, dict[str, object]]:
        """Return (HTTP status, JSON body) for a request path."""
        try:
            return 200, self._table(path)
        except OsrmError400 as error:
            return 400, {"code": error.code, "message": str(error)}

    def _table(self, path: str) -> dict[str, object]:
        url = urlsplit(path)
        parts = url.path.split("/")
        if len(parts) != 5 or parts[1:3] != ["table", "v1"]:
            raise OsrmError400("InvalidUrl", f"URL string malformed: {url.path}")
        points = _points(parts[4])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        sources = _indices(query.get("sources", "all"), len(points))
        destinations = _indices(query.get("destinations", "all"), len(points))
        if len(sources) * len(destinations) > self.max_table_size**2:
            raise OsrmError400("TooBig", "Too many table coordinates")
        for i, point in enumerate(points):
            if point in self.unsnappable:
                raise OsrmError400(
                    "NoSegment", f"Could not find a matching segment for coordinate {i}"
                )
        annotations = query.get("annotations", "duration").split(",")
        return self._body(points, sources, destinations, annotations)

    def _body(self, points, sources, destinations, annotations) -> dict[str, object]:
        distances = [
            [self._distance(points[s], points[d]) for d in destinations]
            for s in sources
        ]
        body: dict[str, object] = {
            "code": "Ok",
            "sources": [_waypoint(points[s]) for s in sources],
            "destinations": [_waypoint(points[d]) for d in destinations],
        }
        if "duration" in annotations:
            body["durations"] = [
                [None if m is None else round(m / SPEED_M_S, 1) for m in row]
                for row in distances
            ]
        if "distance" in annotations:
            body["distances"] = distances
        return body

    def _distance(self, a: tuple[float, float], b: tuple[float, float]) -> float | None:
        if a != b and (a in self.unroutable or b in self.unroutable):
            return None
        return double_distance_m(a, b)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                double.requests.append(self.path)
                time.sleep(double.delay_s)
                if double.raw_response is not None:
                    status, body = double.raw_response
                else:
                    status, payload = double.answer(self.path)
                    body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        return Handler


def _points(text: str) -> list[tuple[float, float]]:
    try:
        pairs = [tuple(map(float, p.split(","))) for p in text.split(";")]
    except ValueError as error:
        raise OsrmError400("InvalidQuery", "Query string malformed") from error
    if any(len(p) != 2 for p in pairs):
        raise OsrmError400("InvalidQuery", "Query string malformed")
    return [(lat, lon) for lon, lat in pairs]  # OSRM order is lon,lat


def _indices(text: str, n: int) -> list[int]:
    if text == "all":
        return list(range(n))
    indices = [int(i) for i in text.split(";")]
    if any(not 0 <= i < n for i in indices):
        raise OsrmError400("InvalidOptions", "Index out of bounds")
    return indices


def _waypoint(point: tuple[float, float]) -> dict[str, object]:
    return {"location": [point[1], point[0]], "name": "", "distance": 0.0}
