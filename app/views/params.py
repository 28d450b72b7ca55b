"""One guard for the request arguments FAB parses without checking them.

FAB's list, show and edit screens read ``page_*``/``psize_*`` with a bare ``int()``, sort by any
``_oc_*`` column, index filter lists with ``_flt_<n>_<col>`` and hand filter values and path keys
to the database untyped; its REST API feeds ``?q=`` to a rison parser that can overflow the stack.
Each of these used to answer 500. This guard runs before every request to a FAB model view or API
and answers a Vietnamese 400 (bad argument) or 404 (a key no row can have) instead, so the views
never see them.
"""
from __future__ import annotations

import json
import math
import re
import urllib.parse
from typing import Any, Iterable, Optional

from dateutil import parser as date_parser
from flask import request
from flask_appbuilder.api import BaseApi
from flask_appbuilder.baseviews import BaseCRUDView
from flask_appbuilder.models.filters import FilterRelation
from sqlalchemy import Integer

from app.domain.errors import OutOfReach, ValidationError

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 10_000
MAX_FILTER_TEXT = 500
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL ``integer``: every key and count column here
YEARS = (1900, 2200)

_INT_RE = re.compile(r"^[+-]?\d{1,11}$")
# FAB's own patterns (flask_appbuilder/urltools.py), unanchored as FAB applies them.
_PAGE_RE = re.compile("page_(.*)")
_PSIZE_RE = re.compile("psize_(.*)")
_ORDER_RE = re.compile("_oc_(.*)")
_DIRECTION_RE = re.compile("_od_(.*)")
_FILTER_RE = re.compile(r"_flt_(\d)_(.*)")


class BadArgument(ValidationError):
    """A request argument FAB would choke on."""

    default_code = "bad_argument"


def _int(value: Any, low: int, high: int) -> Optional[int]:
    """``value`` as an int in [low, high], or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT_RE.match(value.strip()):
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def _bad(message: str) -> BadArgument:
    return BadArgument(None, message)


# -- filter values ---------------------------------------------------------------------------------

def check_filter_value(flt, value: Any) -> None:
    """Refuse a filter value the filter's column cannot hold (FAB would pass it to the database)."""
    if isinstance(value, (list, tuple)) and getattr(flt, "arg_name", None) not in ("in", "not_in"):
        # A list on the screens is one value per repeated argument (FAB applies each); in the API only
        # "in"/"not_in" take one.
        if request.path.startswith("/api/"):
            raise _bad("Phép lọc này nhận một giá trị, không nhận danh sách.")
    values = value if isinstance(value, (list, tuple)) else [value]
    if len(values) > 1000:
        raise _bad("Có quá nhiều giá trị lọc.")
    dm, col = flt.datamodel, flt.column_name
    for v in values:
        if isinstance(v, (dict, list, tuple)):
            raise _bad("Giá trị lọc không hợp lệ.")
        if isinstance(flt, FilterRelation) or dm.is_integer(col):
            if _int(v, INT_MIN, INT_MAX) is None:
                raise _bad("Giá trị lọc phải là một số nguyên hợp lệ.")
        elif dm.is_float(col) or dm.is_numeric(col):
            try:
                number = float(v)
            except (TypeError, ValueError):
                raise _bad("Giá trị lọc phải là một số.") from None
            if not math.isfinite(number) or abs(number) > 1e15:
                raise _bad("Giá trị lọc phải là một số.")
        elif dm.is_boolean(col):
            if v not in ("y", True):
                raise _bad("Giá trị lọc không hợp lệ.")
        elif dm.is_date(col) or dm.is_datetime(col):
            if not isinstance(v, str) or len(v) > 40:
                raise _bad("Ngày lọc không hợp lệ.")
            try:
                moment = date_parser.parse(v)
            except (ValueError, OverflowError, TypeError):
                raise _bad("Ngày lọc không hợp lệ; hãy nhập dạng dd/mm/yyyy.") from None
            if not YEARS[0] <= moment.year <= YEARS[1]:
                raise _bad("Ngày lọc không hợp lệ; hãy nhập dạng dd/mm/yyyy.")
        else:
            if not isinstance(v, (str, int, float)) or len(str(v)) > MAX_FILTER_TEXT:
                raise _bad("Giá trị lọc quá dài hoặc không hợp lệ.")


# -- screens (ModelView) ---------------------------------------------------------------------------

def _views_by_name(views: Iterable) -> dict[str, Any]:
    return {type(v).__name__: v for v in views}


