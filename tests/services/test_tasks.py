"""Work plans and tasks through the services: register, assign, approve, rate, evidence, imports, the
leader's view, and a period run end to end under NĐ 335 (points equal an independent computation)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import ROUND_DOWN, Decimal as D

import pytest
from sqlalchemy import func, select

from app.domain import tasks as T
from app.domain.errors import DomainError, OutOfReach, PermissionDenied, ValidationError
from app.services import tasks as S
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import (
    COMMENT_DAY, GRADING_DAY, SELF_DAY, actor_of, admin_actor, clock_at, full_scores, make_unit, open_period, sheet_of,
)

NOV_FIRST, NOV_LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
VIETNAMESE = "ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run(session, fn, *args, **kwargs):
    with unit_of_work(session):
        return fn(session, *args, **kwargs)


def world(session):
    """Every row of the task tables (compare before and after a refusal)."""
    from app.models import ProductType, Task, TaskAssessment, TaskChange, TaskDelay, TaskEvidence, TaskPlan

    session.expire_all()
    out = []
    for model in (ProductType, TaskPlan, Task, TaskAssessment, TaskDelay, TaskChange, TaskEvidence):
        out.append(tuple(tuple(r) for r in session.execute(select(model.__table__).order_by(model.__table__.c.id))))
    return tuple(out)


def refused(session, exc_type, code, field, fn, *args, **kwargs):
    before = world(session)
    with pytest.raises(exc_type) as info:
        run(session, fn, *args, **kwargs)
    assert info.value.code == code, (info.value.code, info.value.message)
    if field is not None:
        assert info.value.field == field, info.value.field
    assert any(ord(ch) > 127 for ch in info.value.message), info.value.message  # Vietnamese, with diacritics
    assert world(session) == before
    return info.value


def use_nd335(session, unit_id, conditions=None):
    """The unit is graded under the NĐ 335 set (optionally with band conditions on its version)."""
    import json

    from app.models import RuleSet, RuleSetVersion, UnitEvalSetting

    family = session.scalar(select(RuleSet).where(RuleSet.code == "nd335"))
    session.add(UnitEvalSetting(unit_id=unit_id, rule_set_id=family.id))
    if conditions is not None:
        for v in session.scalars(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == family.id)):
            v.band_conditions = json.dumps(conditions)
    session.commit()


@pytest.fixture
def unit(ctx):
    u = make_unit(ctx, size=8)
    clock_at(dt.date(2026, 11, 2))
    open_period(ctx)
    return u


@pytest.fixture
def products(ctx, unit):
    admin = admin_actor(ctx)
    report = run(ctx, S.save_product, admin, unit.unit_id, "BC", "Báo cáo", "2", "Chuyên viên: 4")
    letter = run(ctx, S.save_product, admin, unit.unit_id, "CV", "Công văn", "1")
    plan = run(ctx, S.save_product, admin, unit.unit_id, "KH", "Kế hoạch", "1,5")
    return {"BC": report.id, "CV": letter.id, "KH": plan.id}


def task_data(products, **kw):
    data = {"title": "Báo cáo tháng", "product_type_id": products["BC"], "quantity": "1", "deadline": "20/11/2026"}
    data.update(kw)
    return data


# -- registering and assigning ----------------------------------------------------------------------------
def test_a_person_registers_a_task_and_a_leader_assigns_one(ctx, unit, products):
    me = unit.staff[0]
    t = run(ctx, S.create_task, actor_of(ctx, me), "2026-11", task_data(products))
    assert (t.person_id, t.assigned_kind, t.coefficient, t.status) == (me, T.SELF, D("2.00"), T.NEW)
    given = run(ctx, S.create_task, actor_of(ctx, unit.head), "2026-11", task_data(products, title="Tổng hợp"), person_id=me)
    assert (given.assigned_kind, given.assigned_by_id) == (T.LEADER_ASSIGNED, unit.head)
    doc = run(ctx, S.create_task, actor_of(ctx, unit.deputy), "2026-11",
              task_data(products, assigned_kind=T.DOCUMENT, document_ref="123/UBND-VP"), person_id=me)
    assert doc.assigned_kind == T.DOCUMENT and doc.document_ref == "123/UBND-VP"


BAD_TASKS = [
    ("deadline outside the period", {"deadline": "01/12/2026"}, "deadline_outside_period", "deadline"),
    ("deadline before the period", {"deadline": "2026-10-31"}, "deadline_outside_period", "deadline"),
    ("quantity zero", {"quantity": "0"}, "quantity_not_positive", "quantity"),
    ("quantity negative", {"quantity": "-2"}, "quantity_not_positive", "quantity"),
    ("quantity not a number", {"quantity": "một"}, "bad_quantity", "quantity"),
    ("product missing from the catalogue", {"product_type_id": 999999}, "not_in_catalogue", "product_type_id"),
    ("no title", {"title": "  "}, "required", "title"),
    ("document without its number", {"assigned_kind": T.DOCUMENT}, "document_ref_required", "document_ref"),
]


@pytest.mark.parametrize("case,change,code,field", BAD_TASKS, ids=[c[0] for c in BAD_TASKS])
def test_bad_task_input_changes_nothing(ctx, unit, products, case, change, code, field):
    refused(ctx, ValidationError, code, field, S.create_task, actor_of(ctx, unit.staff[0]), "2026-11",
            task_data(products, **change))


def test_a_product_of_another_units_catalogue_is_refused(ctx, unit, products):
    other = make_unit(ctx, size=5)
    foreign = run(ctx, S.save_product, admin_actor(ctx), other.unit_id, "BC", "Báo cáo", "3")
    refused(ctx, ValidationError, "not_in_catalogue", "product_type_id", S.create_task, actor_of(ctx, unit.staff[0]),
            "2026-11", task_data(products, product_type_id=foreign.id))


def test_a_task_for_someone_outside_ones_reach_is_refused(ctx, unit, products):
    other = make_unit(ctx, size=5)
    # a leader of another unit, a colleague, a leader of the unit for themself through person_id of a foreign person
    refused(ctx, OutOfReach, "not_found", "person_id", S.create_task, actor_of(ctx, other.head), "2026-11",
            task_data(products), person_id=unit.staff[0])
    refused(ctx, OutOfReach, "not_found", "person_id", S.create_task, actor_of(ctx, unit.staff[1]), "2026-11",
            task_data(products), person_id=unit.staff[0])
    refused(ctx, OutOfReach, "not_found", "person_id", S.create_task, actor_of(ctx, unit.head), "2026-11",
            task_data(products), person_id=other.staff[0])


# -- plans --------------------------------------------------------------------------------------------------
def test_plan_approval_and_changes_after_it(ctx, unit, products):
    me = unit.staff[0]
    t = run(ctx, S.create_task, actor_of(ctx, me), "2026-11", task_data(products))
    refused(ctx, PermissionDenied, "not_yours", None, S.plan_action, actor_of(ctx, unit.deputy), me, "2026-11", T.SUBMIT)
    run(ctx, S.plan_action, actor_of(ctx, me), me, "2026-11", T.SUBMIT)
    refused(ctx, OutOfReach, "not_found", "person_id", S.plan_action, actor_of(ctx, unit.staff[1]), me, "2026-11", T.APPROVE)
    refused(ctx, PermissionDenied, "read_only", None, S.plan_action, actor_of(ctx, unit.synthesis), me, "2026-11", T.APPROVE)
    plan = run(ctx, S.plan_action, actor_of(ctx, unit.deputy), me, "2026-11", T.APPROVE)  # the commenter approves
    assert (plan.state, plan.approved_by_id) == (T.APPROVED, unit.deputy)
    # editing an approved plan without leaving a trace is refused
    refused(ctx, ValidationError, "change_reason_required", "change_reason", S.update_task, actor_of(ctx, me), t.id,
            {"quantity": "3"})
    refused(ctx, ValidationError, "change_reason_required", "change_reason", S.create_task, actor_of(ctx, me), "2026-11",
            task_data(products, title="Việc thêm"))
    run(ctx, S.update_task, actor_of(ctx, me), t.id, {"quantity": "3"}, change_reason="Lãnh đạo giao thêm 2 báo cáo")
    view = S.plan_view(ctx, actor_of(ctx, unit.head), me, "2026-11")
    assert [(c.action, c.actor_id, c.reason) for c in view.changes] == [("edit", me, "Lãnh đạo giao thêm 2 báo cáo")]
    assert "quantity" in view.changes[0].detail and "1.00" in view.changes[0].detail and "3.00" in view.changes[0].detail


def test_an_empty_plan_cannot_be_submitted(ctx, unit):
    refused(ctx, ValidationError, "empty_plan", "tasks", S.plan_action, actor_of(ctx, unit.staff[0]), unit.staff[0],
            "2026-11", T.SUBMIT)


def test_progress_finishes_a_task_and_a_delay_is_recorded(ctx, unit, products):
    me = actor_of(ctx, unit.staff[0])
    t = run(ctx, S.create_task, me, "2026-11", task_data(products))
    refused(ctx, ValidationError, "bad_progress", "progress", S.update_progress, me, t.id, "120")
    clock_at(dt.date(2026, 11, 10))
    run(ctx, S.update_progress, me, t.id, "40", notes="Đã có số liệu")
    run(ctx, S.delay_task, me, t.id, "25/11/2026", "Chờ số liệu của phường")
    clock_at(dt.date(2026, 11, 24))
    t = run(ctx, S.update_progress, me, t.id, 100)
    assert (t.status, t.finished_on, t.deadline, len(t.delays), t.delay_count) == (
        T.DONE, dt.date(2026, 11, 24), dt.date(2026, 11, 25), 1, 1)


def test_only_the_evaluator_rates(ctx, unit, products):
    t = run(ctx, S.create_task, actor_of(ctx, unit.staff[0]), "2026-11", task_data(products))
    refused(ctx, PermissionDenied, "not_evaluator", None, S.rate_task, actor_of(ctx, unit.deputy), t.id, passed=False, note="x")
    refused(ctx, ValidationError, "note_required", "note", S.rate_task, actor_of(ctx, unit.head), t.id, passed=False)
    refused(ctx, ValidationError, "required", "exempt_reason", S.rate_task, actor_of(ctx, unit.head), t.id, exempt=True)
    t = run(ctx, S.rate_task, actor_of(ctx, unit.head), t.id, passed=False, note="Số liệu sai", exempt=True,
            exempt_reason="Mưa bão ngừng làm việc 3 ngày")
    assert [a.passed for a in t.assessments] == [False] and t.quality_fails == 1 and t.exempt and t.exempt_by_id == unit.head
    t = run(ctx, S.rate_task, actor_of(ctx, unit.head), t.id, passed=True)
    assert [a.passed for a in t.assessments] == [False, True] and t.quality_fails == 1


def test_carry_over_to_the_next_period(ctx, unit, products):
    me = actor_of(ctx, unit.staff[0])
    t = run(ctx, S.create_task, me, "2026-11", task_data(products, quantity="4"))
    run(ctx, S.update_progress, me, t.id, 50, quantity_done="1")
    refused(ctx, ValidationError, "reason_required", "reason", S.carry_over, me, t.id, "2026-11", "")
    with unit_of_work(ctx):
        from app.services.evaluation import periods

        periods.open_period(ctx, "2026-12", admin_actor(ctx))
    copy = run(ctx, S.carry_over, me, t.id, "2026-12", "Chờ ý kiến của Sở")
    assert (copy.carried_from_id, copy.quantity, copy.carry_reason, copy.period.key) == (t.id, D("3.00"), "Chờ ý kiến của Sở", "2026-12")
    ctx.expire_all()
    from app.models import Task

    assert ctx.get(Task, t.id).status == T.CARRIED


# -- evidence -----------------------------------------------------------------------------------------------
def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def evidence_dir(app, tmp_path):
    from app.settings import replace

    previous = replace(app, evidence_dir=str(tmp_path / "evidence"), evidence_max_bytes=4096)
    yield tmp_path / "evidence"
    app.extensions["settings"] = previous


def test_evidence_is_checked_by_content_and_reachable_only_in_scope(ctx, unit, products, evidence_dir):
    me = actor_of(ctx, unit.staff[0])
    t = run(ctx, S.create_task, me, "2026-11", task_data(products))
    refused(ctx, ValidationError, "file_type", "file", S.attach_evidence, me, t.id, b"MZ\x90\x00" + b"\x00" * 100, "bao-cao.pdf")
    refused(ctx, ValidationError, "file_type", "file", S.attach_evidence, me, t.id, b"<html><script>", "a.pdf")
    refused(ctx, ValidationError, "file_too_large", "file", S.attach_evidence, me, t.id, PDF + b"0" * 5000, "big.pdf")
    refused(ctx, ValidationError, "empty_file", "file", S.attach_evidence, me, t.id, b"", "a.pdf")
    row = run(ctx, S.attach_evidence, me, t.id, PDF, "../../etc/Báo cáo.exe")
    docx = run(ctx, S.attach_evidence, me, t.id, _docx(), "kế hoạch.docx")
    assert row.content_type == "application/pdf" and docx.content_type.endswith("wordprocessingml.document")
    assert (evidence_dir / row.sha256[:2] / row.sha256[2:4] / row.sha256).read_bytes() == PDF
    got = S.download_evidence(ctx, actor_of(ctx, unit.head), row.id)
    assert got.data == PDF and got.filename.endswith(".pdf") and "/" not in got.filename
    for who in (unit.deputy, unit.staff[0], unit.unit_admin):
        assert S.download_evidence(ctx, actor_of(ctx, who), row.id).data == PDF
    other = make_unit(ctx, size=5)
    for who in (unit.staff[1], unit.synthesis, other.head, other.unit_admin):  # a colleague, a unit reader, strangers
        with pytest.raises(OutOfReach):
            S.download_evidence(ctx, actor_of(ctx, who), row.id)


# -- catalogue and imports -------------------------------------------------------------------------------
def _xlsx(rows) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_catalogue_import_is_all_or_nothing(ctx, unit):
    admin = actor_of(ctx, unit.unit_admin)
    bad = _xlsx([S.CATALOGUE_COLUMNS, ("BC", "Báo cáo", 2, "Chuyên viên: 3"), ("TT", "Tờ trình", 0, None)])
    e = refused(ctx, ValidationError, "import_errors", "file", S.import_catalogue, admin, unit.unit_id, io.BytesIO(bad))
    assert e.detail["problems"][0]["row"] == 3 and e.detail["problems"][0]["column"] == "Hệ số quy đổi"
    good = _xlsx([S.CATALOGUE_COLUMNS, ("BC", "Báo cáo", 2, "Chuyên viên: 3; Văn thư: 1"), ("TT", "Tờ trình", "1,5", None)])
    result = run(ctx, S.import_catalogue, admin, unit.unit_id, io.BytesIO(good))
    assert (result.created, result.updated) == (2, 0)
    items = S.catalogue(ctx, unit.unit_id)
    assert [(p.code, p.coefficient, {n.position: n.norm for n in p.norms}) for p in items] == [
        ("BC", D("2.00"), {"Chuyên viên": D("3.00"), "Văn thư": D("1.00")}), ("TT", D("1.50"), {})]
    other = make_unit(ctx, size=5)
    refused(ctx, OutOfReach, "not_found", "unit_id", S.import_catalogue, admin, other.unit_id, io.BytesIO(good))


def test_task_import_is_all_or_nothing_with_the_same_checks(ctx, unit, products):
    from app.models import Staff

    names = {p: ctx.get(Staff, p).username for p in unit.staff[:2]}
    other = make_unit(ctx, size=5)
    foreign = ctx.get(Staff, other.staff[0]).username
    head = actor_of(ctx, unit.head)
    rows = [S.TASK_COLUMNS, (names[unit.staff[0]], "Báo cáo quý", None, None, "BC", 2, "15/11/2026", "12/UBND", None)]
    for bad, column in (((foreign, "Việc lạ", None, None, "BC", 1, "15/11/2026", None, None), "Tài khoản"),
                        ((names[unit.staff[1]], "Việc", None, None, "XX", 1, "15/11/2026", None, None), "Mã loại sản phẩm"),
                        ((names[unit.staff[1]], "Việc", None, None, "BC", 0, "15/11/2026", None, None), "Số lượng"),
                        ((names[unit.staff[1]], "Việc", None, None, "BC", 1, dt.date(2026, 12, 15), None, None), "Thời hạn")):
        e = refused(ctx, ValidationError, "import_errors", "file", S.import_tasks, head, "2026-11", io.BytesIO(_xlsx(rows + [bad])))
        assert [(p["row"], p["column"]) for p in e.detail["problems"]] == [(3, column)], e.detail["problems"]
    result = run(ctx, S.import_tasks, head, "2026-11", io.BytesIO(_xlsx(rows)))
    assert result.created == 1
    from app.models import Task

    t = ctx.scalar(select(Task).where(Task.person_id == unit.staff[0]))
    assert (t.assigned_kind, t.document_ref, t.quantity) == (T.DOCUMENT, "12/UBND", D("2.00"))


# -- the leader's view ---------------------------------------------------------------------------------------
def test_a_leader_sees_every_late_task_of_their_people(ctx, unit, products):
    late = []
    for i, p in enumerate(unit.staff[:4]):
        t = run(ctx, S.create_task, actor_of(ctx, p), "2026-11", task_data(products, title=f"Việc {i}", deadline="10/11/2026"))
        late.append(t.id)
    on_time = run(ctx, S.create_task, actor_of(ctx, unit.staff[0]), "2026-11", task_data(products, deadline="28/11/2026"))
    done = run(ctx, S.create_task, actor_of(ctx, unit.staff[1]), "2026-11", task_data(products, deadline="05/11/2026"))
    run(ctx, S.update_progress, actor_of(ctx, unit.staff[1]), done.id, 100)
    other = make_unit(ctx, size=5)
    run(ctx, S.create_task, actor_of(ctx, other.staff[0]), "2026-11", task_data(
        {"BC": run(ctx, S.save_product, admin_actor(ctx), other.unit_id, "BC", "Báo cáo", 1).id}, deadline="10/11/2026"))
    clock_at(dt.date(2026, 11, 15))
    for who in (unit.head, unit.deputy):
        view = S.follow_up(ctx, actor_of(ctx, who), "2026-11", kind=S.LATE)
        assert sorted(t.id for t, _, k in view.rows) == sorted(late) and {k for _, _, k in view.rows} == {S.LATE}
        assert view.counts[S.LATE] == 4 and view.counts[S.ALL_OPEN] == 5
    assert S.follow_up(ctx, actor_of(ctx, other.head), "2026-11", kind=S.LATE).counts[S.LATE] == 1
    assert S.follow_up(ctx, actor_of(ctx, unit.staff[2]), "2026-11").rows == []
    one = S.follow_up(ctx, actor_of(ctx, unit.head), "2026-11", kind=S.LATE, person_id=unit.staff[0])
    assert [t.id for t, _, _ in one.rows] == [late[0]]
    # not updated for more than a week: stuck; updated: off the list
    assert (on_time.id, S.STUCK) in [(t.id, k) for t, _, k in S.follow_up(ctx, actor_of(ctx, unit.head), "2026-11").rows]
    run(ctx, S.update_progress, actor_of(ctx, unit.staff[0]), on_time.id, 30)
    assert on_time.id not in [t.id for t, _, _ in S.follow_up(ctx, actor_of(ctx, unit.head), "2026-11").rows]
    assert done.id not in [t.id for t, _, _ in S.follow_up(ctx, actor_of(ctx, unit.head), "2026-11", kind=S.ALL_OPEN).rows]


# -- a period end to end under NĐ 335 -------------------------------------------------------------------------
def _independent(tasks, today, leader=None):
    """The rule written again over plain rows: (quantity, coefficient, qty_done or None, finished, deadline,
    fails, delays, exempt, status)."""
    def cut(x):
        return x.quantize(D("0.01"), ROUND_DOWN)

    units = done = quality = timely = D(0)
    for qty, coef, qd, finished, deadline, fails, delays, exempt, status in tasks:
        u = cut(qty * coef)
        du = min(cut((qd if qd is not None else (qty if status == T.DONE else D(0))) * coef), u)
        late = finished > deadline if finished else today > deadline
        n = delays + int(late)
        units, done = units + u, done + du
        quality += cut(du * max(D(0), 1 - D("0.25") * fails))
        timely += cut(du * (D(1) if exempt else max(D(0), 1 - D("0.25") * n)))
    a = cut(done * 100 / units)
    b = cut(quality * 100 / done)
    c = cut(timely * 100 / done)
    parts = [a, b, c] + (list(leader) if leader else [])
    return cut(sum(parts) / len(parts) * D("0.7"))


def _to_evaluator(ctx, unit, person, scores_points="max"):
    """December's sheet of ``person`` submitted (21/12) and commented (26/12): waiting for the evaluator."""
    from app.services.evaluation import sheets as SS

    from app.models import Sheet

    sid = sheet_of(ctx, person, "2026-12")
    clock_at(dt.date(2026, 12, 21))
    ver = lambda: (ctx.expire_all(), ctx.get(Sheet, sid).version)[1]
    run(ctx, SS.submit, sid, actor_of(ctx, person), ver(), scores=full_scores(ctx, sid, scores_points), worked_days=20)
    if ctx.get(Sheet, sid).commenter_id is not None:
        clock_at(dt.date(2026, 12, 26))
        run(ctx, SS.comment, sid, actor_of(ctx, ctx.get(Sheet, sid).commenter_id), ver(), "Đồng ý.")
    return sid, ver


