"""``/api/v1/task/``: work plans and tasks (issue 9) for every signed-in person and for e-office systems that
assign work; scope and checks are ``services.tasks``' (the same as the screens and the xlsx import).

Permissions: ``can_read``/``can_write`` on ``TaskApi`` (every role holds them through ``staff``); which
task or person is decided by the services from ids. Errors ``{code, message, field}``.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.api.base import DomainApi, body, guarded
from app.api.serialize import day, moment, points
from app.domain import tasks as T
from app.domain.errors import DomainError, ValidationError
from app.services import clock
from app.services import tasks as service

TASK_FIELDS = ("title", "description", "expected_product", "product_type_id", "quantity", "deadline",
               "assigned_kind", "document_ref", "notes")


def task_json(t) -> dict[str, Any]:
    return {
        "id": t.id, "person_id": t.person_id, "period": t.period.key if t.period is not None else None,
        "title": t.title, "description": t.description, "expected_product": t.expected_product,
        "product_type_id": t.product_type_id, "product_type": t.product_type.name if t.product_type is not None else None,
        "coefficient": points(t.coefficient), "quantity": points(t.quantity), "quantity_done": points(t.quantity_done),
        "deadline": day(t.deadline), "assigned_kind": t.assigned_kind, "assigned_by_id": t.assigned_by_id,
        "document_ref": t.document_ref, "status": t.status, "status_label": t.status_label, "progress": t.progress,
        "notes": t.notes, "finished_on": day(t.finished_on), "exempt": t.exempt, "exempt_reason": t.exempt_reason,
        "exceeded": t.exceeded, "carried_from_id": t.carried_from_id, "carry_reason": t.carry_reason,
        "external_ref": t.external_ref,
        "quality_assessments": [{"passed": a.passed, "note": a.note, "at": moment(a.at), "by_id": a.by_id} for a in t.assessments],
        "delays": [{"from": day(d.old_deadline), "to": day(d.new_deadline), "reason": d.reason, "at": moment(d.at)} for d in t.delays],
        "evidence": [{"id": e.id, "name": e.original_name, "content_type": e.content_type, "size": e.size,
                      "uploaded_at": moment(e.uploaded_at)} for e in t.evidence],
    }


def breakdown_json(b: T.Breakdown) -> dict[str, Any]:
    return {
        "lines": [{"task_id": line.id, "title": line.title, "product": line.product, "quantity": points(line.quantity),
                   "coefficient": points(line.coefficient), "units": points(line.units), "done_units": points(line.done_units),
                   "quality_fails": line.quality_fails, "quality_percent": points(line.quality_factor),
                   "quality_units": points(line.quality_units), "delays": line.delays, "late": line.late,
                   "exempt": line.exempt, "timeliness_percent": points(line.timeliness_factor),
                   "timely_units": points(line.timely_units), "exceeded": line.exceeded, "notes": list(line.notes)}
                  for line in b.lines],
        "units": points(b.units), "done_units": points(b.done_units), "quality_units": points(b.quality_units),
        "timely_units": points(b.timely_units), "a": points(b.a), "b": points(b.b), "c": points(b.c),
        "leader": b.leader, "d": points(b.d), "dd": points(b.dd), "e": points(b.e), "points": points(b.points),
        "max_points": points(b.max_points), "formula": b.formula, "notes": list(b.notes),
    }


def plan_json(v: service.PlanView) -> dict[str, Any]:
    p = v.plan
    return {
        "person": {"id": v.person.id, "name": v.person.display_name}, "period": v.period.key,
        "plan": {"id": p.id, "state": p.state, "state_label": p.state_label, "submitted_at": moment(p.submitted_at),
                 "approved_at": moment(p.approved_at), "approved_by_id": p.approved_by_id, "return_reason": p.return_reason},
        "tasks": [task_json(t) for t in v.tasks],
        "changes": [{"at": moment(c.at), "actor_id": c.actor_id, "action": c.action, "task_id": c.task_id,
                     "detail": c.detail, "reason": c.reason} for c in v.changes],
        "breakdown": breakdown_json(v.breakdown),
        "may": {"edit": v.can_edit, "approve": v.can_approve, "rate": v.is_evaluator},
    }


def _flag(data, key):
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise ValidationError("bad_flag", f"“{key}” phải là true hoặc false.", key)
    return value


class TaskApi(DomainApi):
    resource_name = "task"
    class_permission_name = "TaskApi"
    openapi_spec_tag = "Nhiệm vụ"
    method_permission_name = {
        "mine": "read", "get": "read", "followup": "read", "breakdown": "read", "evidence_file": "read",
        "create": "write", "update": "write", "progress": "write", "evidence": "write", "plan": "write", "rate": "write",
    }

    @expose("/mine", methods=["GET"])
    @protect()
    @guarded
    def mine(self):
        """My plan of a period
        ---
        get:
          summary: Kế hoạch, nhiệm vụ của tôi trong một kỳ (kèm cách tính điểm)
          parameters:
          - {in: query, name: period, required: true, schema: {type: string, example: "2026-11"}}
          - {in: query, name: person_id, schema: {type: integer}, description: Người khác trong phạm vi (lãnh đạo)}
          responses:
            200: {description: Kế hoạch, content: {application/json: {schema: {type: object}}}}
            401: {$ref: '#/components/responses/Unauthenticated'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        period = request.args.get("period") or ""
        person = request.args.get("person_id") or actor.id
        return self.call(lambda s: plan_json(service.plan_view(s, actor, person, period)))

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @guarded
    def get(self, pk: int):
        """One task
        ---
        get:
          summary: Một nhiệm vụ
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: Nhiệm vụ, content: {application/json: {schema: {type: object}}}}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        return self.call(lambda s: task_json(service.load_task(s, actor, pk).task))

    @expose("/", methods=["POST"])
    @protect()
    @guarded
    def create(self):
        """Register or assign a task
        ---
        post:
          summary: Đăng ký nhiệm vụ (cho mình) hoặc giao nhiệm vụ (person_id, lãnh đạo trong phạm vi)
          description: >-
            Cùng kiểm tra như màn hình và nhập Excel: thời hạn trong kỳ, số lượng lớn hơn 0, loại sản phẩm
            trong danh mục của đơn vị; kế hoạch đã gửi hoặc đã duyệt cần change_reason.
          requestBody:
            content: {application/json: {schema: {type: object}}}
          responses:
            200: {description: Nhiệm vụ đã tạo, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            404: {$ref: '#/components/responses/NotFound'}
            409: {$ref: '#/components/responses/Conflict'}
        """
        actor = self.actor()
        data = body(TASK_FIELDS + ("period", "person_id", "change_reason", "external_ref"), required=("period",))
        fields = {k: data[k] for k in TASK_FIELDS if k in data}
        ext = data.get("external_ref")
        if ext is not None and not isinstance(ext, str):
            raise ValidationError("bad_text", "“external_ref” phải là văn bản.", "external_ref")
        return self.call(lambda s: task_json(service.create_task(
            s, actor, data["period"], fields, person_id=data.get("person_id"), change_reason=data.get("change_reason"),
            external_ref=(ext or None) and ext[:100])))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @guarded
    def update(self, pk: int):
        """Edit a task
        ---
        put:
          summary: Sửa nhiệm vụ (kế hoạch đã gửi hoặc đã duyệt cần change_reason, được ghi lại)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content: {application/json: {schema: {type: object}}}
          responses:
            200: {description: Nhiệm vụ, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        data = body(TASK_FIELDS + ("change_reason",))
        fields = {k: data[k] for k in TASK_FIELDS if k in data}
        return self.call(lambda s: task_json(service.update_task(s, actor, pk, fields, data.get("change_reason"))))

    @expose("/<int:pk>/progress", methods=["POST"])
    @protect()
    @guarded
    def progress(self, pk: int):
        """Report progress
        ---
        post:
          summary: Cập nhật tiến độ (100 % là hoàn thành)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content: {application/json: {schema: {type: object, properties: {progress: {type: integer}, notes: {type: string}, quantity_done: {type: number}}}}}
          responses:
            200: {description: Nhiệm vụ, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        data = body(("progress", "notes", "quantity_done"), required=("progress",))
        return self.call(lambda s: task_json(service.update_progress(s, actor, pk, data["progress"], data.get("notes"),
                                                                     data.get("quantity_done"))))

    @expose("/<int:pk>/evidence", methods=["POST"])
    @protect()
    @guarded
    def evidence(self, pk: int):
        """Attach evidence
        ---
        post:
          summary: Đính kèm minh chứng (multipart, trường file; kiểm tra loại theo nội dung, giới hạn dung lượng)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content: {multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}}
          responses:
            200: {description: Nhiệm vụ, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError("file_required", "Cần chọn tệp minh chứng (trường “file”).", "file")
        data = upload.read()

        def work(s):
            service.attach_evidence(s, actor, pk, data, upload.filename or "")
            return task_json(service.load_task(s, actor, pk).task)

        return self.call(work)

    @expose("/evidence/<int:pk>", methods=["GET"])
    @protect()
    @guarded
    def evidence_file(self, pk: int):
        """Download evidence
        ---
        get:
          summary: Tải tệp minh chứng (luôn là tệp đính kèm)
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: Tệp}
            404: {$ref: '#/components/responses/NotFound'}
        """
        from app.extensions import db
        from app.services.uow import unit_of_work
        from app.views.tasks import attachment

        actor = self.actor()
        try:
            with unit_of_work(db.session) as s:
                got = service.download_evidence(s, actor, pk)
        except DomainError as exc:
            return self.domain_error(exc)
        return attachment(got)

    @expose("/plan/<string:action>", methods=["POST"])
    @protect()
    @guarded
    def plan(self, action: str):
        """Submit, approve or return a plan
        ---
        post:
          summary: Gửi phê duyệt (submit), phê duyệt (approve) hoặc trả lại (return, cần reason) kế hoạch
          parameters:
          - {in: path, name: action, required: true, schema: {type: string, enum: [submit, approve, return]}}
          requestBody:
            content: {application/json: {schema: {type: object, properties: {period: {type: string}, person_id: {type: integer}, reason: {type: string}}}}}
          responses:
            200: {description: Kế hoạch, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        if action not in (T.SUBMIT, T.APPROVE, T.RETURN):
            raise ValidationError("bad_action", "Thao tác phải là submit, approve hoặc return.", "action")
        data = body(("period", "person_id", "reason"), required=("period",))
        person = data.get("person_id") or actor.id

        def work(s):
            service.plan_action(s, actor, person, data["period"], action, data.get("reason"))
            return plan_json(service.plan_view(s, actor, person, data["period"]))

        return self.call(work)

    @expose("/<int:pk>/rate", methods=["POST"])
    @protect()
    @guarded
    def rate(self, pk: int):
        """Rate a task (the evaluator)
        ---
        post:
          summary: Lãnh đạo đánh giá chấm chất lượng, xác nhận nguyên nhân khách quan, vượt yêu cầu
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content: {application/json: {schema: {type: object, properties: {passed: {type: boolean}, note: {type: string}, exempt: {type: boolean}, exempt_reason: {type: string}, exceeded: {type: boolean}}}}}
          responses:
            200: {description: Nhiệm vụ, content: {application/json: {schema: {type: object}}}}
            400: {$ref: '#/components/responses/BadInput'}
            403: {$ref: '#/components/responses/Forbidden'}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        data = body(("passed", "note", "exempt", "exempt_reason", "exceeded"))
        kw = {k: _flag(data, k) for k in ("passed", "exempt", "exceeded")}
        return self.call(lambda s: task_json(service.rate_task(s, actor, pk, note=data.get("note"),
                                                               exempt_reason=data.get("exempt_reason"), **kw)))

    @expose("/followup", methods=["GET"])
    @protect()
    @guarded
    def followup(self):
        """Late and stuck tasks of my people
        ---
        get:
          summary: Nhiệm vụ quá hạn, chậm cập nhật của những người tôi nhận xét, đánh giá
          parameters:
          - {in: query, name: period, required: true, schema: {type: string}}
          - {in: query, name: kind, schema: {type: string, enum: [late, stuck, open]}}
          - {in: query, name: person_id, schema: {type: integer}}
          responses:
            200: {description: Danh sách, content: {application/json: {schema: {type: object}}}}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()
        args = request.args

        def work(s):
            v = service.follow_up(s, actor, args.get("period") or "", args.get("kind") or "", args.get("person_id"))
            return {"period": v.period.key, "counts": v.counts,
                    "tasks": [{**task_json(t), "person": {"id": p.id, "name": p.display_name}, "kind": k} for t, p, k in v.rows]}

        return self.call(work)

    @expose("/sheet/<int:pk>/breakdown", methods=["GET"])
    @protect()
    @guarded
    def breakdown(self, pk: int):
        """How a sheet's task points were reached
        ---
        get:
          summary: Cách tính điểm nhiệm vụ của một phiếu, từng nhiệm vụ, từng dòng
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: Bảng tính, content: {application/json: {schema: {type: object}}}}
            404: {$ref: '#/components/responses/NotFound'}
        """
        actor = self.actor()

        def work(s):
            st = service.sheet_tasks(s, actor, pk, clock.today())
            return {"sheet_id": st.sheet.id, "mode": st.mode, "fills": st.fills,
                    "criterion_id": st.criterion.id if st.criterion else None, "breakdown": breakdown_json(st.breakdown)}

        return self.call(work)
