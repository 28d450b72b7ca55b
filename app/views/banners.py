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
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return []
    from app.extensions import db
    from app.security.scope import current_actor
    from app.services import clock

    return person_banners(db.session, current_user, current_actor(), clock.now())


def person_banners(session, person, actor, now) -> list[dict[str, str]]:
    """What is pending for ``person``: the password to change (days left, the date), their own sheets to
    fill (the self-assessment deadline), the sheets waiting for them, and a trial period's notice.

    Each banner: ``kind`` (password | sheet | review | trial), ``level`` (the alert colour), ``text`` and
    an optional ``href`` / ``link``.
    """
    from flask import url_for
    from sqlalchemy import select

    from app.domain.accounts import days_left
    from app.domain.dates import fmt_date
    from app.domain.evaluation import workflow as wf
    from app.models import Period
    from app.services.evaluation import inbox as inbox_service

    out: list[dict[str, str]] = []
    due = getattr(person, "password_change_due", None)
    if getattr(person, "must_change_password", False) and due is not None:
        left = days_left(due, now)
        when = fmt_date(due.date() if hasattr(due, "date") else due)
        text = (f"Bạn cần đổi mật khẩu trước ngày {when} (còn {left} ngày); quá hạn, tài khoản sẽ tự động bị khóa."
                if left > 0 else f"Đã quá hạn đổi mật khẩu ({when}): hãy đổi ngay.")
        out.append({"kind": "password", "level": "danger" if left <= 1 else "warning", "text": text,
                    "href": url_for("AccountView.password"), "link": "Đổi mật khẩu"})
    open_periods = {p.key: p for p in session.scalars(select(Period).where(Period.state == Period.OPEN))}
    today = now.date()
    for item in inbox_service.my_open_sheets(session, person.id, today):
        if item.state != wf.DRAFT:
            continue
        period = open_periods.get(item.period_key)
        label = title_filter(period) if period is not None else item.period_label
        when = fmt_date(item.deadline)
        text = (f"Phiếu tự đánh giá {label}: hạn tự đánh giá đến hết ngày {when} (còn {item.days_left} ngày)."
                if item.days_left > 0 else f"Phiếu tự đánh giá {label}: đã quá hạn tự đánh giá ({when}).")
        out.append({"kind": "sheet", "level": "info", "text": text, "href": url_for("HomeView.index"),
                    "link": "Việc cần làm"})
    waiting = inbox_service.inbox(session, actor, page_size=1, today=today)
    if waiting.total:
        parts = []
        if waiting.counts.get(wf.COMMENTER):
            parts.append(f"{waiting.counts[wf.COMMENTER]} phiếu chờ bạn nhận xét")
        if waiting.counts.get(wf.EVALUATOR):
            parts.append(f"{waiting.counts[wf.EVALUATOR]} phiếu chờ bạn đánh giá, xếp loại")
        out.append({"kind": "review", "level": "info", "text": "Có " + " và ".join(parts) + ".",
                    "href": url_for("HomeView.index"), "link": "Việc cần làm"})
    for period in open_periods.values():
        if period.trial:
            out.append({"kind": "trial", "level": "warning",
                        "text": f"Kỳ đánh giá {period.label} là kỳ {TRIAL_LABEL.lower()}: quy trình chạy đầy đủ để làm "
                                "quen, kết quả không được tính vào tổng hợp quý, năm."})
    return out
