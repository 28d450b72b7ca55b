"""``/api/v1/period/``: list, open and close evaluation periods (the district admin).

FAB permission ``can_read``/``can_write`` on ``PeriodApi`` is held by the Admin role only; the services
refuse any other actor as well (``services.evaluation.periods``: ``admin_only``).
"""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.api import serialize
from app.api.base import DomainApi, body, guarded
from app.domain.errors import OutOfReach, ValidationError
from app.models import Period
from app.services.evaluation import periods as service


class PeriodApi(DomainApi):
    resource_name = "period"
    class_permission_name = "PeriodApi"
    openapi_spec_tag = "Kỳ đánh giá"
    method_permission_name = {"get_list": "read", "open_period": "write", "close": "write"}

    @expose("/", methods=["GET"])
    @protect()
    @guarded
    def get_list(self):
        """The periods, newest first
        ---
        get:
          summary: Danh sách kỳ đánh giá
          responses:
            200:
              description: Các kỳ, mới nhất trước
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/PeriodList'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
        """

        def work(session):
            rows = service.list_periods(session)
            return {"count": len(rows), "result": [serialize.period_json(p) for p in rows]}

        return self.call(work)

    @expose("/", methods=["POST"])
    @protect()
    @guarded
    def open_period(self):
        """Open a period
        ---
        post:
          summary: Mở kỳ đánh giá
          description: >-
            Tạo một phiếu cho mỗi người có đơn vị (một câu lệnh), với người nhận xét, lãnh đạo đánh giá và
            bộ tiêu chí áp dụng tại thời điểm mở. Mặc định số ngày làm việc là ngày thường trừ ngày lễ, Tết;
            thời hạn theo cấu hình EVAL_*_WINDOW.
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/PeriodOpenBody'}
          responses:
            201:
              description: Kỳ đã mở (sheets là số phiếu đã tạo)
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Period'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
        """
        data = body({"period", "trial", "working_days", "windows"}, required=("period",))
        windows = data.get("windows")
        if windows is not None and not isinstance(windows, dict):
            raise ValidationError("bad_window", "“windows” phải là {self_assessment: [từ, đến], comment: […], grading: […]}.",
                                  "windows")
        trial = data.get("trial", False)
        if not isinstance(trial, bool):
            raise ValidationError("bad_trial", "“trial” phải là true hoặc false.", "trial")
        if not isinstance(data["period"], str):
            raise ValidationError("bad_period", "“period” phải có dạng YYYY-MM hoặc YYYY-Qn.", "period")
        actor = self.actor()

        def work(session):
            period = service.open_period(session, data["period"], actor, trial=trial,
                                         working_days=data.get("working_days"), windows=windows)
            return serialize.period_json(period, sheets=sum(service.sheet_counts(session, period).values()))

        return self.call(work, status=201)

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @guarded
    def close(self, pk: int):
        """Close and lock a period
        ---
        post:
          summary: Khóa kỳ đánh giá
          description: >-
            Phiếu chưa tự đánh giá được chuyển tự động (không tự đánh giá), rồi kỳ bị khóa: mọi thay đổi phiếu
            bị từ chối.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: Kỳ đã khóa
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Period'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        body(())
        actor = self.actor()

        def work(session):
            period = session.get(Period, pk)
            if period is None:
                raise OutOfReach("not_found", "Không tìm thấy kỳ đánh giá.", "period")
            outcome = service.close_period(session, period, actor)
            return serialize.period_json(period, forwarded=outcome["forwarded"], by_state=outcome["by_state"])

        return self.call(work)


__all__ = ["PeriodApi"]
