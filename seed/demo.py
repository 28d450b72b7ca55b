"""Demo organisations with Vietnamese names, deterministic (fixed random seed).

- ``ward`` (default): a post-2025 ward, Phường Ba Đình, under the city since 1/7/2025: its Party committee
  office, the People's Council and Committee office, the ward's departments, the public service centre,
  the Fatherland Front and schools; about 250 people.
- ``district`` (``flask --app run demo --legacy-district``): the pre-2025 Quận Ba Đình, four blocks, eleven
  units, about 300 people. The test suite runs on this one.

The root's name is the configured ORG_NAME; the layout only decides what sits under it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.domain.roles import ADMIN, BLOCK_ADMIN, DEPARTMENT_HEAD, LEADER, STAFF, SYNTHESIS, UNIT_ADMIN, roles_for
from app.domain.scope import SYSTEM
from app.domain.text import fold
from app.domain.usernames import UsernameAllocator
from app.models import OrgUnit, Staff
from app.services import org as org_service
from app.services.staff import role_rows, split_name, synthetic_email
from app.settings import settings

DEMO_PASSWORD = "Demo@2026"

# Given names of the sample Mẫu 01 (../shared/samples) are left out, so the sample imports into the demo
# district without matching a demo person by account.
FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + ["Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Xuân", "Tiến", "Mạnh"]
MIDDLE_F = ["Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Thùy", "Hồng", "Lan", "Mai"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Quân", "Sơn", "Thắng", "Toàn", "Trung", "Tuấn", "Việt"]
GIVEN_F = ["Chi", "Dung", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Thảo", "Trang", "Yến"]

DISTRICT_BLOCKS = [
    ("Khối Đảng – Đoàn thể", [
        ("Ban Tổ chức Quận ủy", "Cơ quan Đảng", 16, ["Tổ chức cán bộ", "Đảng viên"], ("Trưởng ban", "Phó Trưởng ban", "Chuyên viên")),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam quận", "Tổ chức chính trị - xã hội", 12, [], ("Chủ tịch", "Phó Chủ tịch", "Chuyên viên")),
    ]),
    ("Khối Chính quyền", [
        ("Phòng Nội vụ", "Đơn vị hành chính", 18, [], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
        ("Phòng Tư pháp", "Đơn vị hành chính", 12, [], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
        ("Phòng Tài chính - Kế hoạch", "Đơn vị hành chính", 20, [], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
        ("Phòng Giáo dục và Đào tạo", "Đơn vị hành chính", 16, [], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ]),
    ("Khối xã, phường", [
        ("UBND phường Cống Vị", "Đơn vị hành chính", 40, ["Văn phòng - Thống kê", "Địa chính - Xây dựng", "Văn hóa - Xã hội"], ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
        ("UBND phường Kim Mã", "Đơn vị hành chính", 38, ["Văn phòng - Thống kê", "Địa chính - Xây dựng", "Văn hóa - Xã hội"], ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
        ("UBND phường Ngọc Hà", "Đơn vị hành chính", 36, ["Văn phòng - Thống kê", "Tư pháp - Hộ tịch"], ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
    ]),
    ("Khối Giáo dục", [
        ("Trường Tiểu học Kim Đồng", "Đơn vị sự nghiệp", 48, ["Tổ Khối 1-2", "Tổ Khối 3", "Tổ Khối 4-5", "Tổ Văn phòng"], ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
        ("Trường THCS Nguyễn Trãi", "Đơn vị sự nghiệp", 44, ["Tổ Khoa học tự nhiên", "Tổ Khoa học xã hội", "Tổ Văn phòng"], ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
    ]),
]

# Who administers which block (unit of the person → block they manage).
DISTRICT_BLOCK_ADMIN_HOMES = {
    "Khối Đảng – Đoàn thể": "Ban Tổ chức Quận ủy",
    "Khối Chính quyền": "Phòng Nội vụ",
    "Khối xã, phường": "Phòng Nội vụ",
    "Khối Giáo dục": "Phòng Giáo dục và Đào tạo",
}

# A ward after the 2025 reform (Nghị quyết 1656/NQ-UBTVQH15): two-level local government, the ward's
# Party committee directly under the city, specialised departments of the ward's People's Committee.
WARD_BLOCKS = [
    ("Khối Đảng – Mặt trận – Đoàn thể", [
        ("Văn phòng Đảng ủy", "Cơ quan Đảng", 18, ["Tổ chức – Kiểm tra", "Tuyên giáo – Dân vận", "Tổng hợp"], ("Chánh Văn phòng", "Phó Chánh Văn phòng", "Chuyên viên")),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam phường", "Tổ chức chính trị - xã hội", 12, [], ("Chủ tịch", "Phó Chủ tịch", "Chuyên viên")),
    ]),
    ("Khối Chính quyền", [
        ("Văn phòng HĐND và UBND", "Đơn vị hành chính", 24, ["Tổng hợp – Hành chính", "Tư pháp – Hộ tịch"], ("Chánh Văn phòng", "Phó Chánh Văn phòng", "Chuyên viên")),
        ("Phòng Kinh tế, Hạ tầng và Đô thị", "Đơn vị hành chính", 22, ["Kinh tế – Tài chính", "Quy hoạch – Xây dựng"], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
        ("Phòng Văn hóa – Xã hội", "Đơn vị hành chính", 16, [], ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
        ("Trung tâm Phục vụ hành chính công", "Đơn vị sự nghiệp", 20, [], ("Giám đốc", "Phó Giám đốc", "Viên chức")),
    ]),
    ("Khối Giáo dục", [
        ("Trường Tiểu học Kim Đồng", "Đơn vị sự nghiệp", 48, ["Tổ Khối 1-2", "Tổ Khối 3", "Tổ Khối 4-5", "Tổ Văn phòng"], ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
        ("Trường THCS Nguyễn Trãi", "Đơn vị sự nghiệp", 44, ["Tổ Khoa học tự nhiên", "Tổ Khoa học xã hội", "Tổ Văn phòng"], ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
        ("Trường Mầm non Hoa Sữa", "Đơn vị sự nghiệp", 30, ["Tổ Nhà trẻ", "Tổ Mẫu giáo"], ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
    ]),
]
WARD_BLOCK_ADMIN_HOMES = {
    "Khối Đảng – Mặt trận – Đoàn thể": "Văn phòng Đảng ủy",
    "Khối Chính quyền": "Văn phòng HĐND và UBND",
    "Khối Giáo dục": "Phòng Văn hóa – Xã hội",
}


@dataclass(frozen=True)
class Layout:
    """What a demo seeds under the root: blocks and units, who administers each block, sign-in examples."""

    code: str
    blocks: list
    block_admin_homes: dict
    sample_unit: str  # the unit whose people the sign-in list names
    admin_name: str
    admin_position: str


LAYOUTS = {
    "ward": Layout("ward", WARD_BLOCKS, WARD_BLOCK_ADMIN_HOMES, "Văn phòng HĐND và UBND",
                   "Quản trị Phường", "Chuyên viên Văn phòng Đảng ủy"),
    "district": Layout("district", DISTRICT_BLOCKS, DISTRICT_BLOCK_ADMIN_HOMES, "UBND phường Cống Vị",
                       "Quản trị Quận", "Chuyên viên Ban Tổ chức Quận ủy"),
}
# Kept for readers of the old names (tests, benches): the pre-2025 district.
BLOCKS = DISTRICT_BLOCKS
BLOCK_ADMIN_HOMES = DISTRICT_BLOCK_ADMIN_HOMES


def _name(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def _phone(rng: random.Random) -> str:
    return rng.choice(["09", "03", "08", "07"]) + "".join(rng.choice("0123456789") for _ in range(8))


def seed_demo(session, layout: str = "ward") -> dict[str, int]:
    """Stage a demo organisation (blocks, units, departments, people) under the root; the caller commits."""
    plan = LAYOUTS[layout]
    rng = random.Random(2026)
    suffix = settings().account_suffix
    district = org_service.ensure_district(session, settings().org_name)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    roles = role_rows(session)
    allocator = UsernameAllocator(set(session.scalars(select(Staff.username))), suffix)
    counts = {"blocks": 0, "units": 0, "departments": 0, "staff": 0}

    def person(full_name, position, unit, eval_role, department=None, unit_admin=False, username=None, managed_block=None, admin=False):
        uname = username or allocator.allocate(full_name)
        if username:
            allocator.claim(username)
        last, first = split_name(full_name)
        p = Staff(
            username=uname, full_name=full_name, name_key=fold(full_name), first_name=first, last_name=last,
            email=synthetic_email(uname, suffix), contact_email=f"{uname}@hanoi.gov.vn", phone=_phone(rng),
            position=position, unit=unit, department=department, eval_role=eval_role, is_unit_admin=unit_admin,
            managed_block=managed_block, active=True, password=password_hash, must_change_password=False,
        )
        names = roles_for(eval_role, unit_admin, is_block_admin=managed_block is not None, is_district_admin=admin)
        p.roles = [roles[n] for n in sorted(names) if n in roles]
        session.add(p)
        counts["staff"] += 1
        return p

    admin_user = session.scalar(select(Staff).where(Staff.username == "admin"))
    if admin_user is None:
        person(plan.admin_name, plan.admin_position, None, None, username="admin", admin=True)

    units_by_name = {}
    for block_name, units in plan.blocks:
        block = org_service.create(session, block_name, "block", district, actor=SYSTEM)
        counts["blocks"] += 1
        for unit_name, unit_type, size, departments, (head_title, deputy_title, staff_title) in units:
            unit = org_service.create(session, unit_name, "unit", block, unit_type=unit_type, actor=SYSTEM)
            unit.declared_headcount = size
            units_by_name[unit_name] = unit
            counts["units"] += 1
            depts = []
            for dept_name in departments:
                depts.append(org_service.create(session, dept_name, "department", unit, actor=SYSTEM))
                counts["departments"] += 1
            head = person(_name(rng), head_title, unit, LEADER)
            deputies = [person(_name(rng), deputy_title, unit, LEADER) for _ in range(2 if size > 20 else 1)]
            for deputy in deputies:
                deputy.evaluator = head
            reviewer = deputies[0] if size > 20 else None
            synthesis = person(_name(rng), f"{staff_title} tổng hợp", unit, SYNTHESIS)
            synthesis.evaluator, synthesis.reviewer = head, reviewer
            dept_heads = {}
            for dept in depts:
                dh = person(_name(rng), f"Tổ trưởng {dept.name}" if dept.name.startswith("Tổ") else f"Trưởng bộ phận {dept.name}", unit, DEPARTMENT_HEAD, department=dept)
                dh.evaluator, dh.reviewer = head, reviewer
                dept_heads[dept.id] = dh
            remaining = size - 1 - len(deputies) - 1 - len(depts)
            for i in range(max(remaining, 0)):
                dept = depts[i % len(depts)] if depts else None
                p = person(_name(rng), staff_title, unit, STAFF, department=dept, unit_admin=(i == 0))
                p.evaluator = head
                p.reviewer = dept_heads[dept.id] if dept is not None else reviewer
            session.flush()
    for block_name, home in plan.block_admin_homes.items():
        block = session.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(block_name)))
        unit = units_by_name[home]
        p = person(_name(rng), "Chuyên viên quản trị khối", unit, STAFF, managed_block=block)
        p.evaluator = session.scalar(select(Staff).where(Staff.unit_id == unit.id, Staff.eval_role == LEADER, Staff.evaluator_id.is_(None)).order_by(Staff.id).limit(1))
    session.flush()
    return counts


# A starting catalogue (quy đổi) for every demo unit: the unit admin edits it on "Danh mục sản phẩm".
DEMO_CATALOGUE = (
    ("BC", "Báo cáo (định kỳ, chuyên đề)", "2"),
    ("VB", "Văn bản hành chính (công văn, thông báo)", "1"),
    ("TT", "Tờ trình, dự thảo quyết định", "1.5"),
    ("KH", "Kế hoạch, đề án", "3"),
    ("HS", "Hồ sơ thủ tục hành chính giải quyết", "0.5"),
    ("HN", "Hội nghị, cuộc họp tổ chức", "1"),
)


def seed_catalogues(session) -> int:
    """Stage the demo catalogue in every unit that has none (the system actor); returns the rows added."""
    from app.models import ProductType

    have = set(session.scalars(select(ProductType.unit_id).distinct()))
    units = session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit").order_by(OrgUnit.id)).all()
    added = 0
    for unit_id in units:
        if unit_id in have:
            continue
        for code, name, coefficient in DEMO_CATALOGUE:
            session.add(ProductType(unit_id=unit_id, code=code, name=name, coefficient=coefficient))
            added += 1
    session.flush()
    return added


def demo_logins(session) -> list[tuple[str, str, str]]:
    """(what kind of user, username, where) for each kind of user in the demo organisation."""
    from app.domain.root import current as root

    def first(*conds):
        return session.scalar(select(Staff).where(*conds).order_by(Staff.id).limit(1))

    names = [fold(p.sample_unit) for p in LAYOUTS.values()]
    cong_vi = session.scalars(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key.in_(names)).order_by(OrgUnit.id)).first()
    rows = [(root().admin_title, first(Staff.username == "admin"))]
    rows.append(("Quản trị khối", first(Staff.managed_block_id.isnot(None))))
    if cong_vi is not None:
        in_unit = Staff.unit_id == cong_vi.id
        rows += [
            ("Quản trị đơn vị", first(in_unit, Staff.is_unit_admin.is_(True))),
            ("Lãnh đạo đơn vị", first(in_unit, Staff.eval_role == LEADER)),
            ("Trưởng, phó phòng ban", first(in_unit, Staff.eval_role == DEPARTMENT_HEAD)),
            ("Tổng hợp, tham mưu", first(in_unit, Staff.eval_role == SYNTHESIS)),
            ("Công chức, viên chức", first(in_unit, Staff.eval_role == STAFF, Staff.is_unit_admin.is_(False))),
        ]
    out = []
    for label, p in rows:
        if p is not None:
            where = p.managed_block.name if p.managed_block is not None else (p.unit.name if p.unit else root().whole)
            out.append((label, p.username, where))
    return out


def print_logins(session, echo: Callable[[str], None]) -> None:
    echo("Tài khoản đăng nhập mẫu (mật khẩu: %s):" % DEMO_PASSWORD)
    for label, username, where in demo_logins(session):
        echo(f"  {label:<24} {username:<32} {where}")


__all__ = ["LAYOUTS", "seed_demo", "print_logins", "demo_logins", "DEMO_PASSWORD", "ADMIN", "BLOCK_ADMIN", "UNIT_ADMIN"]
