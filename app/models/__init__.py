"""Tables of the app. Importing this package registers every model on FAB's metadata."""
from app.models import evaluation as _evaluation
from app.models.audit import AuditEvent, SignInAttempt
from app.models.evaluation import *  # noqa: F401,F403  (the monthly evaluation's tables)
from app.models.org import OrgKind, OrgUnit
from app.models.session import AuthSession, CredentialSheet
from app.models.staff import Staff
from app.models.synthesis import Notice, SentReminder, SheetFeedback

__all__ = ["AuditEvent", "SignInAttempt", "AuthSession", "CredentialSheet", "OrgKind", "OrgUnit", "Staff", "Notice", "SentReminder", "SheetFeedback",
           *_evaluation.__all__]
