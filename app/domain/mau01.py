"""Mẫu 01, the staff list units send in: its layout, and a row parser that reports every slip it finds."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.domain.errors import ValidationError
from app.domain.legacy_encoding import (
    ENCODING_LABELS,
    LegacyEncodingError,
    has_unicode_only_letters,
    to_unicode,
)
from app.domain.phones import is_vietnamese_phone, normalize_phone
from app.domain.roles import EVAL_ROLES
from app.domain.text import fold, match_key, normalize_text
from app.domain.usernames import is_well_formed

TITLE = (
    "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, LAO ĐỘNG HỢP ĐỒNG ĐĂNG KÝ PHẦN MỀM ĐÁNH GIÁ, CHẤM ĐIỂM, "
    "PHÂN LOẠI HÀNG THÁNG"
)
UNIT_TYPE_PREFIX = "1 - Loại hình của cơ quan đơn vị:"
HEADCOUNT_PREFIX = "2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị:"
UNIT_ADMIN_MARK = "X"
ROLE_CHOICES: tuple[str, ...] = tuple(r.mau01_text for r in EVAL_ROLES)

ERROR = "error"
WARNING = "warning"

# How many rows from the top may precede the header row.
HEADER_SEARCH_ROWS = 30


def unit_type_line(unit_type: str) -> str:
    """Line 2 of the template: "1 - Loại hình của cơ quan đơn vị: <unit_type>"."""
    return f"{UNIT_TYPE_PREFIX} {unit_type}".rstrip()


def headcount_line(headcount: int | None) -> str:
    """Line 3 of the template: "2- Tổng số …: <n> người"."""
    return f"{HEADCOUNT_PREFIX} {headcount if headcount is not None else '…'} người"


@dataclass(frozen=True)
class Column:
    """A column of Mẫu 01: its key, its title in the template, other titles units write for it."""

    key: str
    title: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("stt", "STT", aliases=("TT", "Số TT", "Số thứ tự")),
    Column("full_name", "Họ và tên", True, ("Họ tên", "Họ và tên đệm", "Họ, tên", "Họ và tên cán bộ")),
    Column("position", "Chức vụ", aliases=("Chức danh", "Chức vụ, chức danh", "Chức vụ/chức danh")),
    Column("account", "Tài khoản", aliases=("Tài khoản đăng nhập", "Tên đăng nhập", "Tên tài khoản", "Username")),
    Column("email", "Email", aliases=("E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử", "Mail")),
    Column(
        "phone",
        "SĐT liên hệ",
        aliases=(
            "Số điện thoại", "Điện thoại", "SĐT", "SĐT liên lạc", "Số điện thoại liên hệ", "Điện thoại liên hệ",
            "ĐT liên hệ", "Số ĐT", "ĐT", "Di động", "Số di động",
        ),
    ),
    Column("unit", "Đơn vị", True, ("Tên đơn vị", "Cơ quan, đơn vị", "Cơ quan đơn vị", "Đơn vị công tác")),
    Column("role", "Vai trò", True, ("Vai trò đánh giá", "Vai trò trên phần mềm", "Vai trò sử dụng")),
    Column("unit_admin", "Là quản trị đơn vị", aliases=("Quản trị đơn vị", "Quản trị", "Là quản trị")),
    Column(
        "reviewer",
        "Lãnh đạo phụ trách nhận xét",
        aliases=("Lãnh đạo nhận xét", "Người nhận xét", "Lãnh đạo phụ trách", "Người phụ trách nhận xét"),
    ),
    Column("evaluator", "Lãnh đạo đánh giá", aliases=("Người đánh giá", "Lãnh đạo chấm điểm", "Lãnh đạo đánh giá, xếp loại")),
)
COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)

_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _header_key(value: object) -> str:
    """A header cell for matching: accents, case, spaces, punctuation and "(…)" notes ignored."""
    return match_key(_PARENS_RE.sub(" ", normalize_text(value)))


_HEADER_EXACT: dict[str, str] = {}
for _c in COLUMNS:
    for _t in (_c.title, *_c.aliases):
        _HEADER_EXACT.setdefault(_header_key(_t), _c.key)
# Longer titles first, so "laquantridonvi" wins over "donvi" when a cell starts with both.
_HEADER_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(((k, v) for k, v in _HEADER_EXACT.items() if len(k) >= 5), key=lambda kv: -len(kv[0]))
)
_FULL_NAME_KEYS = frozenset(k for k, v in _HEADER_EXACT.items() if v == "full_name")


def _match_header(values: Sequence[object]) -> dict[str, int]:
    """Column key -> 0-based index for the cells of a row that are Mẫu 01 titles."""
    found: dict[str, int] = {}
    loose: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if not isinstance(v, str):
            continue
        k = _header_key(v)
        if not k:
            continue
        key = _HEADER_EXACT.get(k)
        if key is not None:
            found.setdefault(key, i)
        else:
            loose.append((i, k))
    for i, k in loose:  # "Đơn vị công tác hiện nay", "Email công vụ", …
        for prefix, key in _HEADER_PREFIXES:
            if k.startswith(prefix):
                if key not in found:
                    found[key] = i
                break
    return found


def match_header(values: Sequence[object]) -> dict[str, int]:
    """Column key -> 0-based index of the cells of a row that are Mẫu 01 column titles, matched exactly as
    the import reads its header (accents, case, spacing and "(…)" notes ignored, known aliases accepted)."""
    return _match_header(values)


# --- issues, rows, the parsed sheet ---------------------------------------------------------------------


@dataclass
class Issue:
    """A problem found in the sheet; row is the Excel row number, column a header title or ""."""

    row: int
    column: str
    message: str
    severity: str = ERROR  # "error" | "warning"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Mau01Row:
    """One person as read from Mẫu 01 (fields are None or empty where the cell was missing or wrong)."""

    row: int
    full_name: str
    position: str | None
    account: str | None
    email: str | None
    phone: str | None
    unit: str
    role: str | None
    unit_admin: bool
    reviewer: str | None
    evaluator: str | None


class Mau01FormatError(ValidationError):
    """The sheet is not a Mẫu 01 (no header row, or required columns missing)."""

    default_code = "mau01_format"

    def __init__(self, message: str, missing: Sequence[str] = ()):
        super().__init__(None, message, "file")
        self.missing = tuple(missing)


@dataclass
class ParsedSheet:
    """Everything read from one Mẫu 01 sheet."""

    header_row: int
    columns: dict[str, int]
    unit_type: str | None = None
    headcount: int | None = None
    rows: list[Mau01Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)

    def issues_by_row(self) -> dict[int, list[Issue]]:
        """Issues grouped by Excel row number, rows in the order they were found."""
        out: dict[int, list[Issue]] = {}
        for issue in self.issues:
            out.setdefault(issue.row, []).append(issue)
        return out


# --- cell readers ---------------------------------------------------------------------------------------

_BLANKISH_RE = re.compile(r"[\s.…·\-–—_]*")
_NUMBERING_RE = re.compile(r"\(?\s*\d{1,2}\s*\)?\s*\.?")
_EMAIL_RE = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}"
)
_ANGLE_EMAIL_RE = re.compile(r"<([^<>]+)>")
_ACCOUNT_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_HAS_LETTER_RE = re.compile(r"[a-z]")
_INT_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?!\d)|\d+")
_UNIT_TYPE_LABEL_RE = re.compile(
    r"^[^a-z]*loai\s*hinh\s*(?:cua\s*)?(?:co\s*quan\s*)?[,/]?\s*(?:don\s*vi\s*)?[:\-–—.]?\s*"
)
_HEADCOUNT_LABEL_RE = re.compile(r"^.*?tong\s*so")
_FOOTER_RE = re.compile(
    r"^(?:nguoi lap|lap bieu|thu truong|ha noi,? ngay|ngay\W*(?:\d+|\.+|…)?\W*thang|\(ky|ky ten|ky,|"
    r"xac nhan|ghi chu|tm\.|tm |kt\.|kt |q\. ?truong|noi nhan)"
)
_PLACEHOLDERS = frozenset({"", "0", "khong", "khongco", "chuaco", "kco", "na", "none", "null"})
_UNIT_ADMIN_YES = frozenset({"x", "✓", "✔", "×", "☑", "✅"})

_ROLE_BY_KEY: dict[str, str] = {}
for _r in EVAL_ROLES:
    for _t in (_r.mau01_text, _r.label, _r.code):
        _ROLE_BY_KEY.setdefault(match_key(_t), _r.code)
_ROLE_LIST = "; ".join(f"“{t}”" for t in ROLE_CHOICES)


def _q(s: object) -> str:
    return f"“{s}”"


def _is_blankish(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return _BLANKISH_RE.fullmatch(v) is not None
    return False


def _is_numbering(v: object) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return 0 < v < 100
    if isinstance(v, float):
        return v.is_integer() and 0 < v < 100
    return isinstance(v, str) and _NUMBERING_RE.fullmatch(v.strip()) is not None


_DIGIT_1_9_RE = re.compile("[1-9]")  # a placeholder's match key has none: phones and numbers skip the memo


def _is_placeholder(text: str) -> bool:
    return not text or (len(text) <= 12 and _DIGIT_1_9_RE.search(text) is None and _is_short_placeholder(text))


@lru_cache(maxsize=8192)
def _is_short_placeholder(text: str) -> bool:
    """Memoised: the same short cells ("Chuyên viên", "X", "0", "không") come back on every row."""
    return match_key(text) in _PLACEHOLDERS


def _after_colon_or_label(text: str, label_re: re.Pattern[str]) -> str:
    """The part of a preamble line after its label: after ":" when there is one, else after the label."""
    if ":" in text:
        return text.split(":", 1)[1].strip()
    folded = fold(text)
    m = label_re.search(folded)
    if m and len(folded) == len(text):
        return text[m.end():].strip()
    return ""


def _next_value(values: Sequence[object], start: int) -> object:
    for v in values[start + 1:]:
        if not _is_blankish(v):
            return v
    return None


def _read_preamble(rows: list[tuple[int, Sequence[object]]]) -> tuple[str | None, int | None, int | None]:
    """(unit_type, headcount, row number of the headcount line) from the lines above the header."""
    unit_type: str | None = None
    headcount: int | None = None
    headcount_row: int | None = None
    for row_no, values in rows:
        for i, v in enumerate(values):
            if not isinstance(v, str):
                continue
            text = normalize_text(v)
            try:
                text = to_unicode(text)[0]
            except LegacyEncodingError:
                pass
            folded = fold(text)
            if unit_type is None and "loai hinh" in folded:
                value = _after_colon_or_label(text, _UNIT_TYPE_LABEL_RE)
                if not value:
                    value = normalize_text(_next_value(values, i))
                    try:
                        value = to_unicode(value)[0]
                    except LegacyEncodingError:
                        value = ""
                value = value.strip(" .;,")
                unit_type = value or None
            elif headcount is None and "tong so" in folded:
                rest = _after_colon_or_label(text, _HEADCOUNT_LABEL_RE)
                m = _INT_RE.search(rest)
                if m is None:
                    nxt = _next_value(values, i)
                    m = _INT_RE.search(normalize_text(nxt)) if nxt is not None else None
                if m is not None:
                    headcount = int(re.sub(r"\D", "", m.group(0)))
                    headcount_row = row_no
    return unit_type, headcount, headcount_row


_Add = Callable[..., None]  # add(column key, message, severity=ERROR): report an issue on the current row
_TEXT_KEYS = ("full_name", "position", "unit", "reviewer", "evaluator")
_PERSON_KEYS = frozenset({"full_name", "reviewer", "evaluator"})
_LATIN1_RE = re.compile("[\u0080-\u00ff]")


@dataclass(frozen=True)
class _Text:
    """A text cell: as typed (normalised), as Unicode, the encoding converted from, or the error."""

    original: str
    text: str
    encoding: str | None
    error: str | None
    error_kind: str | None
    unicode_only: bool  # holds letters no legacy font has: certainly typed in Unicode


class _RowReader:
    """Reads data rows one by one, remembering what it needs to find duplicates."""

    def __init__(self, columns: dict[str, int], account_suffix: str | None):
        self.idx = {c.key: columns.get(c.key) for c in COLUMNS}
        # (key, column, is a person's name) of the free-text columns present: read on every row.
        self._text_cols = tuple((k, columns[k], k in _PERSON_KEYS) for k in _TEXT_KEYS if columns.get(k) is not None)
        # Columns that say something about a person: a row with only STT or the unit name is unused.
        self.person_idx = [i for k, i in columns.items() if k not in ("stt", "unit")]
        self.account_suffix = account_suffix
        self.accounts: dict[str, int] = {}
        self.emails: dict[str, int] = {}
        self.people: dict[tuple[str, str], tuple[int, str | None]] = {}
        self._text_cache: dict[object, _Text] = {}
        self._role_cache: dict[tuple[str, str | None], str | None] = {}
        self._unit_keys: dict[str, str] = {}  # unit name -> fold(unit name): a few units, many rows
        self.unicode_cells = 0  # text cells holding letters only Unicode has (ă, đ, ơ, ư, ạ, …)
        self.legacy_cells: dict[str, int] = {}  # encoding -> text cells converted from it

    def cell(self, values: Sequence[object], key: str) -> object:
        i = self.idx[key]
        if i is None or i >= len(values):
            return None
        return values[i]

    def is_empty(self, values: Sequence[object]) -> bool:
        """No data in the Mẫu 01 columns: only STT, dots, dashes or nothing, or only the unit name
        (templates come with STT and Đơn vị prefilled on rows nobody used)."""
        n = len(values)
        return all(i >= n or _is_blankish(values[i]) for i in self.person_idx)

    def is_footer(self, values: Sequence[object]) -> bool:
        """The signature block under the table: "Người lập biểu", "Thủ trưởng đơn vị", "Hà Nội, ngày …"."""
        for key in ("role", "unit", "account", "email", "phone"):
            if not _is_blankish(self.cell(values, key)):
                return False
        return any(isinstance(v, str) and _FOOTER_RE.match(fold(v)) for v in values)

    def is_repeated_header(self, values: Sequence[object]) -> bool:
        name = self.cell(values, "full_name")
        if not isinstance(name, str) or name.strip()[:2].lower() not in ("họ", "ho"):
            return False
        return _header_key(name) in _FULL_NAME_KEYS and len(_match_header(values)) >= 3

    def text(self, raw: object, prefer: str | None = None, person_name: bool = False) -> _Text:
        """A text cell read as Unicode (converted from TCVN3/VNI when it was typed so), memoised."""
        key = (raw, prefer, person_name)
        try:
            hit = self._text_cache.get(key)
        except TypeError:  # an unhashable cell value: do not memoise
            hit, key = None, None
        if hit is not None:
            return hit
        original = normalize_text(raw)
        try:
            converted, enc = to_unicode(original, prefer, person_name=person_name)
            result = _Text(original, converted, enc, None, None, has_unicode_only_letters(original))
        except LegacyEncodingError as exc:
            result = _Text(original, "", exc.encoding, exc.message, exc.kind, False)
        if key is not None and len(self._text_cache) < 200_000:
            self._text_cache[key] = result
        return result

    def _row_texts(self, values: Sequence[object]) -> dict[str, _Text]:
        """The row's free-text cells, read with what the row and the sheet tell about legacy encodings.

        A few TCVN3/VNI texts also read as Unicode ("Vò Minh Trung" is TCVN3 for "Vũ Minh Trung") or as
        both legacy encodings; the encoding found in the row's other cells, or else the one the sheet has
        used so far (when nothing in it was typed in Unicode), settles them.
        """
        n = len(values)
        cache = self._text_cache
        texts: dict[str, _Text] = {}
        found: set[str] = set()
        unicode_row = False
        for k, i, person in self._text_cols:  # the memo looked up inline: this runs five times a row
            raw = values[i] if i < n else None
            try:
                t = cache.get((raw, None, person))
            except TypeError:
                t = None
            if t is None:
                t = self.text(raw, None, person)
            texts[k] = t
            if t.encoding and t.error is None:
                found.add(t.encoding)
            if t.unicode_only:
                unicode_row = True
        prefer = None
        if len(found) == 1:
            prefer = next(iter(found))
        elif not found and not unicode_row and not self.unicode_cells:
            used = [enc for enc, n in self.legacy_cells.items() if n]
            if len(used) == 1:
                prefer = used[0]
        if prefer is not None:
            for k, t in texts.items():
                if (t.error is None and t.encoding is None and _LATIN1_RE.search(t.original)) or (
                    t.error_kind == LegacyEncodingError.AMBIGUOUS
                ):
                    texts[k] = self.text(self.cell(values, k), prefer, k in _PERSON_KEYS)
        for t in texts.values():
            if t.unicode_only:
                self.unicode_cells += 1
            elif t.encoding and t.error is None:
                self.legacy_cells[t.encoding] = self.legacy_cells.get(t.encoding, 0) + 1
        return texts

    def read(self, row_no: int, values: Sequence[object], issues: list[Issue]) -> Mau01Row:
        """One data row; its problems go to issues."""

        def add(key: str, message: str, severity: str = ERROR) -> None:
            issues.append(Issue(row_no, COLUMN_BY_KEY[key].title, message, severity))

        texts = self._row_texts(values)

        def text_field(key: str) -> tuple[str, bool]:
            """(Unicode text, False when the cell holds legacy text that could not be converted)."""
            t = texts.get(key)
            if t is None:
                return "", True
            if t.error:
                add(key, t.error)
                return "", False
            if t.encoding:
                add(
                    key,
                    f"Đã chuyển {_q(t.original)} từ bảng mã {ENCODING_LABELS[t.encoding]} sang Unicode: "
                    f"{_q(t.text)}.",
                    WARNING,
                )
            return t.text, True

        def optional_text(key: str) -> str | None:
            text, _ = text_field(key)
            return None if _is_placeholder(text) else text

        # Họ và tên
        full_name, readable = text_field("full_name")
        if not readable:
            full_name = ""
        elif _is_placeholder(full_name):
            add("full_name", "Thiếu họ và tên.")
            full_name = ""
        name_key = fold(full_name) if full_name else ""
        if full_name and not _HAS_LETTER_RE.search(name_key):
            add("full_name", f"Họ và tên {_q(full_name)} không hợp lệ.")

        # Chức vụ
        position = optional_text("position")

        idx, n = self.idx, len(values)

        # Tài khoản
        i = idx["account"]
        account = self._account(row_no, add, values[i] if i is not None and i < n else None)

        # Email
        i = idx["email"]
        email = self._email(row_no, add, values[i] if i is not None and i < n else None)

        # SĐT liên hệ
        phone = None
        i = idx["phone"]
        if i is not None:
            raw_phone = values[i] if i < n else None
            phone_text = normalize_text(raw_phone)
            if _is_placeholder(phone_text):
                add("phone", "Chưa có số điện thoại liên hệ.", WARNING)
            else:
                normalized = normalize_phone(raw_phone)
                if is_vietnamese_phone(normalized):
                    phone = normalized
                else:
                    add(
                        "phone",
                        f"Số điện thoại {_q(phone_text)} không hợp lệ: cần một số di động 10 chữ số "
                        "(bắt đầu bằng 03, 05, 07, 08, 09) hoặc số cố định bắt đầu bằng 02.",
                    )

        # Đơn vị
        unit, readable = text_field("unit")
        if readable and _is_placeholder(unit):
            add("unit", "Thiếu đơn vị.")
            unit = ""

        # Vai trò
        row_encoding = next((t.encoding for t in texts.values() if t.encoding and t.error is None), None)
        i = idx["role"]
        role = self._role(add, values[i] if i is not None and i < n else None, row_encoding)

        # Là quản trị đơn vị
        i = idx["unit_admin"]
        unit_admin = self._unit_admin(add, values[i] if i is not None and i < n else None)

        # Lãnh đạo phụ trách nhận xét, Lãnh đạo đánh giá
        reviewer = optional_text("reviewer")
        evaluator = optional_text("evaluator")

        if full_name and unit:
            unit_key = self._unit_keys.get(unit)
            if unit_key is None:
                unit_key = self._unit_keys[unit] = fold(unit)
            person_key = (name_key, unit_key)
            earlier = self.people.get(person_key)
            if earlier is not None:
                earlier_row, earlier_account = earlier
                if not (account and earlier_account and account != earlier_account):
                    add(
                        "full_name",
                        f"Trùng họ tên và đơn vị với dòng {earlier_row}: kiểm tra có phải một người được "
                        "ghi hai lần không.",
                        WARNING,
                    )
            else:
                self.people[person_key] = (row_no, account)

        return Mau01Row(
            row=row_no,
            full_name=full_name,
            position=position,
            account=account,
            email=email,
            phone=phone,
            unit=unit,
            role=role,
            unit_admin=unit_admin,
            reviewer=reviewer,
            evaluator=evaluator,
        )

    def _account(self, row_no: int, add: _Add, raw: object) -> str | None:
        text = normalize_text(raw).lower()
        if _is_placeholder(text):
            return None
        if "@" in text:
            local = text.split("@", 1)[0].strip()
            add(
                "account",
                f"Tài khoản ghi dạng địa chỉ email {_q(text)}; đã lấy phần trước “@”: {_q(local)}.",
                WARNING,
            )
            text = local
            if not text:
                return None
        if not _ACCOUNT_RE.fullmatch(text):
            add(
                "account",
                f"Tài khoản {_q(text)} không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, dấu chấm, "
                "gạch ngang, gạch dưới, không có khoảng trắng.",
            )
        elif self.account_suffix and not is_well_formed(text, self.account_suffix, legacy=True):
            add(
                "account",
                f"Tài khoản {_q(text)} không theo quy tắc đặt tên: họ tên không dấu viết liền, "
                f"thêm “_{self.account_suffix}” (ví dụ: nguyenvana_{self.account_suffix}).",
                WARNING,
            )
        earlier = self.accounts.get(text)
        if earlier is not None:
            add("account", f"Tài khoản {_q(text)} trùng với dòng {earlier}.")
        else:
            self.accounts[text] = row_no
        return text

    def _email(self, row_no: int, add: _Add, raw: object) -> str | None:
        text = normalize_text(raw)
        if _is_placeholder(text):
            return None
        value = text
        m = _ANGLE_EMAIL_RE.search(value)  # "Nguyễn Văn A <a@hanoi.gov.vn>"
        if m:
            value = m.group(1).strip()
        if value[:7].lower() == "mailto:":
            value = value[7:].strip()
        value = value.strip(" .,;:").lower()
        if not _EMAIL_RE.fullmatch(value):
            add("email", f"Email {_q(text)} không đúng dạng địa chỉ thư điện tử (ví dụ: ten@hanoi.gov.vn).")
            return None
        earlier = self.emails.get(value)
        if earlier is not None:
            # Units share mailboxes; the login never depends on this address, so only point it out.
            add("email", f"Email {_q(value)} trùng với dòng {earlier}.", WARNING)
        else:
            self.emails[value] = row_no
        return value

    def _role(self, add: _Add, raw: object, prefer: str | None) -> str | None:
        text = normalize_text(raw)
        if not text:
            add("role", f"Thiếu vai trò; chọn một trong: {_ROLE_LIST}.")
            return None
        cache_key = (text, prefer)
        if cache_key in self._role_cache:
            code = self._role_cache[cache_key]
        else:
            try:
                converted = to_unicode(text, prefer)[0]
            except LegacyEncodingError:
                converted = text
            code = _ROLE_BY_KEY.get(match_key(converted))
            self._role_cache[cache_key] = code
        if code is None:
            add("role", f"Vai trò {_q(text)} không đúng; chọn một trong: {_ROLE_LIST}.")
        return code

    def _unit_admin(self, add: _Add, raw: object) -> bool:
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        text = normalize_text(raw)
        if not text:
            return False
        if text.lower() in _UNIT_ADMIN_YES:
            return True
        add("unit_admin", f"Chỉ ghi “{UNIT_ADMIN_MARK}” (là quản trị đơn vị) hoặc để trống, không ghi {_q(text)}.")
        return False


def parse_sheet(
    rows: Iterable[tuple[int, Sequence[object]]], *, account_suffix: str | None = None
) -> ParsedSheet:
    """Read a Mẫu 01 sheet from (Excel row number, cell values) pairs in order.

    Raises Mau01FormatError when no header row with at least "Họ và tên", "Đơn vị" and "Vai trò" is found in
    the first 30 rows. With account_suffix, accounts that do not follow the naming rule get a warning.
    """
    it = iter(rows)
    preamble: list[tuple[int, Sequence[object]]] = []
    header_row = 0
    columns: dict[str, int] | None = None
    best: tuple[int, int, dict[str, int]] | None = None
    for row_no, values in it:
        found = _match_header(values)
        if all(k in found for k in REQUIRED_KEYS):
            header_row, columns = row_no, found
            break
        if len(found) >= 2 and (best is None or len(found) > best[0]):
            best = (len(found), row_no, found)
        preamble.append((row_no, values))
        if len(preamble) >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        required_titles = [COLUMN_BY_KEY[k].title for k in REQUIRED_KEYS]
        if best is not None:
            missing = [COLUMN_BY_KEY[k].title for k in REQUIRED_KEYS if k not in best[2]]
            raise Mau01FormatError(
                f"Dòng tiêu đề của Mẫu 01 (dòng {best[1]}) thiếu cột: {', '.join(missing)}.", missing
            )
        raise Mau01FormatError(
            "Không tìm thấy dòng tiêu đề của Mẫu 01 (cần các cột: " + ", ".join(required_titles) + ").",
            required_titles,
        )

    unit_type, headcount, headcount_row = _read_preamble(preamble)
    sheet = ParsedSheet(header_row=header_row, columns=dict(sorted(columns.items(), key=lambda kv: kv[1])),
                        unit_type=unit_type, headcount=headcount)
    issues = sheet.issues
    for c in COLUMNS:
        if c.key != "stt" and c.key not in columns:
            issues.append(Issue(header_row, c.title, f"Không có cột {_q(c.title)}.", WARNING))

    reader = _RowReader(columns, account_suffix)
    first = True
    for row_no, values in it:
        if reader.is_empty(values):
            continue
        if first:
            first = False
            non_empty = [v for v in values if not _is_blankish(v)]
            if len(non_empty) >= 2 and all(_is_numbering(v) for v in non_empty):
                continue  # the (1), (2), (3)… line under the titles
        if reader.is_repeated_header(values):
            first = True
            continue
        if reader.is_footer(values):
            issues.append(Issue(row_no, "", f"Dừng đọc từ dòng {row_no}: phần ký tên, ghi chú cuối danh sách.",
                                WARNING))
            break
        sheet.rows.append(reader.read(row_no, values, issues))

    if not sheet.rows:
        issues.append(Issue(header_row, "", "Danh sách không có người nào.", WARNING))
    elif headcount is not None and headcount != len(sheet.rows):
        issues.append(
            Issue(
                headcount_row or header_row,
                "",
                f"Dòng “Tổng số” ghi {headcount} người nhưng danh sách có {len(sheet.rows)} người.",
                WARNING,
            )
        )
    issues.sort(key=lambda i: i.row)  # stable: within a row, in column order
    return sheet
