"""python -m deploy.prodcheck: up, a day through https, down; exit 1 on any failure."""

import os
import subprocess
import sys
import time

from deploy.prodcheck import day, stack
from tests.twilio_double import TwilioDouble

# Every process must be gone this soon after SIGTERM (systemd would wait longer,
# a test harness or a container runtime does not).
STOP_GOAL_S = 10.0


def main() -> int:
    double = TwilioDouble().start()
    running = stack.prepare(
        {
            "TWILIO_ACCOUNT_SID": double.account_sid,
            "TWILIO_AUTH_TOKEN": double.auth_token,
            "TWILIO_API_BASE_URL": double.base_url,
            "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
        }
    )
    # The double posts status callbacks to our https URL: trust our throw-away CA.
    os.environ["SSL_CERT_FILE"] = str(running.ca_file)
    failed = False
    try:
        print(f"prod-check: layout in {running.tmp}, {running.base_url}")
        stack.start(running)
        _seed(running)
        day.drive(running, double)
    except (day.CheckFailed, subprocess.CalledProcessError) as error:
        failed = True
        print(f"prod-check FAILED: {error}")
        stack.print_logs(running)
    finally:
        took = stack.stop(running)
        double.stop()
    slow = {name: s for name, s in took.items() if s > STOP_GOAL_S}
    print("  ..  stopped after SIGTERM: " + ", ".join(
        f"{name} {s:.1f} s" for name, s in took.items()))  # fmt: skip
    if slow:
        failed = True
        print(f"prod-check FAILED: slow to stop: {slow}")
    stack.remove(running)
    print("prod-check: " + ("FAILED" if failed else "all checks passed"))
    return 1 if failed else 0


def _seed(running: stack.Stack) -> None:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_demo",
            "--deliveries",
            "0",
            "--history-days",
            "0",
        ],
        cwd=stack.ROOT,
        env=os.environ | running.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  ..  office and staff seeded in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
