"""Text clean-up and accent-insensitive matching."""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from app.domain.text import fold, match_key, normalize_text, strip_diacritics


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("  Nguyễn   Văn  An  ", "Nguyễn Văn An"),
        ("Nguyễn\u00a0Văn\u00a0An", "Nguyễn Văn An"),  # NBSP
        ("Nguyễn\tVăn\nAn\r\n", "Nguyễn Văn An"),
        ("Họ và\ntên", "Họ và tên"),
        ("\u200bNguyễn\ufeff Văn", "Nguyễn Văn"),  # zero-width space, BOM
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed (NFD) input comes back NFC
        (912345678, "912345678"),
        (912345678.0, "912345678"),
        (38.0, "38"),
        (1.5, "1.5"),
        (0, "0"),
        (Decimal("38.00"), "38"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.datetime(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 8, 30), "2024-05-01 08:30:00"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        ("Tr\u00adêng", "Tr\u00adêng"),  # a soft hyphen is TCVN3 "ư": it must survive
    ],
)
def test_normalize_text(value, expected):
    assert normalize_text(value) == expected


def test_normalize_text_returns_nfc():
    s = normalize_text(unicodedata.normalize("NFD", "Lê Thị Hà Đỗ Ngọc Ánh"))
    assert s == "Lê Thị Hà Đỗ Ngọc Ánh"
    assert unicodedata.is_normalized("NFC", s)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", ""),
        ("abc", "abc"),
        ("Nguyễn Văn An", "Nguyen Van An"),
        ("Đỗ Đức Đạt", "Do Duc Dat"),
        ("đường", "duong"),
        ("ĐẶNG THỊ ỨNG", "DANG THI UNG"),
        ("Lê Thị Hà", "Le Thi Ha"),
        ("Trương Mỹ Lệ", "Truong My Le"),
        ("Hoàng Quốc Việt", "Hoang Quoc Viet"),
        ("Ủy ban nhân dân", "Uy ban nhan dan"),
        ("Ðào", "Dao"),  # Icelandic eth pasted for Đ
        (unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "Nguyen Thi Anh"),
        ("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
         "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"),
    ],
)
def test_strip_diacritics(value, expected):
    assert strip_diacritics(value) == expected


@pytest.mark.parametrize(
    "a, b",
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("  Nguyễn\u00a0 Văn An ", "nguyễn văn an"),
        ("Đỗ Thị Lan", "do thi lan"),
        ("UBND phường Cống Vị", "ubnd PHUONG cong vi"),
        (unicodedata.normalize("NFD", "Lê Thị Hà"), "le thi ha"),
    ],
)
def test_fold_matches_case_and_accent_insensitively(a, b):
    assert fold(a) == fold(b)


def test_fold_drops_every_mark_so_different_names_may_meet():
    # By design: "An" and "Ân" fold alike; callers treat a fold() match as "same name as typed".
    assert fold("Nguyễn Văn An") == fold("Nguyễn Văn Ân") == "nguyen van an"


def test_fold_of_none_and_numbers():
    assert fold(None) == ""
    assert fold(38.0) == "38"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Họ và tên", "hovaten"),
        ("Họ và\ntên", "hovaten"),
        ("ST T", "stt"),
        ("SĐT\nliên hệ", "sdtlienhe"),
        ("E-mail", "email"),
        ("Công chức,viên chức , lao động hợp đồng", "congchucvienchuclaodonghopdong"),
        (None, ""),
        ("...", ""),
    ],
)
def test_match_key(value, expected):
    assert match_key(value) == expected


# -- Vietnamese order -------------------------------------------------------------------------------
from app.domain.text import collation_compare, collation_key  # noqa: E402


@pytest.mark.parametrize("before, after", [
    ("Tổ", "Tư"),          # o-family before u-family
    ("Dương", "Đặng"),     # Đ after every D
    ("Dzung", "Đa"),
    ("Đỗ Hà", "Em"),       # and before E
    ("An", "Ăn"), ("Ăn", "Ân"), ("Ân", "Bê"),  # a ă â
    ("Em", "Êm"), ("On", "Ôn"), ("Ôn", "Ơn"), ("Un", "Ưn"), ("Ưng", "Vân"),
    ("Lê", "Lề"), ("Lề", "Lể"), ("Lể", "Lễ"), ("Lễ", "Lế"), ("Lế", "Lệ"),  # tones: ngang huyền hỏi ngã sắc nặng
    ("Lệ", "Lê An"),       # a shorter name first
    ("Lê An", "Lê Anh"),
    ("nguyen", "Nguyễn"),  # letters equal: tones, then case
    ("nguyễn", "Nguyễn"),
    ("Nguyễn Văn An", "Nguyễn Văn Ân"),
    ("2a", "An"),          # digits before letters
])
def test_vietnamese_order(before, after):
    assert collation_key(before) < collation_key(after)
    assert collation_compare(before, after) == -1 and collation_compare(after, before) == 1


@pytest.mark.parametrize("a, b", [("Nguyễn  Văn An", "Nguyễn Văn An"), ("Nguye\u0302\u0303n", "Nguyễn")])
def test_vietnamese_order_ignores_spacing_and_normal_form(a, b):
    assert collation_compare(a, b) == 0


def test_fold_alone_would_sort_wrongly():
    """Why the collation exists: folding puts Đ with D and ư with u."""
    assert fold("Đặng") < fold("Dương") and fold("Ưng") < fold("Uyên")  # wrong orders fold gives
    assert collation_key("Dương") < collation_key("Đặng") and collation_key("Uyên") < collation_key("Ưng")
