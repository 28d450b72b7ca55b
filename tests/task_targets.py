"""A foreign unit's work: a period, the person's sheet, a product type, a task and an evidence file, for
the role × endpoint matrix (tests/views/test_scope_matrix.py) and the task API matrix."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

PDF = b"%PDF-1.4\n% foreign evidence\n%%EOF\n"


def foreign_task_targets(session, unit_id: int, person_id: int, marker: str) -> dict:
    """Rows of ``person_id`` (of ``unit_id``) that nobody outside their reach may see; committed."""
    from app.domain.evaluation import periods as P
    from app.models import Period, ProductType, Sheet, Staff, Task, TaskEvidence, TaskPlan
    from app.services.evaluation import rules as rule_service

    key = P.parse_key("2026-11")
    period = session.scalar(select(Period).where(Period.key == key.text))
    if period is None:
        period = Period(key=key.text, kind=key.kind, first_day=key.first_day, last_day=key.last_day, working_days=21,
                        state=Period.OPEN)
        period.windows = P.make_windows(key, None, dict(P.DEFAULT_SPANS))
        session.add(period)
        session.flush()
    version_id, _ = rule_service.versions_for_period(session, key)
    person = session.get(Staff, person_id)
    sheet = session.scalar(select(Sheet).where(Sheet.period_id == period.id, Sheet.person_id == person_id))
    if sheet is None:
        sheet = Sheet(period_id=period.id, person_id=person_id, unit_id=unit_id, rule_version_id=version_id,
                      evaluator_id=person.evaluator_id, commenter_id=person.reviewer_id, eval_role=person.eval_role)
        session.add(sheet)
    product = ProductType(unit_id=unit_id, code=f"M{unit_id}", name=f"{marker}-product", coefficient=2)
    session.add(product)
    session.flush()
    plan = TaskPlan(person_id=person_id, period_id=period.id, unit_id=unit_id, state="submitted")
    session.add(plan)
    session.flush()
    task = Task(plan_id=plan.id, person_id=person_id, period_id=period.id, unit_id=unit_id, title=f"{marker}-task",
                product_type_id=product.id, coefficient=2, quantity=1, deadline=dt.date(2026, 11, 3), status="new",
                progress=0)
    session.add(task)
    session.flush()
    import hashlib

    evidence = TaskEvidence(task_id=task.id, sha256=hashlib.sha256(PDF).hexdigest(), original_name=f"{marker}.pdf",
                            content_type="application/pdf", size=len(PDF))
    session.add(evidence)
    session.commit()
    try:
        from app.files.storage import evidence_storage

        evidence_storage().put(PDF)
    except RuntimeError:  # outside an app context: the row alone
        pass
    return {"task_id": task.id, "sheet_id": sheet.id, "evidence_id": evidence.id, "product_id": product.id,
            "task_marker": f"{marker}-task", "period_id": period.id}
