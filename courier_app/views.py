"""Screens of the couriers' phone app. Thin: validate, call one service, render."""

import uuid
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from courier_app import selectors
from courier_app.forms import FAILURE_CHOICES, ActionForm
from delivery import services
from delivery.models import ProofOfDelivery, RecipientKind
from delivery.selectors import delivery_list_for_user
from delivery.services.handover import handover_code_live, handover_is_locked
from delivery.services.photos import photo_read

STATIC = Path(__file__).parent / "static" / "courier_app"


def courier_required(view):
    """Logged-in couriers only: others are sent to log in, non-couriers get a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('courier:login')}?next={request.path}")
        courier = selectors.courier_for_user(request.user)
        if courier is None:
            raise Http404
        return view(request, courier, *args, **kwargs)

    return wrapper


class CourierLoginView(auth_views.LoginView):
    template_name = "courier_app/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("courier:today_route")


@require_GET
@courier_required
def today_route(request: HttpRequest, courier) -> HttpResponse:
    route = selectors.route_today(courier)
    done = sum(1 for d in route if d.status in selectors.DONE)
    context = {
        "courier": courier,
        "route": route,
        "done": done,
        "can_start": any(d.status == "scheduled" for d in route),
        "undoable": selectors.recently_failed(courier),
        "start_point": selectors.route_start_today(courier),
    }
    return render(request, "courier_app/today_route.html", context)


@require_GET
@courier_required
def stop_detail(request: HttpRequest, courier, delivery_id: int) -> HttpResponse:
    delivery = selectors.stop_for_courier(courier, delivery_id)
    context = {
        "delivery": delivery,
        "locked": handover_is_locked(delivery),
        "live_code": handover_code_live(delivery),
        "recipient_kinds": RecipientKind.choices,
        "failure_reasons": FAILURE_CHOICES,
    }
    return render(request, "courier_app/stop_detail.html", context)


@require_GET
@courier_required
def day_summary(request: HttpRequest, courier) -> HttpResponse:
    summary = selectors.day_summary(courier)
    # A depot's courier returns what is left to the depot (docs/DESIGN.md).
    depot = courier.depot.name if courier.depot_id and courier.depot else ""
    context = {"summary": summary, "depot": depot}
    return render(request, "courier_app/summary.html", context)


def _delivery_for(courier, action: str, delivery_id: int | None):
    if delivery_id is None:
        return None
    if action == "undo":
        return selectors.undoable_for_courier(courier, delivery_id)
    return selectors.stop_for_courier(courier, delivery_id)


def _item(courier, data: dict) -> services.ActionInput:
    payload = {k: data[k] for k in ("code", "reason_code", "note", "photo")}
    if data["action"] == "handover":
        payload["proof"] = services.Proof(
            recipient_kind=data["recipient_kind"],
            recipient_name=data["recipient_name"],
            photo=data["photo"],
        )
    has_position = data["lat"] is not None and data["lon"] is not None
    return services.ActionInput(
        client_id=data["client_id"] or uuid.uuid4(),
        action=data["action"],
        delivery=_delivery_for(courier, data["action"], data["delivery"]),
        device_at=data["device_at"],
        position=services.Position(data["lat"], data["lon"]) if has_position else None,
        data=payload,
    )


def _back(request: HttpRequest, *, refused: bool = False) -> HttpResponse:
    """Back to the form's page (a refusal: to its stop); off this site: the route."""
    target = request.POST.get("next", "")
    stop = request.POST.get("delivery", "")
    if refused and stop.isdigit():
        target = reverse("courier:stop", args=[int(stop)])
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("courier:today_route")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@courier_required
def courier_action(request: HttpRequest, courier) -> HttpResponse:
    """Apply one action, sent now or replayed from the phone's offline queue."""
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = form.errors_text()
        if _wants_json(request):
            return JsonResponse({"outcome": "invalid", "message": errors}, status=400)
        messages.error(request, errors)
        return _back(request, refused=True)
    row = services.courier_action_apply(
        courier=courier, item=_item(courier, form.cleaned_data)
    )
    notice = _notice(row)
    if _wants_json(request):
        return JsonResponse(
            {
                "client_id": str(row.client_id),
                "outcome": row.outcome,
                "message": row.message,
                "notice": notice,
                "device_at": row.device_at.isoformat() if row.device_at else None,
            }
        )
    if row.message:
        messages.error(request, row.message)
    else:
        messages.success(request, notice or _("Done."))
    return _back(request, refused=bool(row.message))


def _notice(row) -> str:
    """What a success says beyond "sent": a handover says the passport is given."""
    if row.action == "handover" and not row.message:
        return _("Passport handed over. The applicant gets an SMS.")
    return ""


@require_GET
def proof_photo(request: HttpRequest, proof_id: int) -> HttpResponse:
    """A proof photo for whoever may see its delivery (never a public media URL)."""
    visible = delivery_list_for_user(request.user).values("pk")
    proof = get_object_or_404(
        ProofOfDelivery.objects.exclude(photo=""), pk=proof_id, delivery__in=visible
    )
    response = HttpResponse(photo_read(proof.photo), content_type="image/jpeg")
    # Always a re-encoded JPEG; even so, the browser must never sniff it into a page,
    # run anything in it, or keep it in a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="proof-{proof.pk}.jpg"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /kurir/ so that its scope covers the app."""
    response = HttpResponse(
        (STATIC / "sw.js").read_bytes(), content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = reverse("courier:today_route")
    return response
