"""``/api/v1/sheet/``: the monthly sheet for every signed-in person; scope and checks are the services'.

Every call that changes a sheet answers the sheet (``Sheet`` in OpenAPI), as ``GET /sheet/<id>`` does.
Permissions: ``can_read``/``can_write`` on ``SheetApi`` (every role holds them through ``staff``); who may
see or change which sheet is decided by ``services.evaluation.sheets`` from ids.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.api import serialize
from app.api.base import DomainApi, body, guarded, version_of
from app.domain.errors import OutOfReach, ValidationError
from app.models import Sheet
from app.services.evaluation import inbox as queries
from app.services.evaluation import sheets as service


def _unset(data: dict, key: str):
    return data[key] if key in data else service.UNSET


class SheetApi(DomainApi):
    resource_name = "sheet"
    class_permission_name = "SheetApi"
    openapi_spec_tag = "Phiếu đánh giá"
    method_permission_name = {
        "mine": "read", "inbox": "read", "history": "read", "review_list": "read", "get": "read",
        "put_self": "write", "submit": "write", "recall": "write", "comment": "write", "return_": "write",
        "finalise": "write", "save_comment": "write", "save_final": "write", "reopen": "write", "reassign": "write",
    }

    def _changed(self, fn, pk: int, *args, **kwargs):
        """Run a transition and answer the sheet as it now is."""
        actor = self.actor()

        def work(session):
            fn(session, pk, actor, *args, **kwargs)
            return serialize.sheet_json(service.sheet_view(session, pk, actor))

        return self.call(work)

    # -- reading ---------------------------------------------------------------------------------------
    @expose("/mine", methods=["GET"])
    @protect()
    @guarded
    def mine(self):
        """My sheet of a period
        ---
        get:
          summary: Phiếu của tôi trong một kỳ
          description: >-
            Phiếu tự đánh giá của người đăng nhập. Không nêu kỳ: kỳ đang mở gần nhất có phiếu của tôi.
          parameters:
          - in: query
            name: period
            schema: {type: string, example: "2026-11"}
            description: Tháng YYYY-MM hoặc quý YYYY-Qn
          responses:
            200:
              description: Phiếu
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        key = (request.args.get("period") or "").strip()

        def work(session):
            if key:
                sheet = queries.my_sheet(session, actor.id, key)
                missing = f"Bạn không có phiếu đánh giá kỳ {key}."
            else:
                mine = queries.my_open_sheets(session, actor.id)
                sheet = session.get(Sheet, mine[-1].sheet_id) if mine else None
                missing = "Bạn không có phiếu đánh giá nào trong các kỳ đang mở."
            if sheet is None:
                raise OutOfReach("not_found", missing, "period")
            return serialize.sheet_json(service.open_sheet(session, sheet.id, actor))

        return self.call(work)

    @expose("/inbox", methods=["GET"])
    @protect()
    @guarded
    def inbox(self):
        """Sheets waiting for me
        ---
        get:
          summary: Phiếu chờ tôi nhận xét, đánh giá
          description: >-
            Phiếu của các kỳ đang mở chờ tôi với vai trò người nhận xét hoặc lãnh đạo đánh giá (có thể
            thuộc nhiều đơn vị), kèm số lượng và số ngày còn lại của thời hạn.
          parameters:
          - {in: query, name: page, schema: {type: integer, minimum: 0, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
          responses:
            200:
              description: Danh sách
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Inbox'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
        """
        actor = self.actor()
        page, size = queries.paging(request.args.get("page"), request.args.get("page_size"))
        return self.call(lambda session: serialize.inbox_json(queries.inbox(session, actor, page, size)))

    @expose("/history", methods=["GET"])
    @protect()
    @guarded
    def history(self):
        """My results period by period
        ---
        get:
          summary: Kết quả của tôi qua các kỳ
          parameters:
          - {in: query, name: page, schema: {type: integer, minimum: 0, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
          responses:
            200:
              description: Các kỳ, mới nhất trước
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/History'}
            401: {$ref: '#/components/responses/Unauthenticated'}
        """
        actor = self.actor()
        page, size = queries.paging(request.args.get("page"), request.args.get("page_size"))

        def work(session):
            items, total = queries.history(session, actor.id, page, size)
            return serialize.history_json(items, total, page, size)

        return self.call(work)

    @expose("/", methods=["GET"])
    @protect()
    @guarded
    def review_list(self):
        """Sheets of a period I may see
        ---
        get:
          summary: Danh sách phiếu của một kỳ (theo đơn vị)
          description: >-
            Chỉ những phiếu tôi được xem: của tôi, chuyển đến tôi, của đơn vị tôi lãnh đạo/tổng hợp, hoặc
            trong phạm vi tôi quản trị.
          parameters:
          - {in: query, name: period, required: true, schema: {type: string, example: "2026-11"}}
          - {in: query, name: unit, schema: {type: integer}}
          - {in: query, name: state, schema: {type: string, enum: [draft, submitted, commented, finalised]}}
          - {in: query, name: page, schema: {type: integer, minimum: 0, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
          responses:
            200:
              description: Danh sách
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/ReviewList'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        key = (request.args.get("period") or "").strip()
        if not key:
            raise ValidationError("required", "Thiếu kỳ đánh giá (period=YYYY-MM).", "period")
        unit = request.args.get("unit")
        try:
            unit_id = int(unit) if unit not in (None, "") else None
        except ValueError:
            raise ValidationError("bad_unit", "Mã đơn vị phải là số nguyên.", "unit") from None
        state = request.args.get("state") or None
        page, size = queries.paging(request.args.get("page"), request.args.get("page_size"))
        return self.call(lambda session: serialize.review_json(
            queries.review_list(session, actor, key, unit_id=unit_id, state=state, page=page, page_size=size)))

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @guarded
    def get(self, pk: int):
        """One sheet
        ---
        get:
          summary: Xem một phiếu
          description: >-
            Người được xem phiếu: chủ phiếu, người nhận xét, lãnh đạo đánh giá, lãnh đạo và tổng hợp của đơn
            vị, quản trị trong phạm vi. Khi người đang giữ phiếu (nhận xét, đánh giá) mở lần đầu, phiếu ghi
            nhận "đã mở" và người gửi không thu hồi được nữa.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: Phiếu
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        return self.call(lambda session: serialize.sheet_json(service.open_sheet(session, pk, actor)))

    # -- changing --------------------------------------------------------------------------------------
    @expose("/<int:pk>/self", methods=["PUT"])
    @protect()
    @guarded
    def put_self(self, pk: int):
        """Save my self-assessment
        ---
        put:
          summary: Lưu phiếu tự đánh giá
          description: >-
            Thay toàn bộ phần tự chấm (tiêu chí không gửi là để trống). Chỉ chủ phiếu, trong thời hạn tự
            đánh giá (kể cả gia hạn của đơn vị).
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/SelfBody'}
          responses:
            200:
              description: Phiếu sau khi lưu
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "scores", "worked_days"}, required=())
        version = version_of(data)
        if "scores" not in data:
            raise ValidationError("required", "Thiếu trường “scores”.", "scores")
        return self._changed(service.save_self, pk, version, data["scores"], data.get("worked_days"))

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @guarded
    def submit(self, pk: int):
        """Submit my sheet
        ---
        post:
          summary: Gửi phiếu tự đánh giá
          description: >-
            Mọi tiêu chí (trừ điểm thưởng, điểm trừ) phải được chấm, điểm thưởng có giải trình, có số ngày
            làm việc thực tế. Có thể gửi kèm scores, worked_days để lưu và gửi trong một bước.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/SubmitBody'}
          responses:
            200:
              description: Phiếu đã gửi
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "scores", "worked_days"})
        return self._changed(service.submit, pk, version_of(data), scores=_unset(data, "scores"),
                             worked_days=_unset(data, "worked_days"))

    @expose("/<int:pk>/recall", methods=["POST"])
    @protect()
    @guarded
    def recall(self, pk: int):
        """Recall a sheet the next person has not opened
        ---
        post:
          summary: Thu hồi phiếu
          description: Người gửi thu hồi phiếu khi người nhận chưa mở.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/VersionBody'}
          responses:
            200:
              description: Phiếu đã thu hồi
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version"})
        return self._changed(service.recall, pk, version_of(data))

    @expose("/<int:pk>/comment", methods=["POST"])
    @protect()
    @guarded
    def comment(self, pk: int):
        """Comment and pass the sheet on
        ---
        post:
          summary: Nhận xét và chuyển lãnh đạo đánh giá
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CommentBody'}
          responses:
            200:
              description: Phiếu đã nhận xét
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "text"})
        return self._changed(service.comment, pk, version_of(data), data.get("text"))

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @guarded
    def return_(self, pk: int):
        """Return the sheet one step back
        ---
        post:
          summary: Trả lại phiếu (cần lý do)
          description: >-
            Người nhận xét trả về người tự đánh giá; lãnh đạo đánh giá trả về người nhận xét (nếu có) hoặc
            người tự đánh giá.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ReasonBody'}
          responses:
            200:
              description: Phiếu đã trả lại
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "reason"})
        return self._changed(service.return_sheet, pk, version_of(data), data.get("reason"))

    @expose("/<int:pk>/finalise", methods=["POST"])
    @protect()
    @guarded
    def finalise(self, pk: int):
        """Grade the sheet
        ---
        post:
          summary: Đánh giá, xếp loại
          description: >-
            Lãnh đạo đánh giá chấm điểm và xếp loại, trong thời hạn đánh giá. Không được xếp loại cao hơn mức
            điểm và các điều kiện cho phép (grade_too_high); thấp hơn cần grade_reason. Xếp loại A vượt chỉ
            tiêu của đơn vị cần quota_reason (409 code quota nếu thiếu), lý do được ghi nhật ký.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/FinaliseBody'}
          responses:
            200:
              description: Phiếu đã xếp loại
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "scores", "grade", "grade_reason", "quota_reason", "fails", "worked_days"})
        return self._changed(service.finalise, pk, version_of(data), scores=_unset(data, "scores"),
                             grade=data.get("grade"), grade_reason=data.get("grade_reason"),
                             quota_reason=data.get("quota_reason"), fails=data.get("fails"),
                             worked_days=_unset(data, "worked_days"))

    # -- drafts and admin acts ---------------------------------------------------------------------------
    @expose("/<int:pk>/comment", methods=["PUT"])
    @protect()
    @guarded
    def save_comment(self, pk: int):
        """Save a draft of my comment
        ---
        put:
          summary: Lưu nháp nhận xét
          description: >-
            Người nhận xét lưu nội dung, phiếu vẫn ở bước nhận xét.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CommentBody'}
          responses:
            200:
              description: Phiếu sau khi lưu
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "text"})
        return self._changed(service.save_comment, pk, version_of(data), data.get("text"))

    @expose("/<int:pk>/final", methods=["PUT"])
    @protect()
    @guarded
    def save_final(self, pk: int):
        """Save my grading without finalising
        ---
        put:
          summary: Lưu nháp điểm đánh giá
          description: >-
            Lãnh đạo đánh giá lưu điểm đang chấm (và cờ không hoàn thành nhiệm vụ) mà chưa xếp loại.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/FinalDraftBody'}
          responses:
            200:
              description: Phiếu sau khi lưu
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "scores", "worked_days", "fails"})
        return self._changed(service.save_final, pk, version_of(data), scores=_unset(data, "scores"),
                             worked_days=_unset(data, "worked_days"), fails=data.get("fails"))

    @expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @guarded
    def reopen(self, pk: int):
        """Reopen a finalised sheet
        ---
        post:
          summary: Mở lại phiếu đã xếp loại
          description: >-
            Chỉ quản trị trong phạm vi, khi kỳ chưa khóa, với lý do (ghi nhật ký).
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ReasonBody'}
          responses:
            200:
              description: Phiếu đã mở lại
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "reason"})
        return self._changed(service.reopen, pk, version_of(data), data.get("reason"))

    @expose("/<int:pk>/reassign", methods=["POST"])
    @protect()
    @guarded
    def reassign(self, pk: int):
        """Give the sheet another commenter or evaluator
        ---
        post:
          summary: Giao lại người nhận xét, người đánh giá
          description: >-
            Quản trị trong phạm vi giao phiếu cho người khác (lãnh đạo nghỉ phép), với lý do (ghi nhật ký).
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ReassignBody'}
          responses:
            200:
              description: Phiếu sau khi giao lại
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Sheet'}
            400: {$ref: '#/components/responses/BadInput'}
            401: {$ref: '#/components/responses/Unauthenticated'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        data = body({"version", "commenter_id", "evaluator_id", "reason"})
        return self._changed(service.reassign, pk, version_of(data), commenter_id=_unset(data, "commenter_id"),
                             evaluator_id=_unset(data, "evaluator_id"), reason=data.get("reason"))


__all__ = ["SheetApi"]
