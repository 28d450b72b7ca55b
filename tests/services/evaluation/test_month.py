"""A full month for a unit of 30 through the services (the same month runs through the API in tests/api)."""
from __future__ import annotations

from typing import Any

from app.domain.errors import DomainError
from app.services.evaluation import inbox as queries
from app.services.evaluation import periods
from app.services.evaluation import sheets as S
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import NOVEMBER, actor_of, admin_actor, make_unit, open_period
from tests.evaluation_month import Driver, Outcome, check_month, run_month

ACTIONS = {"save_self": S.save_self, "submit": S.submit, "recall": S.recall, "comment": S.comment,
           "return": S.return_sheet, "finalise": S.finalise}


class ServiceDriver(Driver):
    def __init__(self, session):
        self.s = session

    def _state(self, view: S.SheetView) -> dict:
        s = view.sheet
        return {"id": s.id, "state": s.state, "version": s.version, "grade": s.grade, "self_assessed": s.self_assessed,
                "final_total": float(s.final_total) if s.final_total is not None else None,
                "unit_results": None if view.unit_results is None else {
                    "total": view.unit_results.total, "by_grade": dict(view.unit_results.by_grade)}}

    def open_period(self) -> int:
        return open_period(self.s).id

    def close_period(self, period_id: int) -> dict:
        from app.models import Period

        with unit_of_work(self.s):
            return periods.close_period(self.s, self.s.get(Period, period_id), admin_actor(self.s))

    def _open(self, who: int, sheet_id: int) -> dict:
        with unit_of_work(self.s):
            return self._state(S.open_sheet(self.s, sheet_id, actor_of(self.s, who)))

    def mine(self, who: int) -> dict:
        return self._open(who, queries.my_sheet(self.s, who, NOVEMBER).id)

    def view(self, who: int, sheet_id: int) -> dict:
        return self._open(who, sheet_id)

    def act(self, who: int, action: str, sheet_id: int, **kw: Any) -> Outcome:
        try:
            version = self._open(who, sheet_id)["version"]
            with unit_of_work(self.s):
                ACTIONS[action](self.s, sheet_id, actor_of(self.s, who), version, **kw)
        except DomainError as exc:
            return Outcome(exc.http_status, exc.code)
        self.s.expire_all()
        return Outcome(200, sheet=self._state(S.sheet_view(self.s, sheet_id, actor_of(self.s, who))))

    def inbox(self, who: int) -> list[tuple[int, str, int]]:
        return [(i.sheet_id, i.role, i.unit_id) for i in queries.inbox(self.s, actor_of(self.s, who), page_size=500).items]

    def auto_forward(self) -> int:
        with unit_of_work(self.s):
            n = periods.auto_forward_overdue(self.s)
        self.s.expire_all()
        return n


def test_a_month_for_a_unit_of_30_through_the_services(ctx, calendar):
    unit = make_unit(ctx, size=30)
    result = run_month(ServiceDriver(ctx), unit, ctx)
    check_month(ctx, unit, result)
