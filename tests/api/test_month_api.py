"""The same month as tests/services/evaluation/test_month.py, every step through the REST API with Bearer
tokens (signed in with POST /api/v1/security/login); only the daily auto-forward is the cron's service call."""
from __future__ import annotations

from typing import Any

from app.services.evaluation import periods
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import make_unit
from tests.evaluation_month import Driver, Outcome, check_month, run_month

ENDPOINTS = {"save_self": ("PUT", "self"), "submit": ("POST", "submit"), "recall": ("POST", "recall"),
             "comment": ("POST", "comment"), "return": ("POST", "return"), "finalise": ("POST", "finalise")}


class ApiDriver(Driver):
    def __init__(self, api, session, unit):
        self.api, self.s, self.names = api, session, dict(unit.usernames)

    def _json(self, resp, status=200):
        assert resp.status_code == status, (resp.status_code, resp.get_json())
        return resp.get_json()

    def open_period(self) -> int:
        body = self._json(self.api.post("/api/v1/period/", "admin", {"period": "2026-11"}), 201)
        assert body["sheets"] > 300 and body["state"] == "open"
        return body["id"]

    def close_period(self, period_id: int) -> dict:
        return self._json(self.api.post(f"/api/v1/period/{period_id}/close", "admin"))

    def mine(self, who: int) -> dict:
        return self._json(self.api.get("/api/v1/sheet/mine?period=2026-11", self.names[who]))

    def view(self, who: int, sheet_id: int) -> dict:
        return self._json(self.api.get(f"/api/v1/sheet/{sheet_id}", self.names[who]))

    def act(self, who: int, action: str, sheet_id: int, **kw: Any) -> Outcome:
        user = self.names[who]
        seen = self.api.get(f"/api/v1/sheet/{sheet_id}", user)
        if seen.status_code != 200:
            return Outcome(seen.status_code, seen.get_json()["code"])
        method, path = ENDPOINTS[action]
        resp = self.api.call(method, f"/api/v1/sheet/{sheet_id}/{path}", user, {"version": seen.get_json()["version"], **kw})
        data = resp.get_json()
        if resp.status_code != 200:
            assert set(data) <= {"code", "message", "field", "problems"} and data["message"], data
            return Outcome(resp.status_code, data["code"])
        return Outcome(200, sheet=data)

    def inbox(self, who: int) -> list[tuple[int, str, int]]:
        body = self._json(self.api.get("/api/v1/sheet/inbox?page_size=500", self.names[who]))
        assert body["count"] == len(body["result"]) == body["counts"]["commenter"] + body["counts"]["evaluator"]
        return [(r["sheet_id"], r["role"], r["unit"]["id"]) for r in body["result"]]

    def auto_forward(self) -> int:
        with unit_of_work(self.s):
            n = periods.auto_forward_overdue(self.s)
        self.s.expire_all()
        return n


def test_a_month_for_a_unit_of_30_through_the_api(app, ctx, api, calendar):
    unit = make_unit(ctx, size=30)
    driver = ApiDriver(api, ctx, unit)
    result = run_month(driver, unit, ctx)
    assert result["closed"]["state"] == "closed" and result["closed"]["by_state"]["finalised"] == 30
    check_month(ctx, unit, result)
