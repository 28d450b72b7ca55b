"""Trial periods: marked "Vận hành thử" wherever a period is named, left out of every roll-up."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.evaluation_fixtures import open_period


def test_roll_ups_leave_trial_periods_out(ctx):
    from app.models import Period, Sheet
    from app.services.evaluation.periods import counted_period_ids, counted_periods_clause, counted_sheets_clause

    trial = open_period(ctx, "2026-09", trial=True)
    second = open_period(ctx, "2026-10", trial=True)
    real = open_period(ctx, "2026-11")
    assert counted_period_ids(ctx) == [real.id]
    assert counted_period_ids(ctx, [trial.id, real.id]) == [real.id]
    assert list(ctx.scalars(select(Period.key).where(counted_periods_clause()))) == ["2026-11"]
    per_period = dict(ctx.execute(select(Sheet.period_id, func.count()).group_by(Sheet.period_id)).all())
    assert per_period[trial.id] > 0 and per_period[second.id] > 0
    counted = ctx.scalar(select(func.count(Sheet.id)).where(counted_sheets_clause()))
    assert counted == per_period[real.id]


def test_a_trial_period_says_so_in_its_title(ctx):
    from app.domain.evaluation.periods import TRIAL_LABEL, period_title

    trial = open_period(ctx, "2026-10", trial=True)
    real = open_period(ctx, "2026-11")
    assert trial.title == f"{trial.label} (Vận hành thử)" and TRIAL_LABEL == "Vận hành thử"
    assert real.title == real.label and "thử" not in real.title
    assert period_title("Quý IV/2026", True) == "Quý IV/2026 (Vận hành thử)"


def test_the_filters_and_the_macro(app, ctx):
    from flask import render_template_string

    trial = open_period(ctx, "2026-10", trial=True)
    real = open_period(ctx, "2026-11")
    page = render_template_string(
        "{% import 'rollout/_period.html' as periodlib %}[{{ t|period_title }}][{{ t|trial_badge }}][{{ r|trial_badge }}]"
        "[{{ periodlib.trial_badge(t) }}][{{ periodlib.trial_badge(r) }}][{{ {'label': 'Tháng 9/2026', 'trial': True}|period_title }}]",
        t=trial, r=real)
    assert f"[{trial.label} (Vận hành thử)]" in page
    assert page.count('class="label label-warning trial-badge"') == 2 and page.count(">Vận hành thử</span>") == 2
    assert "[][" in page and page.endswith("[][Tháng 9/2026 (Vận hành thử)]")


def test_the_period_api_names_a_trial(app, ctx):
    from app.api.serialize import period_json

    trial = open_period(ctx, "2026-10", trial=True)
    assert period_json(trial)["title"].endswith("(Vận hành thử)") and period_json(trial)["trial"] is True
