"""Vietnamese typed in TCVN3 (ABC) or VNI, as Excel keeps it, back to Unicode; real Unicode left alone."""
from __future__ import annotations

import unicodedata

import pytest

from app.domain.legacy_encoding import (
    TCVN3,
    VNI,
    LegacyEncodingError,
    detect_legacy,
    is_vietnamese_word,
    to_unicode,
)

# --- encoders written for the tests, independently of the module's decoding tables ----------------------

# Unicode letter -> TCVN3 character, one pair per two characters (the module maps the other way).
_TCVN3_PAIRS = (
    "àµá¸ả¶ã·ạ¹ă¨ằ»ắ¾ẳ¼ẵ½ặÆâ©ầÇấÊẩÈẫÉậËđ®èÌéÐẻÎẽÏẹÑêªềÒếÕểÓễÔệÖ"
    "ì×íÝỉØĩÜịÞòßóãỏáõâọäô«ồåốèổæỗçộéơ¬ờêớíởëỡìợîùïúóủñũòụôư\u00adừõứøửöữ÷ựù"
    "ỳúýýỷûỹüỵþĂ¡Â¢Ê£Ô¤Ơ¥Ư¦Đ§"
)
_TCVN3_ENCODE = {}
for _i in range(0, len(_TCVN3_PAIRS), 2):
    _TCVN3_ENCODE[_TCVN3_PAIRS[_i]] = _TCVN3_PAIRS[_i + 1]


