"""Tables of the app. Importing this package registers every model on FAB's metadata."""
from app.models.audit import AuditEvent, SignInAttempt
from app.models.org import OrgKind, OrgUnit
from app.models.staff import Staff

__all__ = ["AuditEvent", "SignInAttempt", "OrgKind", "OrgUnit", "Staff"]

from app.models.evaluation import *  # noqa: E402,F401,F403  (the monthly evaluation's tables)
from app.models import evaluation as _evaluation  # noqa: E402

__all__ += _evaluation.__all__