def test_a_period_with_tasks_runs_end_to_end_under_nd335(ctx, products):
    from app.models import Sheet
    from app.services.evaluation import sheets as SS

    u = make_unit(ctx, size=6)
    use_nd335(ctx, u.unit_id, conditions=T.QD366)
    clock_at(dt.date(2026, 12, 1))
    with unit_of_work(ctx):
        from app.services.evaluation import periods

        periods.open_period(ctx, "2026-12", admin_actor(ctx))
    admin = admin_actor(ctx)
    bc = run(ctx, S.save_product, admin, u.unit_id, "BC", "Báo cáo", "2").id
    cv = run(ctx, S.save_product, admin, u.unit_id, "CV", "Công văn", "0.5").id
    staff = u.staff[0]
    me = actor_of(ctx, staff)
    clock_at(dt.date(2026, 12, 2))
    t1 = run(ctx, S.create_task, me, "2026-12", {"title": "Báo cáo năm", "product_type_id": bc, "quantity": "3", "deadline": "10/12/2026"})
    t2 = run(ctx, S.create_task, me, "2026-12", {"title": "Công văn trả lời", "product_type_id": cv, "quantity": "5", "deadline": "12/12/2026"})
    t3 = run(ctx, S.create_task, actor_of(ctx, u.head), "2026-12",
             {"title": "Rà soát hồ sơ", "product_type_id": bc, "quantity": "2", "deadline": "15/12/2026"}, person_id=staff)
    run(ctx, S.plan_action, me, staff, "2026-12", T.SUBMIT)
    run(ctx, S.plan_action, actor_of(ctx, u.deputy), staff, "2026-12", T.APPROVE)
    clock_at(dt.date(2026, 12, 9))
    run(ctx, S.update_progress, me, t1.id, 100)
    clock_at(dt.date(2026, 12, 14))
    run(ctx, S.update_progress, me, t2.id, 100)  # two days late
    run(ctx, S.update_progress, me, t3.id, 100, quantity_done="1")  # on time, half the quantity
    run(ctx, S.rate_task, actor_of(ctx, u.head), t2.id, passed=False, note="Sai thể thức")
    run(ctx, S.rate_task, actor_of(ctx, u.head), t1.id, passed=True, exceeded=True)
    sid, ver = _to_evaluator(ctx, u, staff)
    clock_at(dt.date(2026, 12, 31))
    def expected_for(exempt):
        return _independent([
            (D(3), D(2), None, dt.date(2026, 12, 9), dt.date(2026, 12, 10), 0, 0, False, T.DONE),
            (D(5), D("0.5"), None, dt.date(2026, 12, 14), dt.date(2026, 12, 12), 1, 0, exempt, T.DONE),
            (D(2), D(2), D(1), dt.date(2026, 12, 14), dt.date(2026, 12, 15), 0, 0, False, T.DONE),
        ], dt.date(2026, 12, 31))

    expected = expected_for(False)
    st = S.sheet_tasks(ctx, actor_of(ctx, staff), sid)
    assert st.fills and st.breakdown.points == expected
    # A and B need every task on time: refused with the reason, nothing changes
    assert expected + 30 >= 90  # the points alone give A
    e = refused(ctx, ValidationError, "band_condition", "grade", SS.finalise, sid, actor_of(ctx, u.head), ver())
    assert "xếp loại A" in e.message and "đúng hạn" in e.message and "vượt yêu cầu" not in e.message  # 1 of 3 exceeded
    e = refused(ctx, ValidationError, "band_condition", "grade", SS.finalise, sid, actor_of(ctx, u.head), ver(), grade="B",
                grade_reason="Có nhiệm vụ chậm")
    assert "xếp loại B" in e.message
    # the evaluator confirms an objective cause for the late task: no delay penalty, and it no longer counts as late
    run(ctx, S.rate_task, actor_of(ctx, u.head), t2.id, exempt=True, exempt_reason="Chờ văn bản của Sở quá hạn")
    expected = expected_for(True)
    assert S.sheet_tasks(ctx, actor_of(ctx, staff), sid).breakdown.points == expected > expected_for(False)
    s = run(ctx, SS.finalise, sid, actor_of(ctx, u.head), ver(), grade="B", grade_reason="Một nửa khối lượng rà soát")
    ctx.expire_all()
    s = ctx.get(Sheet, sid)
    criterion = S.task_criterion(SS.rule_version(ctx, s.rule_version_id))
    row = next(r for r in s.scores if r.criterion_id == criterion.id)
    assert row.final_points == expected and s.final_total == expected + 30  # 30 general points as given
    assert s.grade == "B"
    # the leader: d from the people under them, đ and e rated by their evaluator
    for p in [u.synthesis, *u.staff[1:]]:
        sid_p, ver_p = _to_evaluator(ctx, u, p, scores_points="0.4" if p == u.staff[-1] else "0.5")
        clock_at(dt.date(2026, 12, 31))
        run(ctx, SS.finalise, sid_p, actor_of(ctx, u.head), ver_p())
    d_grades = S.grades_under(ctx, u.head, ctx.get(Sheet, sid).period_id)
    assert sorted(d_grades) == ["B", "C", "C", "D"]  # no tasks: their own scores stand (50 → C, 40 → D)
    ht = run(ctx, S.create_task, actor_of(ctx, u.head), "2026-12",
             {"title": "Chỉ đạo cải cách hành chính", "product_type_id": bc, "quantity": "1", "deadline": "20/12/2026"})
    run(ctx, S.update_progress, actor_of(ctx, u.head), ht.id, 100)
    run(ctx, S.rate_leader, actor_of(ctx, u.outside_evaluator), u.head, "2026-12", "80", "90,5")
    refused(ctx, PermissionDenied, "not_evaluator", None, S.rate_leader, actor_of(ctx, u.deputy), u.head, "2026-12", "100", "100")
    hsid, hver = _to_evaluator(ctx, u, u.head)
    clock_at(dt.date(2026, 12, 31))
    leader_expected = _independent([(D(1), D(2), None, dt.date(2026, 12, 31), dt.date(2026, 12, 20), 0, 0, False, T.DONE)],
                                   dt.date(2026, 12, 31), leader=(D(50), D(80), D("90.5")))
    hb = S.sheet_tasks(ctx, actor_of(ctx, u.outside_evaluator), hsid).breakdown
    assert hb.leader and hb.d == D(50) and hb.points == leader_expected


