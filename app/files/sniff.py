"""What a file is, judged by its bytes, never by its name: the allowed evidence types.

Allowed: PDF, PNG, JPEG, and the Office Open XML documents (.docx, .xlsx, .pptx: a zip holding
``[Content_Types].xml`` and the part of its kind). Everything else is refused, among them programs
(``MZ``, ELF), legacy OLE files (.doc/.xls share their container with .msi installers), HTML and
scripts. Pure Python (stdlib only).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Kind:
    mime: str
    extension: str
    label: str


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "ảnh PNG")
JPEG = Kind("image/jpeg", "jpg", "ảnh JPEG")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word (.docx)")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel (.xlsx)")
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PowerPoint (.pptx)")
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, PPTX)
ALLOWED_TEXT = ", ".join(k.label for k in ALLOWED)

_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def _ooxml(data: bytes) -> Optional[Kind]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OOXML_PARTS:
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def sniff(data: bytes) -> Optional[Kind]:
    """The allowed kind these bytes are, or None."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    return None