def check_view_args(view, views: dict[str, Any], method: str) -> None:
    """Paging, sorting and filter arguments of one FAB screen request."""
    args = request.args
    for name in args:
        raw_values = args.getlist(name)
        if _PAGE_RE.search(name):
            if any(_int(v, 0, MAX_PAGE) is None for v in raw_values):
                raise _bad("Số trang không hợp lệ.")
        if _PSIZE_RE.search(name):
            if any(_int(v, 1, MAX_PAGE_SIZE) is None for v in raw_values):
                raise _bad(f"Số dòng mỗi trang phải từ 1 đến {MAX_PAGE_SIZE}.")
        match = _ORDER_RE.search(name)
        if match:
            target = views.get(match.group(1))
            allowed = set(getattr(target, "order_columns", None) or []) if target is not None else None
            if allowed is not None and any(v not in allowed for v in raw_values):
                raise _bad("Không thể sắp xếp theo cột này.")
        if _DIRECTION_RE.search(name) and any(v not in ("asc", "desc") for v in raw_values):
            raise _bad("Chiều sắp xếp không hợp lệ.")
        match = _FILTER_RE.search(name)
        if match:
            _check_screen_filter(view, method, int(match.group(1)), match.group(2), raw_values)


def _check_screen_filter(view, method: str, index: int, column: str, values: list[str]) -> None:
    filters = getattr(view, "_filters", None)
    if filters is None:
        return
    # List screens only apply searchable columns (others are ignored); add/edit apply any column.
    searchable = filters.get_search_filters()
    applied = filters._all_filters if method in ("add", "edit") else searchable
    if column not in applied:
        return  # FAB ignores it
    candidates = applied[column]
    if index >= len(candidates):
        raise _bad("Bộ lọc không hợp lệ.")
    check_filter_value(candidates[index], values)


def _int_pk(view) -> bool:
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return False
    try:
        pk = datamodel.get_pk()
    except Exception:  # a view without a single-column key: nothing to check
        return False
    return pk is not None and isinstance(getattr(pk, "type", None), Integer)


def check_path_args(view) -> None:
    """A key in the path that no row can have is simply not found."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise OutOfReach(None, "Không tìm thấy bản ghi.")
        if name == "pk" and _int_pk(view) and _int(value, INT_MIN, INT_MAX) is None:
            raise OutOfReach(None, "Không tìm thấy bản ghi.")


# -- REST (ModelRestApi) ---------------------------------------------------------------------------

def parse_rison(value: str) -> Any:
    """``?q=`` as FAB reads it (rison, else JSON), or a BadArgument; never a crash on deep nesting."""
    import prison

    try:
        return prison.loads(value)
    except Exception:  # ParserException, and RecursionError on "((((("
        pass
    try:
        return json.loads(urllib.parse.parse_qs(f"q={value}").get("q", [""])[0])
    except Exception:
        raise _bad("Tham số q không hợp lệ (cần dạng rison hoặc JSON).") from None


def check_api_args(api) -> None:
    value = request.args.get("q")
    if not value:
        return
    if len(value) > 20_000:
        raise _bad("Tham số q quá dài.")
    args = parse_rison(value)
    if not isinstance(args, dict):
        raise _bad("Tham số q phải là một đối tượng, ví dụ (page:0,page_size:50).")
    if "page" in args and _int(args["page"], 0, MAX_PAGE) is None:
        raise _bad("Số trang không hợp lệ.")
    if "page_size" in args and _int(args["page_size"], -1, MAX_PAGE_SIZE) is None:
        raise _bad(f"Số dòng mỗi trang phải từ 1 đến {MAX_PAGE_SIZE}.")
    filters = args.get("filters")
    if filters is None:
        return
    if not isinstance(filters, list):
        raise _bad("Bộ lọc không hợp lệ.")
    search = api._filters.get_search_filters() if getattr(api, "_filters", None) is not None else {}
    for item in filters:
        if not isinstance(item, dict) or not {"col", "opr", "value"} <= set(item):
            raise _bad("Mỗi bộ lọc cần col, opr và value.")
        candidates = search.get(item["col"]) if isinstance(item["col"], str) else None
        if not candidates:
            raise _bad("Không thể lọc theo cột này.")
        match = next((f for f in candidates if f.arg_name == item["opr"]), None)
        if match is None:
            raise _bad("Phép lọc không hợp lệ cho cột này.")
        check_filter_value(match, item["value"])


def check_no_nul() -> None:
    """A NUL character in a query or form value: PostgreSQL refuses it in any text, so we do first."""
    for values in (request.args, request.form if request.method in ("POST", "PUT", "PATCH") else {}):
        for key, value in values.items(multi=True) if values else ():
            if "\x00" in key or "\x00" in value:
                raise _bad("Dữ liệu gửi lên chứa ký tự không hợp lệ.")


# -- the guard -------------------------------------------------------------------------------------

def install_param_guard(app, appbuilder) -> None:
    """Check the arguments of every request to a FAB model screen or API before it runs."""
    views = _views_by_name(appbuilder.baseviews)

    @app.before_request
    def _check_fab_arguments():
        check_no_nul()
        endpoint = request.endpoint or ""
        view_name, _, method = endpoint.partition(".")
        view = views.get(view_name)
        if view is None:
            return None
        check_path_args(view)
        if isinstance(view, BaseApi):
            check_api_args(view)
        elif isinstance(view, BaseCRUDView):
            check_view_args(view, views, method)
        return None


__all__ = ["install_param_guard", "check_filter_value", "parse_rison", "BadArgument", "MAX_PAGE", "MAX_PAGE_SIZE"]
