"""Bring the production layout up on this machine, exactly as deploy/ describes it.

The systemd units of deploy/systemd/ are read and their commands run as processes
(this machine has no running systemd), with their paths moved into a temporary
folder: /opt/antar is this checkout, /etc/antar/antar.env the generated environment
file, /var/lib/antar and /run/antar folders under the temporary one. nginx runs
deploy/nginx/antar.conf the same way, with a self-signed certificate. PostgreSQL and
Redis are the machine's; SMS go to the local Twilio double through the real SDK.
"""

import base64
import configparser
import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("antar-web", "antar-worker", "antar-planner", "antar-beat")
DATABASE = "antar_prodcheck"
REDIS_DB = 11
STOP_WITHIN_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    """The running layout: its folder, ports, environment and processes."""

    tmp: Path
    # A benchmark names its own, so that it never clashes with a prod-check.
    database: str = DATABASE
    redis_db: int = REDIS_DB
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def ca_file(self) -> Path:
        return self.tmp / "tls" / "ca.pem"

    def path(self, unit_path: str) -> str:
        """A path of the units and nginx config, moved into this stack's folder."""
        return (
            unit_path.replace("/opt/antar", str(ROOT))
            .replace("/etc/antar", str(self.tmp / "etc"))
            .replace("/var/lib/antar", str(self.tmp / "var"))
            .replace("/run/antar", str(self.tmp / "run"))
            .replace("/var/log/nginx", str(self.tmp / "log"))
        )


def prepare(
    extra_env: dict[str, str], *, database: str = DATABASE, redis_db: int = REDIS_DB
) -> Stack:
    """Make the folder, the certificate, the database and the environment file."""
    tmp = Path(tempfile.mkdtemp(prefix="antar-prodcheck-"))
    stack = Stack(tmp=tmp, database=database, redis_db=redis_db)
    for name in ("etc/tls", "var/media", "var/static", "run", "log", "tls", "nginx"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)  # nginx's workers (nobody) read its configuration
    _certificate(tmp / "tls")
    _fresh_database(database)
    redis.Redis(db=redis_db).flushdb()
    stack.env = _environment(stack) | extra_env
    env_file = tmp / "etc" / "antar.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in stack.env.items()))
    return stack


def _certificate(folder: Path) -> None:
    """A throw-away CA and a certificate for localhost signed by it."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Antar prod-check CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "privkey.pem",
        "-out",
        "server.csr",
    )
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext",
            "-out", "fullchain.pem")  # fmt: skip


def _fresh_database(name: str) -> None:
    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def _environment(stack: Stack) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": "prod-check-" + os.urandom(16).hex(),
        "PUBLIC_BASE_URL": stack.base_url,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": stack.base_url,
        "TRUSTED_PROXIES": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{stack.database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{stack.redis_db}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{stack.redis_db}",
        "CELERY_PLANNING_QUEUE": "planning",
        "HANDOVER_CODE_PEPPER": os.urandom(32).hex(),
        "AUDIT_CHECKPOINT_KEY": os.urandom(32).hex(),
        "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "METRICS_KEY": "prod-check-metrics-" + os.urandom(8).hex(),
        "MEDIA_ROOT": stack.path("/var/lib/antar/media"),
        "STATIC_ROOT": stack.path("/var/lib/antar/static"),
        "ANTAR_VAR_DIR": stack.path("/var/lib/antar"),
        "WHITENOISE_USE_FINDERS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{stack.app_port}",
        "GUNICORN_WORKERS": "2",
        "LOG_FORMAT": "json",
        "TRACKING_RATE_LIMIT": "8",
        # The check drives a whole day at any hour (CI runs at night, WIB): the
        # quiet hours would hold the "handed over" SMS with the survey link till 07:00.
        "SMS_QUIET_START": "",
    }


def _unit_commands(unit: str, stack: Stack) -> tuple[list[list[str]], dict[str, str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    text = (DEPLOY / "systemd" / f"{unit}.service").read_text()
    # systemd allows a key several times (ExecStart in oneshot units): number them.
    lines, seen = [], 0
    for line in text.splitlines():
        if line.startswith("ExecStart="):
            seen += 1
            line = f"ExecStart{seen}=" + line.split("=", 1)[1]
        lines.append(line)
    parser.read_string("\n".join(lines))
    service = parser["Service"]
    env = dict(stack.env)
    for key, value in service.items():
        if key == "Environment":
            name, _, val = value.partition("=")
            env[name] = stack.path(val)
    commands = [
        shlex.split(stack.path(value.replace("%H", socket.gethostname())))
        for key, value in service.items()
        if key.startswith("ExecStart")
    ]
    return commands, env


def start(stack: Stack) -> None:
    """Run the release unit, then start every long-running unit and nginx."""
    commands, env = _unit_commands("antar-release", stack)
    for command in commands:
        subprocess.run(command, cwd=ROOT, env=os.environ | env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    (stack.tmp / "run" / "metrics").mkdir(exist_ok=True)
    for unit in UNITS:
        (command,), env = _unit_commands(unit, stack)
        log = (stack.tmp / "log" / f"{unit}.log").open("w")
        stack.processes[unit] = subprocess.Popen(
            command, cwd=ROOT, env=os.environ | env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    stack.processes["nginx"] = _start_nginx(stack)


def _start_nginx(stack: Stack) -> subprocess.Popen:
    site = (DEPLOY / "nginx" / "antar.conf").read_text()
    site = (
        stack.path(site)
        .replace("listen 443 ssl", f"listen 127.0.0.1:{stack.https_port} ssl")
        .replace("listen 80;", f"listen 127.0.0.1:{stack.http_port};")
        .replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{stack.app_port};")
        .replace(str(stack.tmp / "etc" / "tls"), str(stack.tmp / "tls"))
    )
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    conf = stack.tmp / "nginx"
    (conf / "antar.conf").write_text(site)
    (conf / "nginx.conf").write_text(
        f"pid {conf}/nginx.pid;\nerror_log {stack.tmp}/log/nginx.error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n"
        f"  include {DEPLOY}/nginx/log-format.conf;\n"
        f"  client_body_temp_path {conf}/body;\n  proxy_temp_path {conf}/proxy;\n"
        f"  include {conf}/antar.conf;\n}}\n"
    )
    command = ["nginx", "-p", str(conf), "-c", str(conf / "nginx.conf")]
    subprocess.run([*command, "-t", "-q"], check=True)  # says what is wrong
    return subprocess.Popen(
        [*command, "-g", "daemon off;"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def stop(stack: Stack) -> dict[str, float]:
    """SIGTERM every process group; how long each took to be gone (inf: killed)."""
    took: dict[str, float] = {}
    for name, process in stack.processes.items():
        started = time.monotonic()
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_WITHIN_S)
            _wait_group_gone(process.pid, STOP_WITHIN_S)
            took[name] = time.monotonic() - started
        except (subprocess.TimeoutExpired, TimeoutError):
            _signal_group(process, signal.SIGKILL)
            process.wait()
            took[name] = float("inf")
    return took


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _wait_group_gone(pgid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise TimeoutError(pgid)


def remove(stack: Stack) -> None:
    """Drop the database and the folder (logs are printed first on failure)."""
    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {stack.database} WITH (FORCE)")
    finally:
        shutil.rmtree(stack.tmp, ignore_errors=True)


def print_logs(stack: Stack, lines: int = 40) -> None:
    """The tail of every process's log, for a failed check."""
    for log in sorted((stack.tmp / "log").glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} ---", *tail, sep="\n")
