"""The .xls units still send (Excel 97-2003) imports exactly like the .xlsx it was saved from."""
from __future__ import annotations

from sqlalchemy import select

from app.domain.scope import SYSTEM

from tests.conftest import SAMPLES


def _people(ctx, usernames):
    from app.models import Staff

    ctx.expire_all()
    rows = ctx.scalars(select(Staff).where(Staff.username.in_(usernames))).all()
    return {
        s.username: (s.full_name, s.position, s.phone, s.contact_email, s.unit.name if s.unit else None, s.eval_role,
                     s.is_unit_admin, s.reviewer.username if s.reviewer else None,
                     s.evaluator.username if s.evaluator else None, sorted(r.name for r in s.roles))
        for s in rows
    }


def test_the_xls_sample_imports_the_same_people_as_the_xlsx(ctx):
    from app.services.mau01 import read_sheet, run_import

    xlsx, xls = SAMPLES / "mau01_sample.xlsx", SAMPLES / "mau01_sample.xls"
    assert read_sheet(str(xls), "badinh") == read_sheet(str(xlsx), "badinh")

    dry = run_import(ctx, str(xls), SYSTEM, dry_run=True).as_json()
    assert dry["errors"] == [] and dry["rows"] == 38 and dry["created"] == 38
    from_xls = run_import(ctx, str(xls), SYSTEM)
    assert from_xls.committed and from_xls.plan.count("create") == 38
    usernames = [a.username for a in from_xls.plan.accounts]
    people = _people(ctx, usernames)
    assert len(people) == 38
    assert people["vuminhquyen_badinh"][:5] == ("Vũ Minh Quyên", "Chủ tịch", "0933234300",
                                                 "vuminhquyen_badinh@hanoi.gov.vn", "UBND phường Cống Vị")
    ctx.rollback()  # the same import from the .xlsx, on the same database state

    from_xlsx = run_import(ctx, str(xlsx), SYSTEM)
    assert [a.as_dict() for a in from_xlsx.plan.accounts] == [a.as_dict() for a in from_xls.plan.accounts]
    assert _people(ctx, usernames) == people
    ctx.rollback()
