"""Marshmallow schemas of the evaluation API: they describe the JSON in OpenAPI (``/api/v1/_openapi``).

The answers are built by ``app.api.serialize``; a test validates every answer against these schemas, so
the documentation cannot drift from what the API sends.

Points are JSON **numbers** with at most two decimals (``2.5``, ``89.99``): exact as written, since every
value up to 9999.99 with two decimals reads back as itself. Input points may be a number or a string
(``"2,5"`` with the Vietnamese decimal comma, or ``"2.5"``); more than two decimals is refused, never
rounded. Days are ISO dates (``2026-11-20``), moments ISO date-times in Hà Nội time (``+07:00``).
"""
from __future__ import annotations

from marshmallow import Schema, fields

POINTS = "Điểm: số, tối đa 2 chữ số thập phân (ví dụ 2.5)."
POINTS_IN = "Điểm: số hoặc chuỗi (\"2,5\" hoặc \"2.5\"), tối đa 2 chữ số thập phân; để trống (null) là chưa chấm."


def _points(**kw):
    return fields.Float(allow_none=True, metadata={"description": POINTS, "example": 2.5}, **kw)


class ErrorSchema(Schema):
    __component_name__ = "Error"
    code = fields.String(required=True, metadata={"description": "Mã lỗi cho máy: stale, quota, window_closed…",
                                                  "example": "stale"})
    message = fields.String(required=True, metadata={"description": "Thông báo tiếng Việt cho người dùng.",
                                                     "example": "Phiếu đã được người khác thay đổi, hãy tải lại."})
    field = fields.String(metadata={"description": "Trường dữ liệu bị lỗi (scores.<criterion_id>, worked_days…).",
                                    "example": "version"})
    problems = fields.List(fields.Dict(), metadata={"description": "Mọi lỗi của dữ liệu gửi lên (cùng dạng {code, message, field})."})


class SheetRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class SheetPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    username = fields.String(required=True)
    position = fields.String(allow_none=True)
    eval_role = fields.String(allow_none=True, metadata={"description": "leader | department_head | staff | synthesis"})
    unit = fields.Nested(SheetRefSchema, required=True)
    department = fields.Nested(SheetRefSchema, allow_none=True)


class SheetRuleSetSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "Phiên bản bộ tiêu chí."})
    code = fields.String(required=True)
    name = fields.String(required=True)
    effective_from = fields.String(required=True, metadata={"example": "2021-12"})


class SheetGroupSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "normal | bonus | deduction"})
    max_points = _points(required=True)


class SheetCriterionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    group = fields.String(required=True, metadata={"description": "Mã nhóm tiêu chí."})
    name = fields.String(required=True)
    max_points = _points(required=True)
    kind = fields.String(required=True, metadata={"description": "normal | bonus (cần ghi lý do) | deduction (trừ điểm)"})
    description = fields.String(allow_none=True)


class SheetGradeSchema(Schema):
    code = fields.String(required=True, metadata={"example": "A"})
    label = fields.String(required=True, metadata={"example": "Hoàn thành xuất sắc nhiệm vụ"})
    min_points = _points(required=True)


class SheetScoreSchema(Schema):
    criterion_id = fields.Integer(required=True)
    self_points = _points(required=True)
    final_points = _points(required=True)
    note = fields.String(allow_none=True, metadata={"description": "Giải trình của người tự đánh giá."})
    final_note = fields.String(allow_none=True, metadata={"description": "Ghi chú của lãnh đạo đánh giá."})


class SheetFailsSchema(Schema):
    reason = fields.String(required=True)
    reference = fields.String(required=True, metadata={"description": "Số quyết định (kỷ luật, kết luận)."})


class SheetWindowSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to", metadata={"description": "Kể cả gia hạn của đơn vị."})
    open = fields.Boolean(required=True)
    extended = fields.Boolean(required=True)
    days_left = fields.Integer(required=True, metadata={"description": "Số ngày còn lại, kể cả hôm nay."})


