"""Drive a small day through https, as its users would, and check what must hold.

Intake through the API, a plan solved by the planning worker and published, a courier's
route in the courier app with the handover code read from the SMS the worker sent to
the Twilio double, the applicant's tracking page and survey; then the security headers,
the client address seen behind the proxy, private photos and the metrics key.
"""

import http.client
import io
import re
import ssl
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from PIL import Image

from deploy.prodcheck.stack import Stack

OFFICE_TIME_ZONE = ZoneInfo("Asia/Jakarta")

PASSWORD = "antar-demo"  # seed_demo's demo password
COURIER = ("kurir1", "+6281266001001")
APPLICANT_PHONE = "+6281299000111"
VILLAGE = "13.03.04.2001"  # Muaro Sijunjung, near the demo office


class CheckFailed(AssertionError):
    """A check of the production layout did not hold."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"  ok  {what}")


def wait_for(predicate, what: str, timeout_s: float = 90.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise CheckFailed(f"timed out waiting for {what}")


def session(stack: Stack) -> requests.Session:
    client = requests.Session()
    client.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy would override these
    client.verify = str(stack.ca_file)
    return client


def drive(stack: Stack, double) -> None:
    """The whole check; raises CheckFailed on the first thing that does not hold."""
    web = session(stack)
    wait_for(lambda: _healthy(web, stack), "/healthz to answer 200 through nginx")
    check(_redirects_to_https(stack), "plain http is redirected to https")
    token = _token(web, stack, "petugas")
    deliveries = [_intake(web, stack, token, n) for n in (1, 2)]
    plan_id = _plan_and_publish(web, stack, token)
    print(f"  ..  plan {plan_id} published")
    courier = _courier_login(stack)
    target = deliveries[0]
    _courier_hands_over(courier, stack, double, target["id"])
    _tracking_and_survey(stack, double, target["tracking_code"])
    _client_address_behind_proxy(stack, deliveries[1]["tracking_code"])
    _private_photos(stack, courier)
    _metrics(web, stack)
    _headers(web, stack, target["tracking_code"])
    _beat_and_workers(web, stack)


def _healthy(web: requests.Session, stack: Stack) -> bool:
    try:
        answer = web.get(f"{stack.base_url}/healthz", timeout=5)
    except requests.RequestException as error:
        print(f"  ..  /healthz: {error}")
        return False
    if answer.status_code != 200:
        print(f"  ..  /healthz: {answer.status_code} {answer.text[:200]}")
    return answer.status_code == 200


def _redirects_to_https(stack: Stack) -> bool:
    answer = session(stack).get(
        f"http://localhost:{stack.http_port}/lacak/", allow_redirects=False, timeout=5
    )
    return answer.status_code == 301 and answer.headers["Location"].startswith("https")


def _token(web: requests.Session, stack: Stack, username: str) -> str:
    answer = web.post(
        f"{stack.base_url}/api/auth/token/",
        data={"username": username, "password": PASSWORD},
        timeout=10,
    )
    check(answer.status_code == 200, f"{username} gets an API token")
    return answer.json()["token"]


def _intake(web: requests.Session, stack: Stack, token: str, n: int) -> dict:
    answer = web.post(
        f"{stack.base_url}/api/deliveries/intake/",
        headers={"Authorization": f"Token {token}"},
        json={
            "application_number": f"PRODCHECK-{n}",
            "passport_number": f"X{n:07d}",
            "full_name": f"Pemohon Uji {n}",
            "phone": APPLICANT_PHONE if n == 1 else f"+62812990002{n:02d}",
            "address": "Jl. Prof. M. Yamin, Muaro",
            "village_code": VILLAGE,
            "issued_on": (_today() - timedelta(days=3)).isoformat(),
        },
        timeout=10,
    )
    check(answer.status_code == 201, f"delivery {n} taken in through the API")
    return answer.json()


def _plan_and_publish(web: requests.Session, stack: Stack, token: str) -> int:
    auth = {"Authorization": f"Token {token}"}
    today = _today().isoformat()
    answer = web.post(
        f"{stack.base_url}/api/plans/",
        headers=auth,
        # kurir1 is the first courier seed_demo makes: the one who logs in below.
        json={"date": today, "time_limit_s": 5, "courier_ids": [1]},
        timeout=10,
    )
    check(answer.status_code in (201, 202), "a plan is started through the API")
    plan_id = answer.json()["id"]
    url = f"{stack.base_url}/api/plans/{plan_id}/"

    def solved():
        plan = web.get(url, headers=auth, timeout=10).json()
        return plan if plan["status"] in ("draft", "failed") else None

    plan = wait_for(solved, "the planning worker to solve the plan")
    check(plan["status"] == "draft", "the planning worker made a draft plan")
    search = plan["figures"].get("search")
    check(
        search == {"configurations": 2, "processes": 2},
        "the planning worker ran both route searches",
    )
    preview = web.get(f"{url}publish/preview/", headers=auth, timeout=30).json()
    check(preview["publishable"], "the publish preview shows what will change")
    consent = {"confirm": True, "accept_lateness": preview["needs_late_ack"]}
    published = web.post(f"{url}publish/", headers=auth, json=consent, timeout=30)
    check(published.status_code == 200, "the plan is published")
    return plan_id


def _courier_login(stack: Stack) -> requests.Session:
    courier = session(stack)
    login = f"{stack.base_url}/kurir/masuk/"
    courier.get(login, timeout=10)
    answer = courier.post(
        login,
        data={
            "username": COURIER[0],
            "password": PASSWORD,
            "csrfmiddlewaretoken": courier.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=10,
    )
    check(answer.ok and "/kurir/masuk/" not in answer.url, "the courier logs in")
    return courier


def _act(courier: requests.Session, stack: Stack, **fields) -> dict:
    files = fields.pop("files", None)
    answer = courier.post(
        f"{stack.base_url}/kurir/aksi/",
        data={**fields, "csrfmiddlewaretoken": courier.cookies["csrftoken"]},
        files=files,
        headers={"Accept": "application/json", "Referer": f"{stack.base_url}/kurir/"},
        timeout=20,
    )
    return answer.json() if answer.ok else {"outcome": f"http {answer.status_code}"}


def _courier_hands_over(courier, stack: Stack, double, delivery_id: int) -> None:
    route = courier.get(f"{stack.base_url}/kurir/", timeout=10)
    check(
        route.ok and f"/kurir/stop/{delivery_id}/" in route.text,
        "the stop is on the route",
    )
    _act(courier, stack, action="start_route")
    _act(courier, stack, action="heading", delivery=delivery_id)
    _act(courier, stack, action="arrived", delivery=delivery_id)
    code = wait_for(
        lambda: _code_from_sms(double), "the handover code SMS at the double"
    )
    photo = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(photo, "JPEG")
    outcome = _act(
        courier, stack, action="handover", delivery=delivery_id, code=code,
        recipient_kind="holder", recipient_name="Pemohon Uji 1",
        files={"photo": ("ktp.jpg", photo.getvalue(), "image/jpeg")},
    )  # fmt: skip
    check(
        outcome.get("outcome") == "applied", f"the passport is handed over: {outcome}"
    )


def _code_from_sms(double) -> str | None:
    for message in double.messages_to(APPLICANT_PHONE):
        found = re.search(r"\b(\d{6})\b", message.body)
        if found and "kode" in message.body.lower():
            return found.group(1)
    return None


def _tracking_and_survey(stack: Stack, double, tracking_code: str) -> None:
    public = session(stack)
    page = public.get(f"{stack.base_url}/t/{tracking_code}/", timeout=10)
    check(page.status_code == 200, "the applicant's tracking page answers")
    check("Pemohon Uji" not in page.text, "the tracking page shows no name")

    def survey_link():
        # The "handed over" SMS ends with the survey link (or the tracking link,
        # whose page links to the survey).
        for message in double.messages_to(APPLICANT_PHONE):
            found = re.search(r"https://\S+", message.body)
            if found and "diserahkan" in message.body:
                link = found.group(0)
                return link if "/nilai" in link else link.rstrip("/") + "/nilai/"
        return None

    link = wait_for(survey_link, "the delivered SMS with the survey link")
    link = link.replace(
        f"127.0.0.1:{stack.https_port}", f"localhost:{stack.https_port}"
    )
    survey = public.get(link, timeout=10)
    check(survey.status_code == 200, "the survey opens from the SMS link")
    answers = {f"u{n}": "4" for n in range(1, 10)}  # the nine IKM elements
    token = public.cookies.get("csrftoken", "")
    sent = public.post(
        link, data={**answers, "csrfmiddlewaretoken": token},
        headers={"Referer": link}, timeout=10,
    )  # fmt: skip
    check(sent.status_code in (200, 302), "the applicant rates the service")


def _headers(web: requests.Session, stack: Stack, tracking_code: str) -> None:
    for path in ("/petugas/masuk/", f"/t/{tracking_code}/", "/kurir/masuk/"):
        headers = web.get(f"{stack.base_url}{path}", timeout=10).headers
        check(
            "max-age=" in headers.get("Strict-Transport-Security", ""),
            f"HSTS on {path}",
        )
        policy = headers.get("Content-Security-Policy", "")
        scripts = _directive(policy, "script-src") or _directive(policy, "default-src")
        check(bool(scripts), f"a CSP on {path}")
        check("'unsafe-inline'" not in scripts, f"no inline script allowed on {path}")
        check(headers.get("X-Content-Type-Options") == "nosniff", f"nosniff on {path}")
        check(headers.get("X-Frame-Options") == "DENY", f"frames denied on {path}")


def _directive(policy: str, name: str) -> str:
    for part in policy.split(";"):
        if part.strip().startswith(name + " "):
            return part.strip()
    return ""


def _today() -> date:
    # The office's day (config/settings.py TIME_ZONE), not this machine's: from 17:00
    # UTC on, the machine's date is the office's yesterday.
    return datetime.now(OFFICE_TIME_ZONE).date()


def _get_from(stack: Stack, source: str, path: str, spoof: str) -> int:
    context = ssl.create_default_context(cafile=str(stack.ca_file))
    conn = http.client.HTTPSConnection(
        "localhost", stack.https_port, context=context, source_address=(source, 0)
    )
    conn.request("GET", path, headers={"X-Forwarded-For": spoof})
    status = conn.getresponse().status
    conn.close()
    return status


def _client_address_behind_proxy(stack: Stack, tracking_code: str) -> None:
    # The budget is per client (TRACKING_RATE_LIMIT=8): one client spends it whatever
    # X-Forwarded-For it claims; another client still has its own.
    path = f"/t/{tracking_code}/"
    spent = [_get_from(stack, "127.0.0.2", path, f"10.9.9.{n}") for n in range(9)]
    # (The page answers 302 to the code's canonical spelling; a look-up all the same.)
    allowed = spent[0] in (200, 302)
    check(allowed and spent[-1] == 429, f"one client cannot dodge its limit {spent}")
    other = _get_from(stack, "127.0.0.3", path, "10.9.9.1")
    check(other in (200, 302), "each client behind the proxy has its own budget")


def _private_photos(stack: Stack, courier: requests.Session) -> None:
    photo = f"{stack.base_url}/kurir/foto/1/"  # the handover's proof, the first photo
    anonymous = session(stack).get(photo, allow_redirects=False, timeout=10)
    check(anonymous.status_code in (302, 403, 404), "a proof photo needs a login")
    media = session(stack).get(f"{stack.base_url}/media/", timeout=10)
    check(media.status_code == 404, "no media folder is served")
    dispatcher = _console_login(stack)
    seen = dispatcher.get(photo, timeout=10)
    check(
        seen.status_code == 200 and seen.headers["Content-Type"] == "image/jpeg",
        "the dispatcher sees the proof photo (decrypted, as image/jpeg)",
    )


def _console_login(stack: Stack) -> requests.Session:
    console = session(stack)
    login = f"{stack.base_url}/petugas/masuk/"
    console.get(login, timeout=10)
    console.post(
        login,
        data={
            "username": "petugas",
            "password": PASSWORD,
            "csrfmiddlewaretoken": console.cookies["csrftoken"],
        },
        headers={"Referer": login},
        timeout=10,
    )
    return console


def _beat_and_workers(web: requests.Session, stack: Stack) -> None:
    def heartbeat():
        health = web.get(f"{stack.base_url}/healthz", timeout=10).json()
        return health if health.get("beat") == "ok" else None

    health = wait_for(heartbeat, "beat's first heartbeat, run by a worker", 120)
    check(health["worker"] == "ok", "/healthz: beat and a worker run")


def _metrics(web: requests.Session, stack: Stack) -> None:
    url = f"{stack.base_url}/metrics"
    check(web.get(url, timeout=10).status_code == 404, "metrics need the key")
    keyed = web.get(
        url, headers={"Authorization": f"Bearer {stack.env['METRICS_KEY']}"}, timeout=10
    )
    check(
        keyed.status_code == 200 and "antar_sms_outbox_pending" in keyed.text,
        "metrics with the key show the outbox",
    )
