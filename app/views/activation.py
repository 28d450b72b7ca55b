"""“Theo dõi triển khai”: the activation follow-up of the units in the admin's reach, and its export."""
from __future__ import annotations

import io

from flask import send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain.dates import fmt_datetime
from app.excel.writer import table_bytes
from app.extensions import db
from app.security.scope import current_actor
from app.services import activation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ActivationView(BaseView):
    route_base = "/activation"
    class_permission_name = "Activation"
    method_permission_name = {"index": "list", "export": "export"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        report = activation.activation_report(db.session, current_actor())
        return self.render_template("rollout/activation.html", report=report, fmt_datetime=fmt_datetime)

    @expose("/export")
    @has_access
    def export(self):
        report = activation.activation_report(db.session, current_actor())
        data = table_bytes("Theo dõi triển khai", activation.HEADERS, activation.report_rows(report, fmt_datetime),
                           widths=(30, 40, 20, 12, 12, 12, 12, 10, 14))
        return send_file(io.BytesIO(data), as_attachment=True, download_name="theo_doi_trien_khai.xlsx", mimetype=XLSX)
