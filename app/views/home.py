"""The home page: who you are, what you reach, what you must do."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from app.domain.accounts import days_left
from app.extensions import db
from app.models import OrgUnit, Staff
from app.security.scope import current_actor, org_clause, staff_clause
from app.services import clock
from app.settings import settings


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        stats = None
        due_days = None
        todo = None
        if current_user.is_authenticated:
            actor = current_actor()
            session = db.session
            stats = {
                "blocks": session.scalar(select(func.count(OrgUnit.id)).where(OrgUnit.kind == "block", org_clause(actor, "block"))),
                "units": session.scalar(select(func.count(OrgUnit.id)).where(OrgUnit.kind == "unit", org_clause(actor, "unit"))),
                "staff": session.scalar(select(func.count(Staff.id)).where(staff_clause(actor))),
            }
            todo = evaluation_todo(session, actor)
            if current_user.must_change_password and current_user.password_change_due:
                due_days = days_left(current_user.password_change_due, clock.now())
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            district=settings().org_name,
            stats=stats,
            due_days=due_days,
            todo=todo,
        )


# -- "Việc cần làm" (the evaluation): my sheets of the open periods, the sheets waiting for me -------------
TODO_INBOX_ROWS = 5


def evaluation_todo(session, actor) -> dict:
    """What the home page lists under "Việc cần làm": two fixed queries whatever the organisation's size."""
    from app.services.evaluation import inbox as queries

    mine = queries.my_open_sheets(session, actor.id) if actor.id is not None else []
    waiting = queries.inbox(session, actor, 0, TODO_INBOX_ROWS)
    return {"mine": mine, "inbox": waiting}
