"""Managing people: add, edit, delete, roles, with scope rules enforced for every change."""
from __future__ import annotations

from typing import Iterable, Optional

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, inspect, select
from werkzeug.security import generate_password_hash

from app.domain.root import current as root
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.phones import is_vietnamese_phone, normalize_phone
from app.domain.roles import ADMIN, EVAL_ROLE_BY_CODE, roles_for
from app.domain.scope import Actor, PersonFacts, check_person_change, require_actor
from app.domain.text import fold, normalize_text
from app.domain.usernames import UsernameAllocator, is_well_formed
from app.models import Sheet, Staff
from app.services import audit
from app.services.accounts import issue_initial_password
from app.services.reach import facts_after, facts_before, ref_now
from app.settings import settings


def split_name(full_name: str) -> tuple[str, str]:
    """Vietnamese order: (family and middle names, given name)."""
    parts = full_name.split(" ")
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def synthetic_email(username: str, suffix: str) -> str:
    """FAB's unique ``email`` column: derived from the username, never shown as contact."""
    return f"{username}@{suffix}.invalid"


def role_rows(session) -> dict[str, Role]:
    return {r.name: r for r in session.scalars(select(Role))}


def _is_block_admin(person: Staff) -> bool:
    """From the relationship when a form just set it (the FK column follows only at flush)."""
    if inspect(person).attrs["managed_block"].history.has_changes():
        return person.managed_block is not None
    return person.managed_block_id is not None or person.managed_block is not None


def audit_actor(actor: Actor, actor_user=None):
    """Who the audit row names: the signed-in person, else the actor (``SYSTEM`` is "Hệ thống (dòng lệnh)")."""
    return actor_user if actor_user is not None else actor


def derived_role_names(person: Staff, keep_admin: bool) -> frozenset[str]:
    return roles_for(
        person.eval_role or None,
        bool(person.is_unit_admin),
        is_block_admin=_is_block_admin(person),
        is_district_admin=keep_admin,
    )


def _clean_fields(session, person: Staff, keep_admin: bool = False) -> None:
    person.full_name = normalize_text(person.full_name)
    if not person.full_name:
        raise ValidationError("required", "Họ và tên không được để trống.", "full_name")
    person.name_key = fold(person.full_name)
    person.last_name, person.first_name = split_name(person.full_name)
    person.position = normalize_text(person.position) or None
    if person.phone:
        phone = normalize_phone(person.phone)
        if phone is None or not is_vietnamese_phone(phone):
            raise ValidationError("phone", f"Số điện thoại “{person.phone}” không phải số điện thoại Việt Nam hợp lệ.", "phone")
        person.phone = phone
    else:
        person.phone = None
    email = normalize_text(person.contact_email)
    if email.lower().startswith("mailto:"):
        email = email[7:]
    if email and (email.count("@") != 1 or "." not in email.split("@")[1] or " " in email):
        raise ValidationError("email", f"Email “{email}” không hợp lệ.", "contact_email")
    person.contact_email = email or None
    if person.eval_role and person.eval_role not in EVAL_ROLE_BY_CODE:
        raise ValidationError("eval_role", "Vai trò đánh giá không hợp lệ.", "eval_role")
    # What the form chose, the empty option (``__None``) included: never the stored value it replaces.
    unit = ref_now(session, person, "unit", "unit_id")
    if unit is None and not keep_admin:  # only the district's own admins sit at the root, without a unit
        raise ValidationError("required", "Hãy chọn đơn vị công tác.", "unit")
    if unit is not None and unit.kind != "unit":
        raise ValidationError("unit", f"“{unit.name}” không phải là một đơn vị.", "unit")
    if unit is not None and unit.merged_into_id is not None:  # rollout: a merged unit keeps history only
        into = unit.merged_into.name if unit.merged_into is not None else ""
        raise ValidationError("unit", f"Đơn vị “{unit.name}” đã được gộp vào “{into}”; hãy chọn đơn vị “{into}”.", "unit")
    dept = ref_now(session, person, "department", "department_id")
    if dept is not None and (dept.kind != "department" or unit is None or dept.unit_id != unit.id):
        where = f"đơn vị “{unit.name}”" if unit is not None else "đơn vị nào"
        raise ValidationError("department", f"Phòng, ban “{dept.name}” không thuộc {where}.", "department")
    managed = ref_now(session, person, "managed_block", "managed_block_id")
    if managed is not None and managed.kind != "block":
        raise ValidationError("managed_block", "Quản trị khối phải gắn với một khối.", "managed_block")
    for field, label in (("reviewer", "Lãnh đạo phụ trách nhận xét"), ("evaluator", "Lãnh đạo đánh giá")):
        other = getattr(person, field)
        if other is not None and person.id is not None and other.id == person.id:
            raise ValidationError("self_review", f"{label}: không ai tự nhận xét, đánh giá chính mình.", field)


