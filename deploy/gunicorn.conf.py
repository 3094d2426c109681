"""gunicorn for Antar: behind nginx on loopback, sync workers, bounded requests.

Settings come from the environment (GUNICORN_BIND, GUNICORN_WORKERS); the rest are
the production defaults. Sync workers suit short Django requests; a request that runs
longer than `timeout` is a bug (long work goes to Celery).
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# GUNICORN_THREADS above 1: threaded workers (gthread), whose threads overlap their
# waits for PostgreSQL and Redis, and which keep nginx's upstream connections alive;
# 1 (the default): sync workers. Not the default yet: on bench/load.py, 4 threads
# carried far more, but about 1 request in 10,000 got a 502 from nginx, not yet
# explained (bench/README.md).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may tell us the client's scheme (see config/proxy.py for
# the address, which Django decides from TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # nginx logs requests; paths carry tracking codes, keep them there
errorlog = "-"
capture_output = True
wsgi_app = "config.wsgi:application"


def on_starting(server) -> None:
    """Start with an empty metrics folder: files of an earlier run would be summed."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    """Forget a dead worker's live gauges (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
