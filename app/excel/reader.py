"""Rows of an uploaded .xlsx or .xls, read with python-calamine after ``guard`` has checked the file.

    for row_number, values in iter_rows(upload.stream):
        ...

``row_number`` is the Excel row number; rows come 1, 2, 3, ... up to the last row that has a value, rows
without one as ``()``. ``values[0]`` is column A, blanks are None and trailing blanks are trimmed, so read a
column with ``values[i] if i < len(values) else None``.

Values: str, int (a whole number, as Excel stores most numbers: a phone typed as a number comes back as
912345678), float, bool, datetime.date / datetime.datetime / datetime.time / datetime.timedelta for cells
formatted as dates or times, the cached result of a formula. An empty text and an error value (#N/A) read as
None. Like Excel, ``_x000D_``-style escapes are decoded.

Every read goes through ``guard.inspect`` first (size, zip bomb, Excel's limits, the app's row and cell
limits); the used range calamine reports is checked again, exactly, before a row is returned.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import Optional, Union

import python_calamine

from app.excel import guard
from app.excel.guard import Limits, WorkbookError

__all__ = ["Limits", "WorkbookError", "Workbook", "open_workbook", "iter_rows", "sheet_names", "limits_from", "app_limits"]

MSG_NO_SHEETS = "Tệp không có trang tính (sheet) nào."
MSG_NO_SHEET = "Không tìm thấy trang tính “{}” trong tệp."
DEFAULT_LIMITS = Limits()
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)

Row = tuple[int, tuple]


def limits_from(settings) -> Limits:
    """The limits an app's settings set (MAX_CONTENT_LENGTH, MAX_SHEET_ROWS)."""
    return Limits(max_bytes=settings.max_upload_bytes, max_rows=settings.max_sheet_rows)


def app_limits() -> Limits:
    """The running app's limits; the defaults (the same values) outside an app, e.g. in a script."""
    from flask import has_app_context

    if not has_app_context():
        return DEFAULT_LIMITS
    from app.settings import settings

    return limits_from(settings())


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


class Workbook:
    """An upload that passed the guard, open in calamine. Use ``with``; ``rows(sheet)`` reads one sheet."""

    def __init__(self, data: bytes, limits: Limits, package: guard.Package):
        self.data = data
        self.limits = limits
        self.package = package
        self._book = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
        self._meta = self._book.sheets_metadata

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        book, self._book = self._book, None
        if book is not None:
            try:
                book.close()
            except python_calamine.CalamineError:
                pass

    @property
    def kind(self) -> str:
        return self.package.kind

    @property
    def sheet_names(self) -> list[str]:
        return [m.name for m in self._meta]

    def sheet_name(self, sheet: Union[str, int, None] = None) -> str:
        """The name of a sheet: by name (case, spaces and Unicode form forgiven), 0-based index, or the first
        worksheet when None."""
        names = self.sheet_names
        if sheet is None:
            for m in self._meta:
                if m.typ == python_calamine.SheetTypeEnum.WorkSheet:
                    return m.name
            raise WorkbookError("no_sheets", MSG_NO_SHEETS)
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not -len(names) <= sheet < len(names):
                raise WorkbookError("no_sheet", MSG_NO_SHEET.format(sheet))
            return names[sheet]
        if sheet in names:
            return sheet
        wanted = _fold(str(sheet))
        for name in names:
            if _fold(name) == wanted:
                return name
        raise WorkbookError("no_sheet", MSG_NO_SHEET.format(sheet))

    def rows(self, sheet: Union[str, int, None] = None) -> Iterator[Row]:
        """``(excel_row_number, values)`` of one sheet; the sheet is read (and checked) here, not lazily."""
        name = self.sheet_name(sheet)
        book = self._book
        data = _calamine(lambda: book.get_sheet_by_name(name))
        end = data.end
        if end is not None:
            guard.check_grid(end[0] + 1, end[1] + 1, self.limits)
        return _values(data)


def _calamine(call):
    """Run a calamine call; its errors (and its panics, which are BaseExceptions) become one WorkbookError."""
    try:
        return call()
    except python_calamine.PasswordError:
        raise WorkbookError("encrypted", guard.MSG_ENCRYPTED) from None
    except _PASS_THROUGH:
        raise
    except BaseException:  # CalamineError, ValueError, pyo3's PanicException
        raise WorkbookError("invalid", guard.MSG_INVALID) from None


def _values(data) -> Iterator[Row]:
    """calamine's rows, as the parser wants them: None for blanks, whole numbers as int, trailing blanks cut."""
    start = data.start
    if start is None:
        return
    pad = [""] * start[1]  # calamine's rows begin at the used range's first column
    number = 0
    for number, row in enumerate(data.iter_rows(), start=1):
        if pad:
            row = pad + row
        n = len(row)
        while n and row[n - 1] == "":
            n -= 1
        if not n:
            yield number, ()
            continue
        yield number, tuple([
            None if v == "" else (int(v) if v.__class__ is float and v.is_integer() else v) for v in row[:n]
        ])


def open_workbook(source, limits: Optional[Limits] = None) -> Workbook:
    """Check and open ``source`` (a path, bytes or a binary stream such as an upload's)."""
    limits = limits or DEFAULT_LIMITS
    data = guard.read_source(source, limits)
    return Workbook(data, limits, guard.inspect(data, limits))


def iter_rows(source, sheet: Union[str, int, None] = None, limits: Optional[Limits] = None) -> Iterator[Row]:
    """``(excel_row_number, values)`` over one sheet (default the first worksheet).

    A file that is refused raises WorkbookError here, at call time, before the first row.
    """
    with open_workbook(source, limits) as book:
        rows = book.rows(sheet)
    return rows


def sheet_names(source, limits: Optional[Limits] = None) -> list[str]:
    """Names of all sheets, in workbook order."""
    with open_workbook(source, limits) as book:
        return book.sheet_names