def prepare(session, person: Staff, actor: Actor, actor_user=None) -> Optional[str]:
    """Validate a new or edited person, derive names and roles, check scope; stage an audit row.

    Returns the initial password of a new person (shown once), else None. Commits nothing:
    the caller commits the unit of work.
    """
    require_actor(actor)
    who = audit_actor(actor, actor_user)
    with session.no_autoflush:
        before = facts_before(session, person)
        keep_admin = ADMIN in (before.roles if before else frozenset())
        _clean_fields(session, person, keep_admin)
        names = derived_role_names(person, keep_admin)
        after = facts_after(session, person, names)
        problems = check_person_change(actor, before, after)
        if problems:
            raise PermissionDenied.of("scope", problems)
        rows = role_rows(session)
        person.roles = [rows[n] for n in sorted(names) if n in rows]
    password = None
    if before is None:
        with session.no_autoflush:
            password = _prepare_new(session, person, after, who)
    else:
        changes = changed_fields(person)
        if before.roles != names:
            audit.record(session, "role_changed", actor=who, target=person,
                         detail={"truoc": sorted(before.roles), "sau": sorted(names)})
        if changes:
            audit.record(session, "user_updated", actor=who, target=person, detail=changes)
        if before.place != after.place or "department_id" in changes or "department" in changes:
            # A move (rollout): the routing follows the new unit, open sheets follow the person.
            from app.services import transfers

            transfers.after_move(session, person, before.place.unit_id, who, explicit=changes)
    return password


def _prepare_new(session, person: Staff, after: PersonFacts, actor_user) -> str:
    """Username (given and free, or generated), synthetic FAB email, one-time password, audit row."""
    suffix = settings().account_suffix
    person.username = normalize_text(person.username).lower() or None
    if person.username:
        if not is_well_formed(person.username, suffix):
            raise ValidationError(
                "username",
                f"Tên tài khoản “{person.username}” không đúng quy định (không dấu, viết liền, chữ thường, kết thúc bằng _{suffix}).",
                "username",
            )
        if session.scalar(select(Staff.id).where(Staff.username == person.username)):
            raise ValidationError("username_taken", f"Tên tài khoản “{person.username}” đã có người dùng.", "username")
    else:
        person.username = allocate_usernames(session, [person.full_name])[0]
    person.email = synthetic_email(person.username, suffix)
    person.active = True
    password = issue_initial_password(person)
    audit.record(session, "user_created", actor=actor_user, target=person.username, unit_id=after.place.unit_id)
    return password


AUDITED_FIELDS = ("full_name", "position", "phone", "contact_email", "unit_id", "department_id", "eval_role",
                  "is_unit_admin", "reviewer_id", "evaluator_id", "active", "managed_block_id")


def changed_fields(person: Staff) -> dict[str, list]:
    state = inspect(person)
    out = {}
    for name in AUDITED_FIELDS + ("unit", "department", "reviewer", "evaluator", "managed_block"):
        hist = state.attrs[name].history
        if hist.has_changes() and hist.deleted != hist.added:
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if str(old or "") != str(new or ""):
                out[name] = [str(old) if old is not None else None, str(new) if new is not None else None]
    return out


def allocate_usernames(session, full_names: Iterable[str]) -> list[str]:
    """Usernames per letter 297-CV/BTCQU for these names, free against the database."""
    suffix = settings().account_suffix
    taken = set(session.scalars(select(Staff.username)))
    allocator = UsernameAllocator(taken, suffix)
    return [allocator.allocate(n) for n in full_names]


def check_delete(session, person: Staff, actor: Actor, actor_user=None) -> None:
    """Refuse a deletion outside scope; stage the audit row."""
    require_actor(actor)
    before = facts_before(session, person)
    problems = check_person_change(actor, before, None)
    if problems:
        raise PermissionDenied.of("scope", problems)
    sheets = session.scalar(select(func.count(Sheet.id)).where(Sheet.person_id == person.id))
    if sheets:
        # Sheets keep a person's results for the roll-ups and the record; they are never deleted with them.
        raise ValidationError(
            "has_sheets",
            f"Không thể xóa “{person.display_name}”: người này đã có {sheets} phiếu đánh giá được lưu. "
            "Hãy khóa tài khoản (người đã nghỉ việc) hoặc chuyển sang đơn vị mới thay vì xóa.",
        )
    audit.record(session, "user_deleted", actor=audit_actor(actor, actor_user),
                 target=f"{person.display_name} ({person.username})", unit_id=before.place.unit_id)


def create_district_admin(session, username: str, full_name: str, password: str, *, actor: Actor) -> Staff:
    """A district administrator with a password they chose (slow hash); staged for the caller to commit.

    Only the district level creates one (the command runs as ``SYSTEM``).
    """
    require_actor(actor)
    if not actor.is_admin:
        raise PermissionDenied("scope", f"Chỉ {root().admin} mới được tạo tài khoản {root().admin}.")
    suffix = settings().account_suffix
    username = normalize_text(username).lower()
    if not username:
        raise ValidationError("required", "Tên tài khoản không được để trống.", "username")
    if session.scalar(select(Staff.id).where(Staff.username == username)):
        raise ValidationError("username_taken", f"Tên tài khoản “{username}” đã có người dùng.", "username")
    person = Staff(username=username, full_name=normalize_text(full_name), active=True)
    person.name_key = fold(person.full_name)
    person.last_name, person.first_name = split_name(person.full_name)
    person.email = synthetic_email(username, suffix)
    person.password = generate_password_hash(password)
    rows = role_rows(session)
    person.roles = [rows[n] for n in sorted(roles_for(None, is_district_admin=True)) if n in rows]
    session.add(person)
    audit.record(session, "user_created", actor=actor, target=f"{person.full_name} ({username})")
    session.flush()
    return person
