"""What every page shares beyond FAB: the trial-period marks (Jinja filters) and the banners telling the
signed-in person what is pending for them (a context processor read by ``rollout/_banners.html``, which
``appbuilder/baselayout.html`` includes above the flashed messages)."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from app.domain.evaluation.periods import TRIAL_LABEL, TRIAL_NOTE, period_title


def _get(period: Any, name: str, default=None):
    if isinstance(period, dict):
        return period.get(name, default)
    return getattr(period, name, default)


def title_filter(period: Any) -> str:
    """``{{ period|period_title }}``: "Tháng 11/2026 (Vận hành thử)"; works on a Period or its JSON."""
    if period is None:
        return ""
    return period_title(str(_get(period, "label", "") or ""), bool(_get(period, "trial", False)))


def badge_filter(period: Any) -> Markup:
    """``{{ period|trial_badge }}``: the "Vận hành thử" label for a trial period, nothing otherwise."""
    if period is None or not _get(period, "trial", False):
        return Markup("")
    return Markup('<span class="label label-warning trial-badge" title="{}">{}</span>').format(
        escape(TRIAL_NOTE), escape(TRIAL_LABEL))


def install_template_helpers(app) -> None:
    app.jinja_env.filters["period_title"] = title_filter
    app.jinja_env.filters["trial_badge"] = badge_filter
    app.jinja_env.globals.update(trial_label=TRIAL_LABEL, trial_note=TRIAL_NOTE)
    app.context_processor(_banner_context)


def _banner_context() -> dict[str, Any]:
    return {"pending_banners": pending_banners}


def pending_banners() -> list[dict[str, str]]:
    """The banners of the signed-in person (computed when the layout asks, once a request)."""
    from flask import g

    cached = getattr(g, "_pending_banners", None)
    if cached is None:
        cached = g._pending_banners = _compute_banners()
    return cached


def _compute_banners() -> list[dict[str, str]]:
    return []