def tcvn3_encode(text: str, capitals: bool = False) -> str:
    """Unicode -> TCVN3 as a ".VnTime" typist produces it (capital toned letters have no code: small ones
    are typed; with capitals=True, the all-capitals ".VnTimeH" way)."""
    out = []
    for ch in text:
        if ch in _TCVN3_ENCODE:
            out.append(_TCVN3_ENCODE[ch])
        elif ch.lower() in _TCVN3_ENCODE and not ch.isascii():
            out.append(_TCVN3_ENCODE[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


_VNI_TONE = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï", "": ""}
_VNI_CIRC = {"": "â", "\u0300": "à", "\u0301": "á", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0300": "è", "\u0301": "é", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0300": "ì", "\u0301": "í", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def vni_encode(text: str) -> str:
    """Unicode -> VNI Windows: base letter then one mark byte; đ, ơ, ư, toned i and ỵ are single bytes."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        nfd = unicodedata.normalize("NFD", ch)
        base, marks = nfd[0], nfd[1:]
        if not marks or not base.isascii():
            out.append(ch)
            continue
        tone = next((m for m in marks if m in "\u0300\u0301\u0309\u0303\u0323"), "")
        quality = next((m for m in marks if m in "\u0302\u0306\u031b"), "")
        low = base.lower()
        if quality == "\u0302":
            piece = low + _VNI_CIRC[tone]
        elif quality == "\u0306":
            piece = low + _VNI_BREVE[tone]
        elif quality == "\u031b":
            piece = {"o": "ô", "u": "ö"}[low] + _VNI_TONE[tone]
        elif low == "i":
            piece = _VNI_I[tone]
        elif low == "y" and tone == "\u0323":
            piece = "î"
        else:
            piece = low + _VNI_TONE[tone]
        out.append(piece.upper() if base.isupper() else piece)
    return "".join(out)


# --- texts ---------------------------------------------------------------------------------------------

NAMES = [
    "Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Thị Hà", "Phạm Minh Đức", "Hoàng Văn Thắng",
    "Huỳnh Thị Thu Hương", "Phan Thanh Tùng", "Vũ Đình Trọng", "Võ Thị Sáu", "Đặng Quốc Khánh",
    "Bùi Xuân Phái", "Đỗ Thị Lan Anh", "Hồ Sỹ Hùng", "Ngô Bảo Châu", "Dương Văn Minh", "Lý Thường Kiệt",
    "Trương Mỹ Lan", "Đinh Tiến Dũng", "Lương Thế Vinh", "Tạ Quang Bửu", "Mai Thị Tuyết", "Đoàn Thị Điểm",
    "Chu Văn An", "Triệu Thị Trinh", "Kiều Thanh Thúy", "Khổng Minh Nguyệt", "Quách Tuấn Khanh",
    "Lưu Hữu Phước", "Tô Ngọc Vân", "Nghiêm Xuân Yêm", "Ông Ích Khiêm", "Thân Nhân Trung", "Giáp Văn Cường",
    "Khúc Thừa Dụ", "Hà Huy Tập", "Cao Bá Quát", "Phùng Khắc Khoan", "Trịnh Công Sơn", "Doãn Quốc Sỹ",
    "Nguyễn Thị Oanh", "Vũ Minh Quyên", "Nguyễn Thị Yên", "Trần Ngọc Đông", "Nguyễn Thu Bảo", "Trần Hữu Thư",
    "Ngô Thị Lâm", "Hoàng Minh Diệp", "Đặng Văn Lộc", "Bùi Quang Hòa", "Trần Thị Xuyến", "Lê Quang Thư",
    "Nguyễn Thị Thủy", "Phạm Thị Huệ", "Đào Duy Từ", "Lâm Thị Mỹ Dạ", "Nguyễn Khuyến", "Hồ Xuân Hương",
    "Ưng Hoàng Phúc", "Nguyễn Thị Mười", "Nguyễn Thị Hiếu", "Vương Thị Quỳnh Như", "Tống Văn Thuận",
    "Mạc Đĩnh Chi", "Lã Văn Ước", "Nguyễn Thị Giang", "Đoàn Thị Ngoan", "Phó Đức Phương", "Kim Ngọc Khuê",
    "Nguyễn Văn Khuya", "Trần Thị Ngoãn", "Lê Thị Loan", "Chử Văn Long", "Bế Văn Đàn", "Hà Thị Thuở",
]
POSITIONS_AND_UNITS = [
    "Chủ tịch", "Phó Chủ tịch", "Chuyên viên", "Chuyên viên tổng hợp", "Trưởng phòng", "Phó Trưởng phòng",
    "Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên", "Kế toán", "Văn thư", "Bí thư Đảng ủy",
    "Chánh Văn phòng", "Phòng Tư pháp", "Trường Tiểu học Kim Đồng", "UBND phường Cống Vị",
    "Văn phòng HĐND và UBND", "Phòng Tài chính - Kế hoạch", "Trung tâm Y tế", "Phòng Giáo dục và Đào tạo",
    "Ban Tổ chức Quận ủy", "Trường Mầm non Hoa Sữa", "Phòng Lao động - Thương binh và Xã hội",
    "Phòng Tài nguyên và Môi trường", "Đơn vị hành chính", "Lãnh đạo cấp trưởng, phó cơ quan đơn vị",
    "Trưởng, phó các phòng, ban, ngành", "Công chức, viên chức, lao động hợp đồng",
    "Tổng hợp, tham mưu đánh giá", "Phòng Quản lý đô thị", "Phòng Văn hóa và Thông tin",
]
ALL_TEXTS = NAMES + POSITIONS_AND_UNITS


def test_encoders_are_sane():
    assert tcvn3_encode("Nguyễn Văn An") == "NguyÔn V¨n An"
    assert vni_encode("Nguyễn Văn An") == "Nguyeãn Vaên An"
    assert tcvn3_encode("Trương") == "Tr\u00ad¬ng"
    assert vni_encode("Trương Đức") == "Tröông Ñöùc"


# --- Unicode and ASCII are never taken for legacy ------------------------------------------------------

NOT_LEGACY = [
    "", "Nguyen Van An", "UBND", "abc@hanoi.gov.vn", "0912345678", "STT",
    "Ngô", "Ông", "Lê Thị Hà", "Đỗ", "NGUYỄN", "Lê Hà", "LÊ HÀ", "NGÔ", "ÔNG", "Ý", "Ông Ích Khiêm",
    "Hà Nội", "Tô Hoài", "Chuyên viên", "Giáo viên", "Phòng Tài chính", "Hoà", "Hòa", "Thuý", "Khánh",
    "Oanh", "Quý", "Tú", "Lý", "Ân", "Âu Cơ", "Ánh", "Giám đốc", "Phó Chánh Văn phòng", "Tô Ngô Lê",
    "NGÔ LÊ HÀ", "Cô Tô", "Vũ Minh Quyên", "Đặng Ngọc Anh", "Bùi Ngọc Hạnh", "José", "Chí Phèo",
    "Đơn vị hành chính", "Trường THCS Giảng Võ", "Phó Giám đốc Sở", "Kê Gà", "Xuân", "Khuê", "Uyên",
]


@pytest.mark.parametrize("text", NOT_LEGACY + ALL_TEXTS + [t.upper() for t in ALL_TEXTS])
def test_unicode_and_ascii_are_not_legacy(text):
    assert detect_legacy(text) is None
    assert to_unicode(text) == (text, None)


@pytest.mark.parametrize("text", ["Lê Thị Hà", "Nguyễn Văn An", "ĐỖ THỊ ỨNG"])
def test_decomposed_unicode_is_not_legacy(text):
    converted, enc = to_unicode(unicodedata.normalize("NFD", text))
    assert (converted, enc) == (text, None)


def test_eth_look_alike_is_read_as_d_with_stroke():
    assert to_unicode("Ðào Văn Ðức") == ("Đào Văn Đức", None)
    assert to_unicode("Ðào") == ("Đào", None)


# --- TCVN3 ---------------------------------------------------------------------------------------------


# TCVN3 texts that also read as valid Unicode: left alone unless the row/sheet says TCVN3.
TCVN3_READS_AS_UNICODE = {"Khúc Thừa Dụ": "Khóc Thõa Dô"}


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_tcvn3_round_trip(text):
    legacy = tcvn3_encode(text)
    assert legacy != text
    person_name = text in NAMES
    if text in TCVN3_READS_AS_UNICODE:
        assert legacy == TCVN3_READS_AS_UNICODE[text]
        assert to_unicode(legacy, person_name=person_name) == (legacy, None)
    else:
        assert detect_legacy(legacy, person_name=person_name) == TCVN3
        assert to_unicode(legacy, person_name=person_name) == (text, TCVN3)
    converted, enc = to_unicode(legacy, prefer=TCVN3, person_name=person_name)
    assert (converted, enc) == (text, TCVN3)
    assert unicodedata.is_normalized("NFC", converted)


@pytest.mark.parametrize("text", ["Nguyễn Thị Hà", "Ngô Thị Lâm", "Lê Văn Tô", "Phòng Tư pháp"])
@pytest.mark.parametrize("prefer", [TCVN3, VNI])
def test_prefer_never_touches_text_with_unicode_only_letters(text, prefer):
    assert to_unicode(text, prefer=prefer) == (text, None)


@pytest.mark.parametrize("text", NAMES[:25] + ["Phòng Tư pháp", "Trường Tiểu học Kim Đồng"])
def test_tcvn3_all_capitals_font(text):
    # ".VnTimeH": ASCII letters typed as capitals, marked letters with the small-letter codes.
    legacy = tcvn3_encode(text.upper())
    converted, enc = to_unicode(legacy)
    assert (converted, enc) == (text.upper(), TCVN3)


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("NguyÔn V¨n An", "Nguyễn Văn An"),
        ("Xin chµo c¸c b¹n", "Xin chào các bạn"),
        ("T«i ®i häc", "Tôi đi học"),
        ("B¶o Th¾ng", "Bảo Thắng"),
        ("B¸t X¸t", "Bát Xát"),
        ("Tr\u00ad¬ng §øc Th¾ng", "Trương Đức Thắng"),
        ("§ç ThÞ Lan Anh", "Đỗ Thị Lan Anh"),
        ("Chuyªn viªn", "Chuyên viên"),
        ("Phßng T\u00ad ph¸p", "Phòng Tư pháp"),
        ("Vò Minh Quyªn", "Vũ Minh Quyên"),
        ("¤ng Ých Khiªm", "Ông ích Khiêm"),  # "Ý" is TCVN3 "í" (see the person_name test)
        ("¦ng Hoµng Phóc", "Ưng Hoàng Phúc"),
        ("Lª ¸nh", "Lê ánh"),
        ("Gi¸m ®èc", "Giám đốc"),
        ("NGUYÔN V¡N AN", "NGUYỄN VĂN AN"),
        ("  NguyÔn   V¨n An ", "  Nguyễn   Văn An "),  # spacing is normalize_text()'s business
    ],
)
def test_tcvn3_known_samples(legacy, expected):
    assert to_unicode(legacy) == (expected, TCVN3)
    assert detect_legacy(legacy) == TCVN3


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("Lª ¸nh", "Lê Ánh"),  # TCVN3 has no capital Á: the typist used the small one
        ("¤ng Ých Khiªm", "Ông Ích Khiêm"),
        ("NguyÔn ¸nh Hång", "Nguyễn Ánh Hồng"),
        ("®Æng V¨n ¦íc", "Đặng Văn Ước"),
        ("®Æng v¨n ¦íc", "đặng văn Ước"),  # not every other word is capitalised: left as typed
        ("NguyÔn V¨n An", "Nguyễn Văn An"),
    ],
)
def test_tcvn3_person_name_capitalises_words_typed_small(legacy, expected):
    assert to_unicode(legacy, person_name=True) == (expected, TCVN3)


# --- VNI -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ALL_TEXTS + [t.upper() for t in NAMES])
def test_vni_round_trip(text):
    legacy = vni_encode(text)
    assert legacy != text
    assert detect_legacy(legacy) == VNI
    converted, enc = to_unicode(legacy)
    assert (converted, enc) == (text, VNI)
    assert unicodedata.is_normalized("NFC", converted)
    assert to_unicode(legacy, prefer=VNI) == (text, VNI)


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("Nguyeãn Vaên An", "Nguyễn Văn An"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Toâi ñi hoïc", "Tôi đi học"),
        ("Tröông Ñöùc Thaéng", "Trương Đức Thắng"),
        ("Leâ Thò Haø", "Lê Thị Hà"),
        ("Ngoâ", "Ngô"),
        ("OÂng Ích Khieâm", "Ông Ích Khiêm"),
        ("AÙnh", "Ánh"),
        ("NGUYEÃN VAÊN AN", "NGUYỄN VĂN AN"),
        ("Ñoã Thò Lan Anh", "Đỗ Thị Lan Anh"),
        ("Phoøng Tö phaùp", "Phòng Tư pháp"),
    ],
)
def test_vni_known_samples(legacy, expected):
    assert to_unicode(legacy) == (expected, VNI)
    assert detect_legacy(legacy) == VNI


# --- cannot convert with confidence ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn V¨n An",  # Unicode and TCVN3 in one cell
        "Nguyễn Vaên An",  # Unicode and VNI in one cell
        "Mêng Kh¬ng",  # TCVN3 with its soft hyphens (ư) lost: "Mờng Khơng" is not Vietnamese
        "V¨¨n",
        "§§§ ¸¸¸",
        "NguyÔÔn",
    ],
)
def test_legacy_that_cannot_be_converted_raises(text):
    with pytest.raises(LegacyEncodingError) as info:
        to_unicode(text)
    message = str(info.value)
    assert "bảng mã" in message and "Unicode" in message
    assert info.value.text
    assert detect_legacy(text) in (TCVN3, VNI)


# --- syllables -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "a", "ông", "Ông", "ngô", "NGUYỄN", "nguyễn", "văn", "thị", "hà", "trương", "đức", "quyên", "quý",
        "giáp", "gì", "giường", "nghĩa", "khuya", "thuở", "khuỷu", "xoong", "hoà", "hòa", "thuý", "oanh",
        "uyên", "yến", "ước", "mười", "hoạch", "huỳnh", "khuếch", "tuấn", "ngoằn", "Ưng", "ỵ",
    ],
)
def test_vietnamese_syllables(word):
    assert is_vietnamese_word(word)


@pytest.mark.parametrize(
    "word",
    [
        "NguyÔn",  # capital inside
        "nguyeãn",
        "vaên",
        "hoà̀",
        "tòc",  # a stop ending with a falling tone
        "mờng",
        "fá",
        "ăn̉",
        "ngoõ",
        "jé",
        "aáa",
    ],
)
def test_not_vietnamese_syllables(word):
    assert not is_vietnamese_word(word)
