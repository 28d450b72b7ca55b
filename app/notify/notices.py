"""In-app notices: added by the reminders and by feedback on results, listed on /notices/ (newest first)."""
from __future__ import annotations

from sqlalchemy import func, select, update

from app.models import Notice
from app.services import clock


def add(session, person_id: int, kind: str, text: str, url: str | None = None) -> Notice:
    notice = Notice(person_id=person_id, kind=kind, text=text, url=url, created_at=clock.now())
    session.add(notice)
    return notice


def unread_count(session, person_id) -> int:
    if person_id is None:
        return 0
    return session.scalar(select(func.count()).select_from(Notice).where(Notice.person_id == person_id, Notice.read_at.is_(None))) or 0


def latest(session, person_id, limit: int = 50) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.person_id == person_id)
                                .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def mark_all_read(session, person_id) -> int:
    result = session.execute(update(Notice).where(Notice.person_id == person_id, Notice.read_at.is_(None)).values(read_at=clock.now()))
    session.flush()
    return result.rowcount or 0
