"""Evidence files: the type by content (a table of allowed and refused bytes), content-addressed storage."""
from __future__ import annotations

import io
import zipfile

import pytest

from app.files import sniff
from app.files.storage import LocalStorage


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "x")
    return buf.getvalue()


CASES = [
    ("pdf", b"%PDF-1.7\n...", sniff.PDF),
    ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, sniff.PNG),
    ("jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, sniff.JPEG),
    ("docx", _zip("[Content_Types].xml", "word/document.xml"), sniff.DOCX),
    ("xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"), sniff.XLSX),
    ("pptx", _zip("[Content_Types].xml", "ppt/presentation.xml"), sniff.PPTX),
    ("exe renamed pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, None),
    ("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 20, None),
    ("html", b"<!doctype html><script>alert(1)</script>", None),
    ("svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", None),
    ("ole (.doc, .msi)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, None),
    ("jar (a zip without office parts)", _zip("META-INF/MANIFEST.MF", "a.class"), None),
    ("zip with content types only", _zip("[Content_Types].xml"), None),
    ("broken zip", b"PK\x03\x04garbage", None),
    ("empty", b"", None),
]


@pytest.mark.parametrize("case,data,kind", CASES, ids=[c[0] for c in CASES])
def test_sniffed_by_content(case, data, kind):
    assert sniff.sniff(data) == kind


def test_content_addressed_storage_shared_by_two_servers(tmp_path):
    a, b = LocalStorage(tmp_path), LocalStorage(tmp_path)  # two app servers, one mounted folder
    digest = a.put(b"%PDF-1.4 minh chung")
    assert b.get(digest) == b"%PDF-1.4 minh chung" and b.exists(digest)
    assert a.put(b"%PDF-1.4 minh chung") == digest  # stored once
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    assert b.get("../" * 3 + "etc/passwd") is None and not b.exists("x" * 64)
    with pytest.raises(ValueError):
        a.path("../../etc/passwd")
