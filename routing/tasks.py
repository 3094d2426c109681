"""Celery tasks of routing."""

from celery import shared_task

from routing import recovery, services


@shared_task(acks_late=True, time_limit=420, soft_time_limit=400)
def route_plan_solve_task(plan_id: int) -> str:
    """Solve one pending plan; a second run finds it claimed and does nothing."""
    plan = services.route_plan_solve(plan_id=plan_id)
    return plan.status if plan else "already-claimed"


@shared_task
def route_plans_sweep_task() -> dict[str, int]:
    """Beat: send plans that never reached a planner; restart or fail stale ones."""
    return recovery.route_plans_sweep()
