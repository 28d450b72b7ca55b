"""Helpers for synthesis tests: put sheets of a period in given states and grades (a plan), straight in the
table, so that what the summaries count can be counted again independently from the plan."""
from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select, update

GRADE_OF = [(90, "A"), (70, "B"), (50, "C"), (0, "D")]


def grade_for(total) -> str:
    return next(g for m, g in GRADE_OF if total >= m)


def apply_plan(session, period_key: str, plan: dict) -> None:
    """plan: person id → dict(state=, final_total=, self_total=, worked_days=, grade=)."""
    from app.models import Period, Sheet

    period = session.scalar(select(Period).where(Period.key == period_key))
    for person_id, p in plan.items():
        values = {"state": p["state"], "self_total": p.get("self_total"), "version": Sheet.version + 1}
        if p["state"] == "finalised":
            values.update(final_total=p["final_total"], grade=p.get("grade") or grade_for(p["final_total"]),
                          worked_days=p.get("worked_days", period.working_days), working_days=period.working_days)
        if p["state"] in ("submitted", "commented", "finalised"):
            values["submitted_at"] = p.get("submitted_at")
        session.execute(update(Sheet).where(Sheet.period_id == period.id, Sheet.person_id == person_id).values(**values))
    session.commit()


def random_plan(people, seed: int, finalised_share: float = 0.7) -> dict:
    rnd = random.Random(seed)
    plan = {}
    for pid in people:
        r = rnd.random()
        if r < finalised_share:
            total = Decimal(rnd.choice([95, 91, 85, 72, 60, 55, 40]))
            plan[pid] = {"state": "finalised", "final_total": total, "self_total": total + 2}
        else:
            plan[pid] = {"state": rnd.choice(["draft", "submitted", "commented"]), "self_total": Decimal(80)}
    return plan