def test_period_points_in_one_query_equal_the_line_by_line_breakdown(ctx, unit, products):
    """The grouped query of the benchmark against the domain, on random tasks (leaders included)."""
    import random

    from app.domain.evaluation import workflow as wf
    from app.models import Period, Sheet, Staff, Task, TaskAssessment, TaskDelay, TaskPlan

    rng = random.Random(335)
    period = ctx.scalar(select(Period).where(Period.key == "2026-11"))
    coefs = {pid: ctx.get(__import__("app.models", fromlist=["ProductType"]).ProductType, pid).coefficient for pid in products.values()}
    people = unit.people
    for pid in people:
        plan = TaskPlan(person_id=pid, period_id=period.id, unit_id=unit.unit_id, state="draft",
                        rating_dd=D(rng.choice(["80", "95.5", "100"])), rating_e=D(rng.choice(["70", "88.25"])))
        ctx.add(plan)
        ctx.flush()
        for _ in range(rng.randint(1, 9)):
            product = rng.choice(list(products.values()))
            status = rng.choice([T.NEW, T.IN_PROGRESS, T.DONE, T.DONE, T.DONE, T.CARRIED, T.CANCELLED])
            qty = D(rng.choice(["1", "2", "3.5", "0.25", "7"]))
            deadline = dt.date(2026, 11, rng.randint(3, 28))
            t = Task(plan_id=plan.id, person_id=pid, period_id=period.id, unit_id=unit.unit_id, title="Việc", status=status,
                     quality_fails=0, delay_count=0,
                     product_type_id=product, coefficient=coefs[product], quantity=qty, deadline=deadline, progress=0,
                     quantity_done=(qty * D(rng.choice(["0.5", "1", "1.3"]))).quantize(D("0.01")) if rng.random() < 0.4 else None,
                     finished_on=deadline + dt.timedelta(days=rng.randint(-3, 3)) if status == T.DONE else None,
                     exempt=rng.random() < 0.15, exceeded=rng.random() < 0.3)
            ctx.add(t)
            ctx.flush()
            for _ in range(rng.choice([0, 0, 1, 2, 5])):
                passed = rng.random() < 0.4
                ctx.add(TaskAssessment(task_id=t.id, passed=passed, note="x"))
                t.quality_fails += 0 if passed else 1  # as rate_task keeps it
            for _ in range(rng.choice([0, 0, 1, 3])):
                ctx.add(TaskDelay(task_id=t.id, old_deadline=deadline, new_deadline=deadline, reason="x"))
                t.delay_count += 1  # as delay_task keeps it
    for pid in unit.staff[:2]:  # graded D: the head's and the deputy's d is 50 %
        s = ctx.scalar(select(Sheet).where(Sheet.person_id == pid, Sheet.period_id == period.id))
        s.state, s.grade = wf.FINALISED, "D"
    ctx.commit()
    today = dt.date(2026, 11, 20)
    bulk = S.period_points(ctx, period.id, today)
    assert set(bulk) == set(people)
    for pid in people:
        b = S.breakdown_of(ctx, ctx.get(Staff, pid), period, today=today)
        got = bulk[pid]
        assert (got.a, got.b, got.c, got.points, got.tasks, got.late, got.exceeded) == (
            b.a, b.b, b.c, b.points, b.task_count, b.late_count, b.exceeded_count), pid
    assert {p for p in people if S.breakdown_of(ctx, ctx.get(Staff, p), period, today=today).leader} == {unit.head, unit.deputy}
