"""deploy/compose.yaml is the systemd layout of deploy/systemd/ in containers.

No Docker daemon runs where these tests run: the compose file and the Dockerfile are
read, never built or brought up (see README "Containers").
"""

import shlex
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Units that run all the time, one compose service each with the same command.
LONG_RUNNING = ("web", "worker", "planner", "beat")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def _exec_start(unit: str) -> list[str]:
    """The unit's first ExecStart as the container runs it (no venv path, %H -> %h)."""
    text = (DEPLOY / "systemd" / f"antar-{unit}.service").read_text()
    line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
    argv = shlex.split(line.removeprefix("ExecStart="))
    # systemd expands %H to the host name; Celery expands its own %h the same way.
    return [Path(argv[0]).name] + [a.replace("%H", "%h") for a in argv[1:]]


def test_every_systemd_unit_has_a_compose_service(services):
    units = {p.stem.removeprefix("antar-") for p in DEPLOY.glob("systemd/*.service")}

    assert set(LONG_RUNNING) <= units
    assert units <= set(services)
    assert {"nginx", "postgres", "redis"} <= set(services)


@pytest.mark.parametrize("unit", LONG_RUNNING)
def test_each_service_runs_its_units_command(services, unit):
    assert services[unit]["command"] == _exec_start(unit)


def test_beat_runs_exactly_once(services):
    beat = services["beat"]

    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat
    for name, service in services.items():
        if name != "beat":  # no other service runs beat, not even inside a worker
            assert not {"beat", "-B", "--beat"} & set(service.get("command") or [])


def test_plans_go_to_the_planner_and_the_release_step_comes_first(services):
    apps = [services[name] for name in (*LONG_RUNNING, "release", "backup")]

    assert all(s["environment"]["CELERY_PLANNING_QUEUE"] == "planning" for s in apps)
    assert services["release"]["command"] == _exec_start("release")
    for name in LONG_RUNNING:
        assert services[name]["depends_on"]["release"] == {
            "condition": "service_completed_successfully"
        }


def test_media_and_postgres_live_in_volumes(services):
    volumes = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["volumes"]

    assert {"media", "postgres"} <= set(volumes)
    assert "media:/var/lib/antar/media" in services["web"]["volumes"]
    assert "postgres:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_the_files_compose_mounts_exist(services):
    for mount in services["nginx"]["volumes"]:
        source = mount.split(":")[0]
        if source.startswith("./nginx/"):
            assert (DEPLOY / source).is_file(), source


def test_the_image_runs_gunicorn_as_a_user_who_is_not_root():
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]

    assert lines[next(i for i, x in enumerate(lines) if x.startswith("FROM "))] == (
        "FROM python:3.11-slim-bookworm"
    )
    assert users
    assert users[-1] not in {"root", "0", "root:root"}
    assert lines[-1] == 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]'
