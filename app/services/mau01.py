"""Mẫu 01 import: read a sheet, plan every account it creates or changes, commit all or nothing.

``plan_import`` never writes; ``commit_plan`` writes the whole plan in one transaction with bulk
statements (50,000 rows in seconds, not minutes). New accounts get a random one-time password hashed
with ``INITIAL_PASSWORD_HASH_METHOD`` (see app/domain/accounts.py for why that is safe), returned in
clear only to the caller, for the credential sheet.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from sqlalchemy import Sequence, bindparam, insert, select, update

from app.domain.root import current as root
from app.domain import mau01 as sheet_rules
from app.domain.accounts import generate_initial_passwords, password_change_due
from app.domain.dates import naive_local
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.mau01 import ERROR, WARNING, Issue, Mau01Row, ParsedSheet
from app.domain.roles import ADMIN, LEADER, roles_for
from app.domain.routing import AMBIGUOUS, UNKNOWN, Directory, Person
from app.domain.scope import (LEVEL_BLOCK, LEVEL_DISTRICT, Actor, PersonFacts, Placement, check_person_change,
                              require_actor)
from app.domain.text import fold
from app.domain.usernames import UsernameAllocator, is_well_formed
from app.excel.reader import app_limits, iter_rows
from app.models import AuditEvent, OrgUnit, Staff
from app.services import audit, clock
from app.services.accounts import policy
from app.services.reach import OrgIndex, Reach, roles_by_person
from app.services.staff import split_name, synthetic_email
from app.settings import settings

# A unit with more staff than this should route each person through a commenter (a deputy).
COMMENTER_THRESHOLD = 20
UNASSIGNED_BLOCK = "Đơn vị mới (chưa xếp khối)"
COL = {c.key: c.title for c in sheet_rules.COLUMNS}
# Usernames per SELECT … IN (…) when reading back the ids of the new accounts (SQLite allows 32,766 variables).
ID_LOOKUP_CHUNK = 900


class _Folded(dict):
    """fold() memoised for one import: the same unit and person names are folded many times per row."""

    def __missing__(self, text):
        value = self[text] = fold(text)
        return value


@dataclass
class PlannedAccount:
    """One valid data row and what the import does with it."""

    row: int
    full_name: str
    unit: str
    role: Optional[str]
    unit_admin: bool
    phone: Optional[str]
    email: Optional[str]
    position: Optional[str]
    username: str = ""
    action: str = "create"  # create | update | unchanged
    existing_id: Optional[int] = None
    reviewer: Optional[str] = None  # username
    evaluator: Optional[str] = None
    changes: dict[str, list] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row, "username": self.username, "full_name": self.full_name, "unit": self.unit,
            "role": self.role, "unit_admin": self.unit_admin, "phone": self.phone, "email": self.email,
            "reviewer": self.reviewer, "evaluator": self.evaluator,
        }


@dataclass
class ImportPlan:
    rows: int = 0
    unit_type: Optional[str] = None
    headcount: Optional[int] = None
    header_row: int = 0
    issues: list[Issue] = field(default_factory=list)
    accounts: list[PlannedAccount] = field(default_factory=list)
    units_to_create: list[str] = field(default_factory=list)
    new_unit_block_id: Optional[int] = None
    # internal, for commit
    _unit_ids: dict[str, Optional[int]] = field(default_factory=dict)  # folded unit name -> id (None: to create)
    _dept_ids: dict[str, int] = field(default_factory=dict)  # folded Đơn vị text naming a department -> its id
    _actor: Optional[Actor] = None  # who the plan was made for: only they may commit it
    _ref: dict[int, tuple[Any, Any]] = field(default_factory=dict)  # row -> (reviewer key, evaluator key)

    @property
    def errors(self) -> list[Issue]:
        return sorted((i for i in self.issues if i.severity == ERROR), key=lambda i: i.row)

    @property
    def warnings(self) -> list[Issue]:
        return sorted((i for i in self.issues if i.severity == WARNING), key=lambda i: i.row)

    def count(self, action: str) -> int:
        return sum(1 for a in self.accounts if a.action == action)

    def issues_by_row(self) -> dict[int, list[Issue]]:
        out: dict[int, list[Issue]] = defaultdict(list)
        for i in self.issues:
            out[i.row].append(i)
        return dict(out)


@dataclass
class ImportResult:
    plan: ImportPlan
    committed: bool
    credentials: list[dict[str, str]] = field(default_factory=list)  # full_name, unit, username, password
    units_created: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        p = self.plan
        return {
            "committed": self.committed,
            "rows": p.rows,
            "created": p.count("create") if (self.committed or not p.errors) else 0,
            "updated": p.count("update") if (self.committed or not p.errors) else 0,
            "unchanged": p.count("unchanged"),
            "units_created": self.units_created if self.committed else list(p.units_to_create),
            "errors": [i.as_dict() for i in p.errors],
            "warnings": [i.as_dict() for i in p.warnings],
            "accounts": [a.as_dict() for a in p.accounts],
        }


def read_sheet(source, suffix: str) -> ParsedSheet:
    """Parse an uploaded .xlsx or .xls (checked against the app's limits first); a file that cannot be read or
    is not a Mẫu 01 is one DomainError."""
    return sheet_rules.parse_sheet(iter_rows(source, limits=app_limits()), account_suffix=suffix)


class _Existing:
    """The district's people, loaded once, indexed for matching (by id; names only within one unit id)."""

    def __init__(self, session):
        cols = (Staff.id, Staff.username, Staff.full_name, Staff.name_key, Staff.unit_id, Staff.department_id,
                Staff.phone, Staff.position, Staff.contact_email, Staff.eval_role, Staff.is_unit_admin,
                Staff.reviewer_id, Staff.evaluator_id, Staff.managed_block_id)
        self.rows = {r.id: r for r in session.execute(select(*cols))}
        self.by_username = {r.username.lower(): r for r in self.rows.values()}
        self.by_name_unit: dict[tuple[str, Optional[int]], list] = defaultdict(list)
        for r in sorted(self.rows.values(), key=lambda r: r.id):
            self.by_name_unit[(r.name_key or fold(r.full_name), r.unit_id)].append(r)


@dataclass(frozen=True)
class _UnitChoice:
    """What the Đơn vị text of a row names, within the importer's reach."""

    unit_id: Optional[int] = None  # None with create: a unit this import creates
    department_id: Optional[int] = None
    create: bool = False
    error: Optional[str] = None


# A unit this import creates has no id yet: scope rules see it under this id, in the block it goes to.
PENDING_UNIT_ID = -1


def _listing(labels) -> str:
    return "; ".join(dict.fromkeys(label for label in labels if label))


def _resolve_units(sheet: ParsedSheet, folded: _Folded, index: OrgIndex, reach: Reach, actor: Actor,
                   new_unit_block_id: Optional[int]) -> dict[str, _UnitChoice]:
    """Each distinct Đơn vị text of the sheet (folded) resolved among the units and departments in reach.

    A unit name first; else a department of a unit in reach (§3.7: the person goes to that department);
    a name in reach more than once is refused with where it exists (a department name that the sheet's own
    units settle is taken from them); a name found only outside reach reads "không có trong phạm vi bạn
    quản lý" and nothing about the foreign unit; an unknown name is a new unit for those who may create one.
    """
    texts: dict[str, str] = {}
    for r in sheet.rows:
        key = folded[r.unit]
        if key:
            texts.setdefault(key, r.unit)
    can_create = actor.manage_level in (LEVEL_DISTRICT, LEVEL_BLOCK)
    out: dict[str, _UnitChoice] = {}
    pending_departments: dict[str, list] = {}
    for key, text in texts.items():
        units = [u for u in index.units_by_key.get(key, ()) if reach.has_unit(u.id)]
        merged = [u for u in index.merged_by_key.get(key, ()) if reach.has_unit(u.id)]
        if not units and merged:
            into = index.unit_name(index.merged_into.get(merged[0].id)) or ""
            out[key] = _UnitChoice(error=f"Đơn vị “{text}” đã được gộp vào “{into}”; hãy ghi tên đơn vị “{into}”.")
            continue
        if len(units) > 1 and new_unit_block_id is not None:
            in_block = [u for u in units if u.block_id == new_unit_block_id]
            units = in_block or units
        if len(units) == 1:
            out[key] = _UnitChoice(units[0].id)
            continue
        if units:
            where = _listing(index.block_name(u.block_id) for u in units)
            out[key] = _UnitChoice(error=(
                f"Có {len(units)} đơn vị tên “{text}” trong phạm vi bạn quản lý, có ở: {where}. "
                "Hãy nhập danh sách của từng khối riêng và chọn khối khi tải lên."))
            continue
        departments = [d for d in index.departments_by_key.get(key, ()) if reach.has_unit(d.unit_id)]
        if len(departments) == 1:
            out[key] = _UnitChoice(departments[0].unit_id, departments[0].id)
        elif departments:
            pending_departments[key] = departments
        elif key in index.units_by_key or key in index.departments_by_key:
            hint = (" Nếu đây là đơn vị mới, hãy thêm đơn vị ở mục “Đơn vị” rồi nhập lại." if can_create else "")
            out[key] = _UnitChoice(error=f"Đơn vị “{text}” không có trong phạm vi bạn quản lý.{hint}")
        elif can_create:
            out[key] = _UnitChoice(create=True)
        else:
            out[key] = _UnitChoice(error=f"Đơn vị “{text}” không có trong phạm vi bạn quản lý.")
    # A department name found in several units: the units the sheet itself names settle it.
    named_units = {c.unit_id for c in out.values() if c.unit_id is not None and c.department_id is None}
    for key, departments in pending_departments.items():
        settled = [d for d in departments if d.unit_id in named_units]
        if len(settled) == 1:
            out[key] = _UnitChoice(settled[0].unit_id, settled[0].id)
        else:
            where = _listing(index.department_label(d) for d in departments)
            out[key] = _UnitChoice(error=(
                f"Có {len(departments)} phòng, ban tên “{texts[key]}” trong phạm vi bạn quản lý, có ở: {where}. "
                "Hãy ghi tên đơn vị thay cho tên phòng, ban."))
    return out


def plan_import(session, sheet: ParsedSheet, actor: Actor, new_unit_block_id: Optional[int] = None) -> ImportPlan:
    """Everything the import would do, with every problem found; writes nothing.

    Every existing person it would change and every new person it would create is checked with
    ``domain.scope.check_person_change``, the rule of every other path; people are matched by id (an
    account, or a name within one unit of the actor's reach); units, departments, reviewers and evaluators
    are resolved only within the actor's reach (plus the sheet's own rows). Raises a DomainError when
    ``new_unit_block_id`` is not a block the actor may put units in.
    """
    require_actor(actor)
    suffix = settings().account_suffix
    index = OrgIndex(session)
    reach = Reach.of(actor, index)
    if new_unit_block_id is not None and (new_unit_block_id not in index.block_names or not actor.is_admin and not (
        actor.manage_level == LEVEL_BLOCK and new_unit_block_id == actor.scope_block_id
    )):
        raise PermissionDenied("scope", "Khối đã chọn cho đơn vị mới không thuộc phạm vi bạn quản lý.", "block_id")
    folded = _Folded()
    plan = ImportPlan(rows=len(sheet.rows), unit_type=sheet.unit_type, headcount=sheet.headcount,
                      header_row=sheet.header_row, issues=list(sheet.issues), new_unit_block_id=new_unit_block_id)
    plan._actor = actor
    bad_rows = {i.row for i in sheet.issues if i.severity == ERROR}

    def err(row: int, key: str, message: str) -> None:
        plan.issues.append(Issue(row, COL.get(key, ""), message, ERROR))
        bad_rows.add(row)

    def warn(row: int, key: str, message: str) -> None:
        plan.issues.append(Issue(row, COL.get(key, ""), message, WARNING))

    # Units: each distinct text once, among the units (and departments) within reach.
    choices = _resolve_units(sheet, folded, index, reach, actor, new_unit_block_id)
    new_unit_names: dict[str, str] = {}
    for r in sheet.rows:
        key = folded[r.unit]
        choice = choices.get(key)
        if choice is None:
            continue
        if choice.error:
            err(r.row, "unit", choice.error)
        elif choice.create:
            new_unit_names.setdefault(key, r.unit)
            plan._unit_ids[key] = None
        else:
            plan._unit_ids[key] = choice.unit_id
            if choice.department_id is not None:
                plan._dept_ids[key] = choice.department_id
    plan.units_to_create = list(new_unit_names.values())
    target_block = new_unit_block_id or (actor.scope_block_id if actor.manage_level == LEVEL_BLOCK else None)
    pending_place = Placement(PENDING_UNIT_ID, target_block)

    places: dict[str, Placement] = {}

    def place_of_row(key: str) -> Placement:
        """Where the row's unit sits (memoised: a sheet names a few units on many rows)."""
        place = places.get(key)
        if place is None:
            unit_id = plan._unit_ids.get(key)
            if unit_id is None:
                place = pending_place if key in plan._unit_ids else Placement(None, None)
            else:
                place = index.place(unit_id)
            places[key] = place
        return place

    existing = _Existing(session)
    allocator = UsernameAllocator(existing.by_username.keys(), suffix)
    matched: set[int] = set()
    valid_rows: list[tuple[Mau01Row, PlannedAccount]] = []
    row_place: dict[int, Any] = {}  # row -> what identifies its unit for routing (an id, or the text)

    # Pass 1: match rows to existing people, by id: the account given, else the name within the row's unit.
    for r in sheet.rows:
        acc = PlannedAccount(r.row, r.full_name, r.unit, r.role, r.unit_admin, r.phone, r.email, r.position)
        key = folded[r.unit]
        unit_id = plan._unit_ids.get(key)
        row_place[r.row] = unit_id if unit_id is not None else ("unit", key)
        hit = None
        given = (r.account or "").lower() or None
        if given and given in existing.by_username:
            hit = existing.by_username[given]
            if hit.id in matched:
                err(r.row, "account", f"Tài khoản “{given}” đã dùng cho một dòng khác của bảng.")
                continue
            if not reach.has_person(hit.unit_id):
                # Never changed, never linked, never shown: the row refers to somebody outside reach.
                err(r.row, "account", f"Tài khoản “{given}” thuộc người ngoài phạm vi bạn quản lý.")
                continue
        elif not given and unit_id is not None:
            # No account given: the same name in the same unit (phone decides between namesakes).
            candidates = [c for c in existing.by_name_unit.get((folded[r.full_name], unit_id), []) if c.id not in matched]
            if r.phone:
                same_phone = [c for c in candidates if c.phone == r.phone]
                candidates = same_phone or candidates
            hit = candidates[0] if candidates else None
        if hit is not None:
            matched.add(hit.id)
            acc.existing_id, acc.username = hit.id, hit.username
        elif given:
            if is_well_formed(given, suffix):
                if not allocator.claim(given):
                    err(r.row, "account", f"Tài khoản “{given}” đã được dùng.")
                    continue
                acc.username = given
        if r.full_name:  # rows with errors too: their leaders are checked, so every problem shows at once
            valid_rows.append((r, acc))

    # Pass 2: generated usernames for new people, in sheet order.
    for r, acc in valid_rows:
        if not acc.username:
            acc.username = allocator.allocate(r.full_name)
            given = (r.account or "").lower()
            if given and is_well_formed(given, suffix, legacy=True):
                warn(r.row, "account", f"Tài khoản “{given}” chưa có trong hệ thống; tài khoản mới ghi số trước "
                                       f"hậu tố: sẽ tạo “{acc.username}”.")

    # Routing: the people within reach plus every row of the sheet (people further down included). Nobody
    # outside reach can be named, linked or listed as a candidate.
    directory = Directory(
        Person(("db", e.id), e.username, e.full_name or "", index.unit_name(e.unit_id), e.unit_id)
        for e in existing.rows.values() if reach.has_person(e.unit_id)
    )
    for r, acc in valid_rows:
        if acc.existing_id is not None:
            directory.remove(("db", acc.existing_id))
        directory.add(Person(("row", r.row), acc.username, r.full_name, r.unit, row_place[r.row]))
    size: Counter = Counter()
    for e in existing.rows.values():
        if e.id not in matched:
            size[e.unit_id] += 1
    for r, _ in valid_rows:
        size[row_place[r.row]] += 1

    usernames = {("db", e.id): e.username for e in existing.rows.values()}
    usernames.update({("row", r.row): acc.username for r, acc in valid_rows})
    beyond = "" if reach.everything else " trong phạm vi bạn quản lý"
    # The directory is complete from here on: a text resolves the same way on every row of the same unit
    # (a unit's staff all name the same few leaders), so each (text, unit) is resolved once.
    resolved: dict[tuple[Any, Any], Any] = {}
    for r, acc in valid_rows:
        refs = []
        place = row_place[r.row]
        for key, text in (("reviewer", r.reviewer), ("evaluator", r.evaluator)):
            res = resolved.get((text, place))
            if res is None:
                res = resolved[(text, place)] = directory.resolve(text, r.unit, place)
            if res.status == AMBIGUOUS:
                err(r.row, key, res.message)
                refs.append(None)
            elif res.status == UNKNOWN:
                if key == "evaluator" and r.role == LEADER and not reach.everything:
                    # A unit head's evaluator sits outside the unit: the district admin links them.
                    warn(r.row, key, f"Không tìm thấy “{res.text}”{beyond}: người đánh giá lãnh đạo đơn vị ở "
                                     f"ngoài phạm vi này do {root().admin} gán; dòng này chưa gán người đánh giá.")
                else:
                    err(r.row, key, f"Không tìm thấy người có tên hoặc tài khoản “{res.text}”{beyond}.")
                refs.append(None)
            elif res.ok:
                if res.person.key == ("row", r.row):
                    err(r.row, key, "Không ai tự nhận xét, đánh giá chính mình.")
                    refs.append(None)
                else:
                    refs.append(res.person.key)
            else:
                refs.append(None)
        plan._ref[r.row] = (refs[0], refs[1])
        acc.reviewer = usernames.get(refs[0]) if refs[0] else None
        acc.evaluator = usernames.get(refs[1]) if refs[1] else None
        if not r.evaluator:
            warn(r.row, "evaluator", f"Chưa có lãnh đạo đánh giá (chỉ để trống với người đứng đầu do {root().level} đánh giá).")
        n = size[place]
        if not r.reviewer and r.role != LEADER and n > COMMENTER_THRESHOLD:
            warn(r.row, "reviewer", f"Đơn vị có {n} người: nên có lãnh đạo phụ trách nhận xét.")

    # What changes for people already in the system, and whether the actor may make each change (and create
    # each new person): the one reach rule, on facts read by id.
    stored_roles = roles_by_person(session, matched)
    new_person_ok: dict[tuple[Placement, bool, Optional[str]], list[str]] = {}
    ids_by_key = {("db", e.id): e.id for e in existing.rows.values()}
    ids_by_key.update({("row", r.row): acc.existing_id for r, acc in valid_rows if acc.existing_id is not None})
    accounts: list[PlannedAccount] = []
    for r, acc in valid_rows:
        accounts.append(acc)
        unit_key = folded[r.unit]
        after_place = place_of_row(unit_key)
        if acc.existing_id is None:
            if r.row in bad_rows:
                continue
            ck = (after_place, bool(r.unit_admin), r.role)
            problems = new_person_ok.get(ck)
            if problems is None:
                problems = new_person_ok[ck] = check_person_change(
                    actor, None, PersonFacts(None, after_place, roles_for(r.role, r.unit_admin)))
            if problems:
                err(r.row, "unit", " ".join(problems))
            continue
        e = existing.rows[acc.existing_id]
        rev, ev = plan._ref.get(r.row, (None, None))
        new_unit_id = plan._unit_ids.get(unit_key) or e.unit_id
        if unit_key in plan._dept_ids:
            new_dept_id = plan._dept_ids[unit_key]
        elif unit_key in plan._unit_ids and plan._unit_ids[unit_key] != e.unit_id:
            new_dept_id = None  # a move to another unit leaves the old unit's department
        else:
            new_dept_id = e.department_id
        wanted = {
            "position": r.position or e.position,
            "phone": r.phone or e.phone,
            "contact_email": r.email or e.contact_email,
            "eval_role": r.role or e.eval_role,
            "is_unit_admin": bool(r.unit_admin),
            "unit_id": new_unit_id,
            "department_id": new_dept_id,
        }
        if rev is not None and rev in ids_by_key:
            wanted["reviewer_id"] = ids_by_key[rev]
        if ev is not None and ev in ids_by_key:
            wanted["evaluator_id"] = ids_by_key[ev]
        changes = {k: [getattr(e, k), v] for k, v in wanted.items() if getattr(e, k) != v}
        # A leader who is new in this sheet has no id yet: keep the row reference, resolved on commit.
        if rev is not None and rev not in ids_by_key:
            changes["reviewer_id"] = [e.reviewer_id, rev]
        if ev is not None and ev not in ids_by_key:
            changes["evaluator_id"] = [e.evaluator_id, ev]
        # Likewise a unit this import creates: the person moves there on commit.
        if unit_key in plan._unit_ids and plan._unit_ids[unit_key] is None:
            changes["unit_id"] = [e.unit_id, ("unit", unit_key)]
        acc.changes = changes
        acc.action = "update" if changes else "unchanged"
        if changes:
            roles = stored_roles.get(e.id, frozenset())
            before = PersonFacts(e.id, index.place(e.unit_id), roles, e.managed_block_id)
            if {"eval_role", "is_unit_admin"} & set(changes):  # commit re-derives the roles (_resync_roles)
                roles = roles_for(wanted["eval_role"], wanted["is_unit_admin"],
                                  is_block_admin=e.managed_block_id is not None, is_district_admin=ADMIN in roles)
            after = PersonFacts(e.id, after_place if "unit_id" in changes else before.place, roles, e.managed_block_id)
            problems = check_person_change(actor, before, after)
            if problems:
                err(r.row, "account" if r.account else "full_name", f"{e.full_name} ({e.username}): " + " ".join(problems))
    plan.accounts = [a for a in accounts if a.row not in bad_rows]
    return plan


def _fast_hash(password: str) -> str:
    """Werkzeug's ``pbkdf2:sha256:1`` format, built directly (werkzeug's salt generator is the slow part)."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1).hex()
    return f"pbkdf2:sha256:1${salt}${digest}"


# Columns of the bulk inserts, in the order of the value tuples built by commit_plan. Every other column of
# these tables is left to its server default or NULL (none of them has a Python-side default).
STAFF_INSERT_COLUMNS = (
    "username", "first_name", "last_name", "full_name", "name_key", "email", "contact_email", "phone", "position",
    "unit_id", "department_id", "eval_role", "is_unit_admin", "active", "password", "must_change_password", "password_issued_at",
    "password_change_due", "created_on", "changed_on", "session_version", "login_count", "fail_login_count",
    "created_by_fk", "changed_by_fk",
)
USER_ROLE_INSERT_COLUMNS = ("user_id", "role_id")
AUDIT_INSERT_COLUMNS = (
    "at", "actor_id", "actor_name", "action", "target_type", "target_id", "target_label", "unit_id", "block_id",
    "ip", "detail",
)
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _bulk_insert(session, table, columns, rows: list[tuple]) -> None:
    """``INSERT INTO table (columns) VALUES (...)`` for every tuple of ``rows``, one DBAPI executemany.

    The same rows as ``session.execute(insert(table), [dict(zip(columns, r)) for r in rows])`` without
    SQLAlchemy's per-parameter processing: each value goes through its column type's bind processor (SQLite
    stores a DateTime as "%Y-%m-%d %H:%M:%S.%f" and a Boolean as 1/0; psycopg takes the objects), computed
    once per distinct value object (the rows share ``now``, ``due``, True/False). The primary key is left to
    the database, except that on PostgreSQL a key with a Sequence (FAB's ab_user_id_seq,
    ab_user_role_id_seq) takes ``nextval(...)`` as SQLAlchemy would render it. Runs in the session's
    transaction. Other dialects or parameter styles fall back to the Core insert.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    placeholder = _PLACEHOLDERS.get(dialect.paramstyle)
    if placeholder is None or (dialect.supports_sequences and dialect.name != "postgresql"):
        session.execute(insert(table), [dict(zip(columns, r)) for r in rows])
        return
    prep = dialect.identifier_preparer
    names = [prep.format_column(table.c[c]) for c in columns]
    values = [placeholder] * len(columns)
    for col in table.primary_key.columns:
        if col.name not in columns and isinstance(col.default, Sequence) and dialect.supports_sequences:
            names.insert(0, prep.format_column(col))
            values.insert(0, f"nextval('{prep.format_sequence(col.default)}')")
    sql = f"INSERT INTO {prep.format_table(table)} ({', '.join(names)}) VALUES ({', '.join(values)})"
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    if any(p is not None for p in processors):
        by_column = list(zip(*rows))
        for i, process in enumerate(processors):
            if process is not None:
                # id(value) -> driver value, once per distinct object (the values stay alive in ``rows``)
                driver = {k: process(v) for k, v in dict(zip(map(id, by_column[i]), by_column[i])).items()}
                by_column[i] = list(map(driver.__getitem__, map(id, by_column[i])))
        rows = list(zip(*by_column))
    conn.exec_driver_sql(sql, rows)


def _bulk_update_routes(session, table, rows: list[tuple]) -> None:
    """``UPDATE table SET reviewer_id = ?, evaluator_id = ? WHERE id = ?`` for each (reviewer, evaluator, id)
    of ``rows``, one DBAPI executemany (integer columns: no bind processing); SQLAlchemy's executemany UPDATE
    compiles parameters row by row, a third of the routing step. Other parameter styles use the Core update."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    placeholder = _PLACEHOLDERS.get(dialect.paramstyle)
    if placeholder is None:
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(reviewer_id=bindparam("b_rev"), evaluator_id=bindparam("b_ev")),
            [{"b_rev": rev, "b_ev": ev, "b_id": uid} for rev, ev, uid in rows],
            execution_options={"synchronize_session": False},
        )
        return
    prep = dialect.identifier_preparer
    col = lambda name: prep.format_column(table.c[name])  # noqa: E731
    sql = (f"UPDATE {prep.format_table(table)} SET {col('reviewer_id')} = {placeholder}, "
           f"{col('evaluator_id')} = {placeholder} WHERE {col('id')} = {placeholder}")
    conn.exec_driver_sql(sql, rows)


def _unassigned_block(session) -> OrgUnit:
    block = session.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(UNASSIGNED_BLOCK)))
    if block is None:
        district = session.scalar(select(OrgUnit).where(OrgUnit.kind == "district"))
        block = OrgUnit(name=UNASSIGNED_BLOCK, name_key=fold(UNASSIGNED_BLOCK), kind="block", parent_id=district.id)
        session.add(block)
        session.flush()
        block.block_id = block.id
    return block


def commit_plan(session, plan: ImportPlan, actor: Actor, actor_user=None, source_name: str = "") -> ImportResult:
    """Stage the whole plan (the caller commits it as one transaction). Refuses a plan with errors, or one
    planned for another actor (its checks were made with that actor's reach).

    Returns the new credentials.
    """
    require_actor(actor)
    if plan._actor != actor:
        raise PermissionDenied("scope", "Kế hoạch nhập này được lập cho người khác; hãy tải tệp lên lại.", "file")
    if plan.errors:
        raise ValidationError("sheet_errors", f"Bảng còn {len(plan.errors)} lỗi; chưa ghi gì vào hệ thống.", "file")
    now = clock.now()
    stamp = naive_local(now)  # FAB's own columns (created_on, changed_on) hold naive local time
    suffix = settings().account_suffix
    due = password_change_due(now, policy())
    folded = _Folded()
    # 1. Units that do not exist yet.
    units_created = []
    for name in plan.units_to_create:
        if plan.new_unit_block_id:
            block = session.get(OrgUnit, plan.new_unit_block_id)
        elif actor.manage_level == LEVEL_BLOCK:
            block = session.get(OrgUnit, actor.scope_block_id)
        else:
            block = _unassigned_block(session)
        unit = OrgUnit(name=name, name_key=fold(name), kind="unit", parent_id=block.id, block_id=block.id,
                       unit_type=plan.unit_type, declared_headcount=plan.headcount)
        session.add(unit)
        session.flush()
        unit.unit_id = unit.id
        plan._unit_ids[fold(name)] = unit.id
        units_created.append(name)
    session.flush()

    roles = {r.name: r.id for r in session.scalars(select(Role))}
    # 2. New people: one bulk insert (executemany, no RETURNING: SQLite cannot return the ids of a
    # multi-row insert in parameter order, and SQLAlchemy then inserts row by row), ids read back by
    # username, which is unique.
    new = [a for a in plan.accounts if a.action == "create"]
    credentials = []
    rows = []
    actor_id = getattr(actor_user, "id", None) or actor.id
    unit_ids, dept_ids = plan._unit_ids, plan._dept_ids
    for a, password in zip(new, generate_initial_passwords(len(new))):
        credentials.append({"full_name": a.full_name, "unit": a.unit, "username": a.username, "password": password})
        last, first = split_name(a.full_name)
        rows.append((  # STAFF_INSERT_COLUMNS
            a.username, first[:64], last[:64], a.full_name, folded[a.full_name], synthetic_email(a.username, suffix),
            a.email, a.phone, a.position, unit_ids[folded[a.unit]], dept_ids.get(folded[a.unit]), a.role, a.unit_admin,
            True, _fast_hash(password),
            True, now, due, stamp, stamp, 0, 0, 0, actor_id, actor_id,
        ))
    table = Staff.__table__
    ids: dict[int, int] = {}  # sheet row -> user id
    if rows:
        _bulk_insert(session, table, STAFF_INSERT_COLUMNS, rows)
        names = [a.username for a in new]
        by_username: dict[str, int] = {}
        for i in range(0, len(names), ID_LOOKUP_CHUNK):
            chunk = names[i:i + ID_LOOKUP_CHUNK]
            by_username.update(session.execute(select(table.c.username, table.c.id).where(table.c.username.in_(chunk))).all())
        for a in new:
            ids[a.row] = by_username[a.username]
        role_ids: dict[tuple, list[int]] = {}
        links = []
        for a in new:
            key = (a.role, bool(a.unit_admin))
            if key not in role_ids:
                role_ids[key] = [roles[name] for name in sorted(roles_for(a.role, a.unit_admin))]
            uid = ids[a.row]
            links.extend((uid, rid) for rid in role_ids[key])  # USER_ROLE_INSERT_COLUMNS
        _bulk_insert(session, assoc_user_role, USER_ROLE_INSERT_COLUMNS, links)

    existing_of_row = {a.row: a.existing_id for a in plan.accounts if a.existing_id is not None}

    def resolve(ref):
        if ref is None:
            return None
        kind, value = ref
        if kind == "db":
            return value
        if kind == "unit":
            return plan._unit_ids[value]
        return ids.get(value) or existing_of_row.get(value)

    # 3. Routing of new people (needs their ids).
    routes = []
    for a in new:
        rev, ev = plan._ref.get(a.row, (None, None))
        if rev is not None or ev is not None:
            routes.append((resolve(rev), resolve(ev), ids[a.row]))
    _bulk_update_routes(session, table, routes)
    # 4. People whose details changed.
    updated = [a for a in plan.accounts if a.action == "update"]
    for a in updated:
        values = {}
        for k, (_old, new_value) in a.changes.items():
            values[k] = resolve(new_value) if isinstance(new_value, tuple) else new_value
        values["changed_on"] = stamp
        session.execute(update(table).where(table.c.id == a.existing_id).values(**values), execution_options={"synchronize_session": False})
        if {"eval_role", "is_unit_admin"} & set(a.changes):
            _resync_roles(session, a.existing_id, roles)
    # 4b. People who moved (another unit or department): their open sheets follow them, to the leaders the
    # row names or, for leaders left in the old unit, the new unit's head (services/transfers.py).
    moved = [(a.existing_id, a.changes["unit_id"][0] if "unit_id" in a.changes else None) for a in updated
             if {"unit_id", "department_id"} & set(a.changes)]
    plan_changes = {a.existing_id: set(a.changes) for a in updated}
    if moved:
        from app.services import transfers

        for person_id, old_unit in moved:
            if old_unit is not None:
                transfers.reroute(session, person_id, old_unit, explicit=plan_changes[person_id])
        transfers.follow_people(session, moved, actor_user)
    # 5. Audit: one row per created or updated person, one for the import.
    audit_rows = []
    ip = audit.client_address()
    unit_of = {folded[k]: v for k, v in plan._unit_ids.items()}
    block_of = dict(session.execute(select(OrgUnit.id, OrgUnit.block_id).where(OrgUnit.kind == "unit")).all())
    actor_name = audit.actor_label(actor_user if actor_user is not None else actor)
    for a in new + updated:
        uid = ids.get(a.row, a.existing_id)
        unit_id = unit_of.get(folded[a.unit])
        audit_rows.append((  # AUDIT_INSERT_COLUMNS
            now, actor_id, actor_name, "user_created" if a.action == "create" else "user_updated", "staff",
            uid, f"{a.full_name} ({a.username})", unit_id, block_of.get(unit_id), ip,
            json.dumps({"nguon": "Mẫu 01", "dong": a.row, **({"thay_doi": {k: [str(v[0]), str(v[1])] for k, v in a.changes.items()}} if a.changes else {})}, ensure_ascii=False),
        ))
    summary_unit = next(iter(plan._unit_ids.values()), None) if len(plan._unit_ids) == 1 else None
    audit_rows.append((
        now, actor_id, actor_name, "import_mau01", None, None, source_name or "Mẫu 01", summary_unit,
        block_of.get(summary_unit), ip,
        json.dumps({"so_dong": plan.rows, "tao_moi": len(new), "cap_nhat": len(updated),
                    "khong_doi": plan.count("unchanged"), "don_vi_moi": units_created}, ensure_ascii=False),
    ))
    _bulk_insert(session, AuditEvent.__table__, AUDIT_INSERT_COLUMNS, audit_rows)
    session.flush()
    return ImportResult(plan, True, credentials, units_created)


def _resync_roles(session, user_id: int, roles: dict[str, int]) -> None:
    """Re-derive an existing person's roles after the sheet changed their role or admin flag."""
    person = session.get(Staff, user_id)
    session.refresh(person)
    keep_admin = any(r.name == "Admin" for r in person.roles)
    names = roles_for(person.eval_role, bool(person.is_unit_admin), is_block_admin=person.managed_block_id is not None,
                      is_district_admin=keep_admin)
    by_id = {r.id: r for r in session.scalars(select(Role))}
    person.roles = [by_id[roles[n]] for n in sorted(names) if n in roles]
    session.flush()


def run_import(session, source, actor: Actor, actor_user=None, dry_run: bool = False,
               new_unit_block_id: Optional[int] = None, source_name: str = "") -> ImportResult:
    """Read, plan and (unless a dry run or any error) stage the import. Raises a DomainError for an unreadable file."""
    sheet = read_sheet(source, settings().account_suffix)
    plan = plan_import(session, sheet, actor, new_unit_block_id)
    if dry_run or plan.errors:
        return ImportResult(plan, False)
    return commit_plan(session, plan, actor, actor_user, source_name)
