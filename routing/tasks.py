"""Celery tasks of routing."""

from typing import Any

from celery import shared_task
from celery.concurrency.solo import TaskPool as SoloPool
from celery.signals import worker_ready

from routing import horizon, recovery, services
from routing.core.search_runs import start_search_server
from routing.models import PlanStatus


@worker_ready.connect
def _start_search_server(sender: Any = None, **kwargs: Any) -> None:
    """A solo-pool worker (the planning queue) solves in its own process: its search
    processes come from a fork server, started now rather than on the first plan's
    budget. Other pools' children may not start processes at all."""
    controller = getattr(sender, "controller", None)
    if getattr(controller, "pool_cls", None) is SoloPool:
        start_search_server()


@shared_task(acks_late=True, time_limit=420, soft_time_limit=400)
def route_plan_solve_task(plan_id: int) -> str:
    """Solve one pending plan, then forecast its horizon; a second run does nothing."""
    plan = services.route_plan_solve(plan_id=plan_id)
    if plan is not None and plan.status == PlanStatus.DRAFT:
        # The next working days' forecast, at a short budget per day.
        horizon.route_plan_forecast(plan=plan)
    return plan.status if plan else "already-claimed"


@shared_task
def route_plans_sweep_task() -> dict[str, int]:
    """Beat: send plans that never reached a planner; restart or fail stale ones."""
    return recovery.route_plans_sweep()
