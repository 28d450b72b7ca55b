"""The shipped rule sets in the database: seeded by setup, idempotent, never overwriting an admin's edit;
stored versions read back as the domain values; frozen versions refuse edits."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.domain.errors import Conflict
from app.domain.evaluation import scoring
from app.domain.evaluation.shipped import HANOI_1841, ND_335
from app.services.evaluation import rules as service


def _family(ctx, code):
    from app.models import RuleSet

    return ctx.scalar(select(RuleSet).where(RuleSet.code == code))


def test_setup_seeded_both_families_hn1841_the_default(ctx):
    from app.models import Criterion, RuleSet

    families = {f.code: f for f in ctx.scalars(select(RuleSet))}
    assert set(families) == {"hn1841", "nd335"}
    assert families["hn1841"].is_default and not families["nd335"].is_default
    assert families["hn1841"].name == "Hà Nội 1841 (khung 3814)" and families["nd335"].name == "NĐ 335/2025"
    assert [v.effective_from for v in families["nd335"].versions] == ["2026-01"]
    assert ctx.scalar(select(func.count()).select_from(Criterion)) == len(HANOI_1841.criteria) + len(ND_335.criteria)
    assert service.default_family(ctx).code == "hn1841"


@pytest.mark.parametrize("shipped", [HANOI_1841, ND_335], ids=lambda v: v.family_code)
def test_a_stored_version_reads_back_as_the_shipped_one(ctx, shipped):
    row = _family(ctx, shipped.family_code).versions[0]
    v = service.load_version(ctx, row.id)
    assert v.problems() == [] and v.id == row.id
    assert [(g.code, g.name, g.kind, g.max_points) for g in v.groups] == [(g.code, g.name, g.kind, g.max_points) for g in shipped.groups]
    assert [(c.code, c.name, c.max_points, c.kind) for c in v.criteria] == [(c.code, c.name, c.max_points, c.kind) for c in shipped.criteria]
    assert v.bands == shipped.bands and v.quota == shipped.quota and v.attendance == shipped.attendance
    assert (v.total_cap, v.task_mode, v.effective_from) == (shipped.total_cap, shipped.task_mode, shipped.effective_from)
    assert all(isinstance(c.max_points, D) and c.id is not None for c in v.criteria)
    # criteria are keyed by database id: the same assessment through ids and through codes
    full = {c.id: c.max_points for c in v.criteria if c.kind == "normal"}
    assert scoring.assess(v, full).total == scoring.assess(shipped, {c.code: c.max_points for c in shipped.criteria if c.kind == "normal"}).total


def test_ensure_rule_sets_is_idempotent_and_keeps_an_admins_edits(ctx):
    from app.models import Criterion, RuleSet

    assert service.ensure_rule_sets(ctx) == []
    crit = ctx.scalar(select(Criterion).where(Criterion.code == "I.1"))
    crit.name = "Tên do quản trị sửa"
    hn, nd = _family(ctx, "hn1841"), _family(ctx, "nd335")
    hn.is_default, nd.is_default = False, True  # the admin chose NĐ 335 as the instance's default
    ctx.flush()
    assert service.ensure_rule_sets(ctx) == []
    ctx.expire_all()
    assert ctx.get(Criterion, crit.id).name == "Tên do quản trị sửa"
    assert service.default_family(ctx).code == "nd335"
    # a family the admin deleted comes back on the next setup, without taking the default flag
    ctx.delete(_family(ctx, "hn1841"))
    ctx.flush()
    assert service.ensure_rule_sets(ctx) == ["hn1841"]
    assert not _family(ctx, "hn1841").is_default and service.default_family(ctx).code == "nd335"
    assert ctx.scalar(select(func.count()).select_from(RuleSet)) == 2


def test_on_an_empty_database_the_default_is_hn1841(ctx):
    from app.models import RuleSet

    for family in ctx.scalars(select(RuleSet)).all():
        ctx.delete(family)
    ctx.flush()
    assert service.ensure_rule_sets(ctx) == ["hn1841", "nd335"]
    assert service.default_family(ctx).code == "hn1841"


def test_no_default_family_is_a_clear_refusal(ctx):
    from app.domain.errors import ValidationError
    from app.models import RuleSet

    for family in ctx.scalars(select(RuleSet)).all():
        family.is_default = False
    ctx.flush()
    with pytest.raises(ValidationError) as exc:
        service.default_family(ctx)
    assert exc.value.code == "no_rule_set" and "flask setup" in exc.value.message


def test_a_version_that_graded_a_sheet_is_frozen(ctx, admin):
    from app.models import Sheet
    from app.services.evaluation import periods

    version = _family(ctx, "hn1841").versions[0]
    service.check_editable(ctx, version)  # nothing graded yet
    period = periods.open_period(ctx, "2026-11", admin)
    sheet = ctx.scalar(select(Sheet).where(Sheet.period_id == period.id).limit(1))
    sheet.state = "submitted"
    ctx.flush()
    assert not service.is_frozen(ctx, version.id)
    sheet.state, sheet.grade = "finalised", "B"
    ctx.flush()
    assert service.is_frozen(ctx, version.id)
    with pytest.raises(Conflict) as exc:
        service.check_editable(ctx, version)
    assert exc.value.code == "frozen" and "tạo phiên bản mới áp dụng từ kỳ sau" in exc.value.message
    assert not service.is_frozen(ctx, _family(ctx, "nd335").versions[0].id)


def test_a_new_version_from_a_later_period_takes_over(ctx, admin):
    import dataclasses

    from app.models import Sheet
    from app.services.evaluation import periods

    family = _family(ctx, "hn1841")
    newer = dataclasses.replace(HANOI_1841, effective_from="2026-12", label="Sửa đổi 2026")
    row = service.add_version(ctx, family, newer)
    ctx.flush()
    nov = periods.open_period(ctx, "2026-11", admin)
    dec = periods.open_period(ctx, "2026-12", admin)
    assert set(ctx.scalars(select(Sheet.rule_version_id).where(Sheet.period_id == nov.id))) == {family.versions[0].id}
    assert set(ctx.scalars(select(Sheet.rule_version_id).where(Sheet.period_id == dec.id))) == {row.id}


def test_an_unusable_version_is_refused(ctx):
    import dataclasses

    from app.domain.errors import ValidationError

    bad = dataclasses.replace(HANOI_1841, effective_from="2027-01", bands=())
    with pytest.raises(ValidationError) as exc:
        service.add_version(ctx, _family(ctx, "hn1841"), bad)
    assert exc.value.code == "bad_rule_set" and "ít nhất một mức xếp loại" in exc.value.message
    ctx.flush()
    assert [v.effective_from for v in _family(ctx, "hn1841").versions] == ["2021-12"]
