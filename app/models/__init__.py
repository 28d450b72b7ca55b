"""Tables of the app. Importing this package registers every model on FAB's metadata."""
from app.models.audit import AuditEvent, SignInAttempt
from app.models.org import OrgKind, OrgUnit
from app.models.session import AuthSession, CredentialSheet
from app.models.staff import Staff

__all__ = ["AuditEvent", "SignInAttempt", "AuthSession", "CredentialSheet", "OrgKind", "OrgUnit", "Staff"]
