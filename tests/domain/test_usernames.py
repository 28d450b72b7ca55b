"""Usernames by letter 297-CV/BTCQU: name without diacritics, joined, lower case, "_" and the suffix."""
from __future__ import annotations

import pytest

from app.domain.usernames import UsernameAllocator, UsernameError, base_username, is_well_formed, numbered_username


@pytest.mark.parametrize(
    "full_name, expected",
    [
        ("Nguyễn Văn A", "nguyenvana_badinh"),
        ("Lê Thị Hà", "lethiha_badinh"),
        ("Đỗ Đức Đạt", "doducdat_badinh"),
        ("đặng văn đông", "dangvandong_badinh"),
        ("NGUYỄN VĂN AN", "nguyenvanan_badinh"),
        ("  Nguyễn   Văn\u00a0An ", "nguyenvanan_badinh"),
        ("Nguyễn Văn An.", "nguyenvanan_badinh"),
        ("Nguyễn Văn-An (Chuyên viên)", "nguyenvananchuyenvien_badinh"),
        ("Trương Mỹ Lệ", "truongmyle_badinh"),
        ("Ưng Hoàng Phúc", "unghoangphuc_badinh"),
        ("Ông Ích Khiêm", "ongichkhiem_badinh"),
        ("Huỳnh Thị Thu Hương", "huynhthithuhuong_badinh"),
        ("Nguyễn Thị Thủy 2", "nguyenthithuy2_badinh"),
        ("Ðào Văn Hùng", "daovanhung_badinh"),  # the Icelandic look-alike of Đ
        ("Nguye\u0302\u0303n Va\u0306n A", "nguyenvana_badinh"),  # decomposed input
    ],
)
def test_base_username(full_name, expected):
    assert base_username(full_name, "badinh") == expected


def test_base_username_other_suffix():
    assert base_username("Nguyễn Văn A", "gialam") == "nguyenvana_gialam"


@pytest.mark.parametrize("full_name", ["", "   ", "...", "123", "(-)"])
def test_base_username_needs_letters(full_name):
    with pytest.raises(UsernameError) as info:
        base_username(full_name, "badinh")
    assert "tên đăng nhập" in str(info.value)


@pytest.mark.parametrize(
    "username, ok",
    [
        ("nguyenvana_badinh", True),
        ("nguyenvana_badinh2", False),  # the number goes before the suffix now
        ("nguyenvana_badinh15", False),
        ("a_badinh", True),
        ("nguyenvana2_badinh", True),
        ("nguyenvana15_badinh", True),
        ("nguyenvana_gialam", False),
        ("nguyenvana", False),
        ("_badinh", False),
        ("2nguyen_badinh", False),
        ("nguyễnvăna_badinh", False),
        ("nguyen van a_badinh", False),
        ("nguyen.van.a_badinh", False),
        ("Nguyenvana_badinh", False),  # the caller lowers first
        ("nguyenvana_badinh_badinh", False),
        ("nguyenvana_badinhx", False),
        ("", False),
    ],
)
def test_is_well_formed(username, ok):
    assert is_well_formed(username, "badinh") is ok


@pytest.mark.parametrize("username, ok", [
    ("nguyenvana_badinh2", True), ("nguyenvana_badinh15", True), ("nguyenvana2_badinh", True),
    ("nguyenvana_badinhx", False), ("nguyenvana_gialam2", False),
])
def test_accounts_made_with_the_old_numbering_are_still_accepted_where_they_exist(username, ok):
    assert is_well_formed(username, "badinh", legacy=True) is ok


def test_every_generated_username_ends_with_the_suffix():
    assert numbered_username("Nguyễn Văn An", "badinh", 1) == "nguyenvanan_badinh"
    assert numbered_username("Nguyễn Văn An", "badinh", 2) == "nguyenvanan2_badinh"
    alloc = UsernameAllocator([], "badinh")
    out = [alloc.allocate(n) for n in ["Nguyễn Văn An"] * 12 + ["Lê Thị Hà"] * 3]
    assert all(u.endswith("_badinh") and is_well_formed(u, "badinh") for u in out), out
    assert len(set(out)) == len(out)


def test_allocator_numbers_before_the_suffix():
    alloc = UsernameAllocator([], "badinh")
    assert [alloc.allocate("Nguyễn Văn A") for _ in range(4)] == [
        "nguyenvana_badinh",
        "nguyenvana2_badinh",
        "nguyenvana3_badinh",
        "nguyenvana4_badinh",
    ]
    assert alloc.allocate("Lê Thị Hà") == "lethiha_badinh"


def test_allocator_skips_taken_names():
    alloc = UsernameAllocator(["nguyenvana_badinh", " NguyenVanA2_Badinh ", "nguyenvana4_badinh", "nguyenvana_badinh3"], "badinh")
    assert alloc.allocate("Nguyễn Văn A") == "nguyenvana3_badinh"  # an old-style nguyenvana_badinh3 is another name
    assert alloc.allocate("Nguyen Van A") == "nguyenvana5_badinh"
    assert alloc.is_taken("nguyenvana4_badinh")


def test_allocator_claim():
    alloc = UsernameAllocator(["lethiha_badinh"], "badinh")
    assert alloc.claim("lethiha_badinh") is False
    assert alloc.claim(" LeThiHa2_Badinh ") is True
    assert alloc.claim("lethiha2_badinh") is False
    assert alloc.allocate("Lê Thị Hà") == "lethiha3_badinh"
    # a claim made after a base was handed out is skipped too
    assert alloc.claim("lethiha4_badinh") is True
    assert alloc.allocate("Lê Thị Hà") == "lethiha5_badinh"
    assert alloc.claim("") is False


def test_allocator_is_fast_for_a_whole_district():
    alloc = UsernameAllocator((f"nguyenvana{i}_badinh" for i in range(2, 1000)), "badinh")
    names = ["Nguyễn Văn A"] * 25_000 + [f"Người Số {i}" for i in range(25_000)]
    out = [alloc.allocate(n) for n in names]
    assert len(set(out)) == 50_000
    assert out[0] == "nguyenvana_badinh"
    assert out[1] == "nguyenvana1000_badinh"
    assert all(is_well_formed(u, "badinh") for u in out)
