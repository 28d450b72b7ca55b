"""The roll-up agrees with a count made here: trial periods left out, time worked weighed, transfers followed."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain import rollup as R
from app.domain.errors import ValidationError
from app.services.synthesis import rollup as service
from tests.evaluation_fixtures import actor_of, make_unit, open_period
from tests.synthesis_fixtures import apply_plan, grade_for

SCORES = {"2026-10": [99, 40, 75], "2026-11": [92, 91, 60], "2026-12": [95, 65, 88]}


@pytest.fixture
def year(ctx):
    from app.models import Staff

    a = make_unit(ctx, size=6)
    b = make_unit(ctx, size=5)
    open_period(ctx, "2026-10", trial=True)  # left out of every roll-up
    open_period(ctx, "2026-11")
    mover = a.staff[0]
    plans = {}
    for key in ("2026-10", "2026-11"):
        plans[key] = {pid: {"state": "finalised", "final_total": Decimal(SCORES[key][i % 3]), "worked_days": None}
                      for i, pid in enumerate(a.people + b.people)}
    # the mover worked half of November
    plans["2026-11"][mover]["worked_days"] = Decimal(10)
    for key in ("2026-10", "2026-11"):
        apply_plan(ctx, key, plans[key])
    person = ctx.get(Staff, mover)
    person.unit_id = b.unit_id  # transferred before December opens
    ctx.commit()
    open_period(ctx, "2026-12")
    plans["2026-12"] = {pid: {"state": "finalised", "final_total": Decimal(SCORES["2026-12"][i % 3])}
                        for i, pid in enumerate(a.people + b.people)}
    plans["2026-12"][a.people[1]] = {"state": "draft"}  # not graded: not counted
    apply_plan(ctx, "2026-12", plans["2026-12"])
    return a, b, mover, plans


def _expected(ctx, plans, person_id):
    from app.models import Period
    from sqlalchemy import select

    wsum = weight = Decimal(0)
    grades = []
    for key in ("2026-11", "2026-12"):  # not the trial October
        p = plans[key].get(person_id)
        if not p or p["state"] != "finalised":
            continue
        days = ctx.scalar(select(Period.working_days).where(Period.key == key))
        worked = p.get("worked_days") or days
        part = Decimal(worked) / Decimal(days)
        wsum += p["final_total"] * part
        weight += part
        grades.append(grade_for(p["final_total"]))
    return len(grades), grades, (wsum / weight).quantize(Decimal("0.01")) if weight else None


@pytest.mark.parametrize("policy", ["nd335", "counting"])
def test_year_rollup_matches_an_independent_count(ctx, admin, year, policy):
    a, b, mover, plans = year
    result = service.rollup(ctx, admin, "2026-Q4", policy, all_rows=True)
    rows = {r.person_id: r for r in result.rows}
    for pid in a.people + b.people:
        n, grades, average = _expected(ctx, plans, pid)
        r = rows[pid]
        assert r.tally.periods == n
        assert {g: r.tally.count(g) for g in "ABCD"} == {g: grades.count(g) for g in "ABCD"}
        assert r.tally.average == average, pid
        assert r.proposed == R.policy(policy).propose(r.tally)


def test_a_transferred_persons_results_follow_them(ctx, year):
    a, b, mover, plans = year
    synth_b = actor_of(ctx, b.synthesis)
    result = service.rollup(ctx, synth_b, "2026", "nd335", all_rows=True)
    rows = {r.person_id: r for r in result.rows}
    assert mover in rows and rows[mover].tally.periods == 2  # November in unit a, December in unit b
    assert set(rows) == set(b.people) | {mover}
    synth_a = actor_of(ctx, a.synthesis)
    assert mover not in {r.person_id for r in service.rollup(ctx, synth_a, "2026", "nd335", all_rows=True).rows}


def test_half_a_month_weighs_half(ctx, admin, year):
    a, b, mover, plans = year
    r = next(r for r in service.rollup(ctx, admin, "2026", "nd335", all_rows=True).rows if r.person_id == mover)
    nov, dec = SCORES["2026-11"][0], SCORES["2026-12"][0]
    weight = Decimal(10) / Decimal(_days(ctx, "2026-11")) + 1
    assert r.tally.average == ((nov * Decimal(10) / Decimal(_days(ctx, "2026-11")) + dec) / weight).quantize(Decimal("0.01"))


def _days(ctx, key):
    from app.models import Period
    from sqlalchemy import select

    return ctx.scalar(select(Period.working_days).where(Period.key == key))


def test_bad_span_or_policy(ctx, admin):
    with pytest.raises(ValidationError):
        service.rollup(ctx, admin, "2026-Q9", "nd335")
    with pytest.raises(ValidationError):
        service.rollup(ctx, admin, "2026", "zz")