class SheetWindowsSchema(Schema):
    self_assessment = fields.Nested(SheetWindowSchema, required=True)
    comment = fields.Nested(SheetWindowSchema, required=True)
    grading = fields.Nested(SheetWindowSchema, required=True)


class SheetQuotaSchema(Schema):
    grade = fields.String(required=True)
    used = fields.Integer(required=True)
    limit = fields.Integer(allow_none=True, required=True, metadata={"description": "null: không giới hạn."})
    remaining = fields.Integer(allow_none=True, required=True)
    message = fields.String(required=True, metadata={"example": "Đơn vị đã có 3/9 A"})


class SheetUnitResultsSchema(Schema):
    total = fields.Integer(required=True)
    finalised = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_grade = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class SheetEventSchema(Schema):
    at = fields.DateTime(required=True)
    actor = fields.Nested(SheetRefSchema, allow_none=True, required=True, metadata={"description": "null: hệ thống."})
    action = fields.String(required=True)
    action_label = fields.String(required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)


class SheetSchema(Schema):
    __component_name__ = "Sheet"
    id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"example": "2026-11"})
    period_label = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "draft | submitted | commented | finalised"})
    state_label = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "Gửi lại khi thay đổi phiếu (kiểm tra đồng thời)."})
    person = fields.Nested(SheetPersonSchema, required=True)
    commenter = fields.Nested(SheetRefSchema, allow_none=True, required=True)
    evaluator = fields.Nested(SheetRefSchema, allow_none=True, required=True)
    rule_set = fields.Nested(SheetRuleSetSchema, required=True)
    groups = fields.List(fields.Nested(SheetGroupSchema), required=True)
    criteria = fields.List(fields.Nested(SheetCriterionSchema), required=True)
    grades = fields.List(fields.Nested(SheetGradeSchema), required=True)
    scores = fields.List(fields.Nested(SheetScoreSchema), required=True)
    worked_days = _points(required=True)
    working_days = fields.Integer(required=True)
    self_total = _points(required=True)
    self_grade = fields.String(allow_none=True, required=True, metadata={"description": "Mức tổng điểm tự chấm cho."})
    final_total = _points(required=True)
    computed_grade = fields.String(allow_none=True, required=True, metadata={"description": "Mức điểm đánh giá cho."})
    grade = fields.String(allow_none=True, required=True, metadata={"description": "Xếp loại cuối cùng (khi đã xếp loại)."})
    grade_label = fields.String(allow_none=True, required=True)
    self_assessed = fields.Boolean(required=True, metadata={"description": "false: chuyển tự động, không tự đánh giá."})
    fails = fields.Nested(SheetFailsSchema, allow_none=True, required=True)
    comment = fields.String(allow_none=True, required=True)
    grade_reason = fields.String(allow_none=True, required=True)
    quota_reason = fields.String(allow_none=True, required=True)
    opened_at = fields.DateTime(allow_none=True, required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    commented_at = fields.DateTime(allow_none=True, required=True)
    finalised_at = fields.DateTime(allow_none=True, required=True)
    windows = fields.Nested(SheetWindowsSchema, required=True)
    my_roles = fields.List(fields.String(), required=True, metadata={"description": "owner | commenter | evaluator | admin"})
    allowed_actions = fields.List(fields.String(), required=True)
    quota = fields.Nested(SheetQuotaSchema, allow_none=True, required=True,
                          metadata={"description": "Chỉ tiêu loại A của đơn vị (cho lãnh đạo đánh giá)."})
    unit_results = fields.Nested(SheetUnitResultsSchema, allow_none=True, required=True,
                                 metadata={"description": "Kết quả của đơn vị kỳ này (phiếu của lãnh đạo)."})
    events = fields.List(fields.Nested(SheetEventSchema), required=True)


class ScoreInSchema(Schema):
    criterion_id = fields.Integer(required=True)
    points = fields.Raw(allow_none=True, metadata={"description": POINTS_IN, "example": "2,5"})
    note = fields.String(allow_none=True, metadata={"description": "Bắt buộc với điểm thưởng lớn hơn 0."})


class VersionBodySchema(Schema):
    __component_name__ = "VersionBody"
    version = fields.Integer(required=True)


class SelfBodySchema(Schema):
    __component_name__ = "SelfBody"
    version = fields.Integer(required=True)
    scores = fields.List(fields.Nested(ScoreInSchema), required=True,
                         metadata={"description": "Toàn bộ phần tự chấm: tiêu chí không gửi là để trống."})
    worked_days = fields.Raw(allow_none=True, metadata={"description": "Số ngày làm việc thực tế (≤ số ngày làm việc của kỳ).",
                                                        "example": 20})


class SubmitBodySchema(Schema):
    __component_name__ = "SubmitBody"
    version = fields.Integer(required=True)
    scores = fields.List(fields.Nested(ScoreInSchema), metadata={"description": "Tùy chọn: lưu rồi gửi trong một bước."})
    worked_days = fields.Raw(allow_none=True)


class CommentBodySchema(Schema):
    __component_name__ = "CommentBody"
    version = fields.Integer(required=True)
    text = fields.String(required=True)


class ReasonBodySchema(Schema):
    __component_name__ = "ReasonBody"
    version = fields.Integer(required=True)
    reason = fields.String(required=True)


class FinaliseBodySchema(Schema):
    __component_name__ = "FinaliseBody"
    version = fields.Integer(required=True)
    scores = fields.List(fields.Nested(ScoreInSchema), metadata={
        "description": "Điểm đánh giá (toàn bộ). Không gửi: dùng điểm đã lưu, tiêu chí chưa chấm lấy điểm tự chấm."})
    grade = fields.String(allow_none=True, metadata={"description": "Mức thấp hơn mức điểm cho (cần grade_reason)."})
    grade_reason = fields.String(allow_none=True)
    quota_reason = fields.String(allow_none=True, metadata={"description": "Bắt buộc khi xếp loại A vượt chỉ tiêu."})
    fails = fields.Nested(SheetFailsSchema, allow_none=True,
                          metadata={"description": "Không hoàn thành nhiệm vụ bất kể điểm (kỷ luật, suy thoái)."})
    worked_days = fields.Raw(allow_none=True, metadata={"description": "Tùy chọn: sửa số ngày làm việc thực tế."})


class FinalDraftBodySchema(Schema):
    __component_name__ = "FinalDraftBody"
    version = fields.Integer(required=True)
    scores = fields.List(fields.Nested(ScoreInSchema), metadata={"description": "Điểm đánh giá đang chấm (toàn bộ)."})
    worked_days = fields.Raw(allow_none=True)
    fails = fields.Nested(SheetFailsSchema, allow_none=True)


class ReassignBodySchema(Schema):
    __component_name__ = "ReassignBody"
    version = fields.Integer(required=True)
    commenter_id = fields.Integer(allow_none=True, metadata={"description": "Người nhận xét mới; null: bỏ bước nhận xét. Không gửi: giữ nguyên."})
    evaluator_id = fields.Integer(metadata={"description": "Lãnh đạo đánh giá mới. Không gửi: giữ nguyên."})
    reason = fields.String(required=True)


class InboxItemSchema(Schema):
    sheet_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    period = fields.String(required=True)
    person = fields.Nested(SheetRefSchema, required=True)
    position = fields.String(allow_none=True, required=True)
    unit = fields.Nested(SheetRefSchema, required=True)
    department = fields.String(allow_none=True, required=True)
    eval_role = fields.String(allow_none=True, required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "commenter | evaluator: phiếu chờ tôi với vai trò nào."})
    self_assessed = fields.Boolean(required=True)
    self_total = _points(required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    opened = fields.Boolean(required=True)
    deadline = fields.Date(required=True)
    days_left = fields.Integer(required=True)


class InboxCountsSchema(Schema):
    commenter = fields.Integer(required=True)
    evaluator = fields.Integer(required=True)


class InboxSchema(Schema):
    __component_name__ = "Inbox"
    count = fields.Integer(required=True)
    counts = fields.Nested(InboxCountsSchema, required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(InboxItemSchema), required=True)


class HistoryItemSchema(Schema):
    sheet_id = fields.Integer(required=True)
    period = fields.String(required=True)
    period_label = fields.String(required=True)
    period_kind = fields.String(required=True)
    period_closed = fields.Boolean(required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    self_assessed = fields.Boolean(required=True)
    self_total = _points(required=True)
    final_total = _points(required=True)
    grade = fields.String(allow_none=True, required=True)
    grade_label = fields.String(allow_none=True, required=True)
    finalised_at = fields.DateTime(allow_none=True, required=True)


class HistorySchema(Schema):
    __component_name__ = "History"
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(HistoryItemSchema), required=True)


class ReviewRowSchema(Schema):
    sheet_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    person = fields.Nested(SheetRefSchema, required=True)
    position = fields.String(allow_none=True, required=True)
    unit_id = fields.Integer(required=True)
    department = fields.String(allow_none=True, required=True)
    eval_role = fields.String(allow_none=True, required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    self_assessed = fields.Boolean(required=True)
    self_total = _points(required=True)
    final_total = _points(required=True)
    grade = fields.String(allow_none=True, required=True)
    commenter = fields.String(allow_none=True, required=True)
    evaluator = fields.String(allow_none=True, required=True)


class ReviewListSchema(Schema):
    __component_name__ = "ReviewList"
    count = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(ReviewRowSchema), required=True)


class PeriodWindowsSchema(Schema):
    self_assessment = fields.List(fields.Date(), required=True, metadata={"description": "[từ ngày, đến ngày]"})
    comment = fields.List(fields.Date(), required=True)
    grading = fields.List(fields.Date(), required=True)


class PeriodWindowsInSchema(Schema):
    self_assessment = fields.List(fields.Date(), metadata={"description": "[từ ngày, đến ngày] (ISO)"})
    comment = fields.List(fields.Date())
    grading = fields.List(fields.Date())


class PeriodSchema(Schema):
    __component_name__ = "Period"
    id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"example": "2026-11"})
    label = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "Tên kỳ như màn hình in, có “(Vận hành thử)” với kỳ thử."})
    kind = fields.String(required=True, metadata={"description": "month | quarter"})
    state = fields.String(required=True, metadata={"description": "open | closed"})
    trial = fields.Boolean(required=True)
    working_days = fields.Integer(required=True)
    windows = fields.Nested(PeriodWindowsSchema, required=True)
    opened_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    sheets = fields.Integer(metadata={"description": "Số phiếu đã tạo (khi mở kỳ)."})
    forwarded = fields.Integer(metadata={"description": "Số phiếu chuyển tự động (khi khóa kỳ)."})
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())


class PeriodListSchema(Schema):
    __component_name__ = "PeriodList"
    count = fields.Integer(required=True)
    result = fields.List(fields.Nested(PeriodSchema), required=True)


class PeriodOpenBodySchema(Schema):
    __component_name__ = "PeriodOpenBody"
    period = fields.String(required=True, metadata={"description": "Tháng YYYY-MM hoặc quý YYYY-Qn.", "example": "2026-11"})
    trial = fields.Boolean(metadata={"description": "Kỳ vận hành thử: chạy đủ quy trình, không tính vào tổng hợp."})
    working_days = fields.Integer(metadata={"description": "Mặc định: ngày thường trừ ngày lễ, Tết."})
    windows = fields.Nested(PeriodWindowsInSchema, metadata={"description": "Mặc định theo cấu hình EVAL_*_WINDOW."})


COMPONENTS = (
    ErrorSchema, SheetSchema, VersionBodySchema, SelfBodySchema, SubmitBodySchema, CommentBodySchema, ReasonBodySchema,
    FinaliseBodySchema, FinalDraftBodySchema, ReassignBodySchema, InboxSchema, HistorySchema, ReviewListSchema, PeriodSchema, PeriodListSchema, PeriodOpenBodySchema,
)
