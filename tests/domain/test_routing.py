"""Resolving "Lãnh đạo phụ trách nhận xét" / "Lãnh đạo đánh giá" texts to people."""
from __future__ import annotations

import pytest

from app.domain.routing import AMBIGUOUS, EMPTY, OK, UNKNOWN, Directory, Person

QUYEN = Person(1, "vuminhquyen_badinh", "Vũ Minh Quyên", "UBND phường Cống Vị")
DONG = Person(2, "ngovandong_badinh", "Ngô Văn Đông", "Trường Tiểu học Kim Đồng")
BAO_A = Person(3, "ngohuubao_badinh", "Ngô Hữu Bảo", "Trường Tiểu học Kim Đồng")
BAO_B = Person(4, "ngohuubao_badinh2", "Ngô Hữu Bảo", "Phòng Tư pháp")
ANH_A = Person(5, "dangngocanh_badinh", "Đặng Ngọc Anh", "Phòng Tư pháp")
ANH_B = Person(6, "dangngocanh_badinh2", "Đặng Ngọc Anh", "Phòng Tư pháp")
NEW = Person(("row", 40), None, "Trần Văn Mới", "Phòng Tư pháp")  # from the sheet, no account yet
CHAIR = Person(7, "chutichquan_badinh", "Lê Văn Chủ", None)  # district leadership, outside every unit

PEOPLE = [QUYEN, DONG, BAO_A, BAO_B, ANH_A, ANH_B, NEW, CHAIR]


@pytest.fixture()
def directory():
    return Directory(PEOPLE)


@pytest.mark.parametrize(
    "text, unit, status, person",
    [
        # exact username, any case, wherever the person is
        ("vuminhquyen_badinh", "Phòng Tư pháp", OK, QUYEN),
        ("  VuMinhQuyen_Badinh ", None, OK, QUYEN),
        ("ngohuubao_badinh2", "Trường Tiểu học Kim Đồng", OK, BAO_B),
        # full name in the same unit wins over namesakes elsewhere
        ("Ngô Hữu Bảo", "Trường Tiểu học Kim Đồng", OK, BAO_A),
        ("ngô hữu bảo", "trường tiểu học kim đồng", OK, BAO_A),
        ("NGO HUU BAO", "Phong Tu phap", OK, BAO_B),
        ("Ngô  Hữu\u00a0Bảo", "Phòng Tư pháp", OK, BAO_B),
        # full name in the whole district when the unit has nobody of that name
        ("Vũ Minh Quyên", "Trường Tiểu học Kim Đồng", OK, QUYEN),
        ("Vu Minh Quyen", None, OK, QUYEN),
        ("Lê Văn Chủ", "Phòng Tư pháp", OK, CHAIR),
        ("Trần Văn Mới", "Phòng Tư pháp", OK, NEW),
        # two people of that name at the deciding level
        ("Ngô Hữu Bảo", "UBND phường Cống Vị", AMBIGUOUS, None),
        ("Ngô Hữu Bảo", None, AMBIGUOUS, None),
        ("Đặng Ngọc Anh", "Phòng Tư pháp", AMBIGUOUS, None),
        ("Đặng Ngọc Anh", "UBND phường Cống Vị", AMBIGUOUS, None),
        # nobody
        ("Nguyễn Văn Không", "Phòng Tư pháp", UNKNOWN, None),
        ("vuminhquyen_gialam", None, UNKNOWN, None),
        # blank
        (None, "Phòng Tư pháp", EMPTY, None),
        ("   ", None, EMPTY, None),
        # the slips people make: titles, honorifics, notes, an e-mail instead of a username
        ("Đ/c Vũ Minh Quyên", None, OK, QUYEN),
        ("đồng chí Vũ Minh Quyên", None, OK, QUYEN),
        ("Vũ Minh Quyên (Chủ tịch)", None, OK, QUYEN),
        ("Vũ Minh Quyên - Chủ tịch UBND", None, OK, QUYEN),
        ("vuminhquyen_badinh@hanoi.gov.vn", None, OK, QUYEN),
    ],
)
def test_resolve(directory, text, unit, status, person):
    result = directory.resolve(text, unit)
    assert result.status == status
    assert result.person == person
    if status == OK:
        assert result.ok and result.candidates == (person,) and result.message == ""


def test_ambiguous_lists_candidates_and_says_so_in_vietnamese(directory):
    result = directory.resolve("Đặng Ngọc Anh", "Phòng Tư pháp")
    assert set(result.candidates) == {ANH_A, ANH_B}
    assert "Có 2 người cùng tên “Đặng Ngọc Anh”" in result.message
    assert "dangngocanh_badinh2" in result.message
    assert "tài khoản" in result.message


def test_ambiguous_in_district_lists_everyone_of_that_name(directory):
    result = directory.resolve("Ngô Hữu Bảo", "UBND phường Cống Vị")
    assert set(result.candidates) == {BAO_A, BAO_B}


def test_unknown_message(directory):
    result = directory.resolve("Nguyễn Văn Không", None)
    assert result.message == "Không tìm thấy người có tên hoặc tài khoản “Nguyễn Văn Không”."


def test_add_and_replace_and_remove():
    d = Directory()
    assert d.resolve("Vũ Minh Quyên").status == UNKNOWN
    d.add(QUYEN)
    assert d.resolve("Vũ Minh Quyên").person == QUYEN
    moved = Person(1, "vuminhquyen_badinh", "Vũ Minh Quyên", "Phòng Tư pháp")
    d.add(moved)  # same key: replaces
    assert len(d) == 1
    assert d.resolve("Vũ Minh Quyên", "Phòng Tư pháp").person == moved
    d.remove(1)
    assert len(d) == 0
    assert d.resolve("vuminhquyen_badinh").status == UNKNOWN
    d.remove(1)  # nothing left: no error


def test_username_match_beats_a_namesake():
    # someone whose full name equals another person's username: the username wins
    odd = Person(10, None, "ngovandong_badinh", "Phòng Tư pháp")
    d = Directory([DONG, odd])
    assert d.resolve("ngovandong_badinh", "Phòng Tư pháp").person == DONG


def test_fifty_thousand_people():
    people = [Person(i, f"user{i}_badinh", f"Người Số {i}", f"Đơn vị {i % 500}") for i in range(50_000)]
    d = Directory(people)
    assert len(d) == 50_000
    results = [d.resolve(f"Người Số {i}", f"Đơn vị {i % 500}") for i in range(0, 50_000, 7)]
    assert all(r.status == OK for r in results)
    assert d.resolve("USER49999_BADINH").person == people[49_999]
