"""OpenAPI at /api/v1/_openapi describes the evaluation API; Swagger UI at /swagger/v1 loads nothing from
the internet."""
from __future__ import annotations

import re

import pytest

CONTRACT = {
    "/api/v1/period/": {"get", "post"},
    "/api/v1/period/{pk}/close": {"post"},
    "/api/v1/sheet/mine": {"get"},
    "/api/v1/sheet/inbox": {"get"},
    "/api/v1/sheet/history": {"get"},
    "/api/v1/sheet/": {"get"},
    "/api/v1/sheet/{pk}": {"get"},
    "/api/v1/sheet/{pk}/self": {"put"},
    "/api/v1/sheet/{pk}/submit": {"post"},
    "/api/v1/sheet/{pk}/recall": {"post"},
    "/api/v1/sheet/{pk}/comment": {"post", "put"},
    "/api/v1/sheet/{pk}/final": {"put"},
    "/api/v1/sheet/{pk}/reopen": {"post"},
    "/api/v1/sheet/{pk}/reassign": {"post"},
    "/api/v1/sheet/{pk}/return": {"post"},
    "/api/v1/sheet/{pk}/finalise": {"post"},
}


@pytest.fixture
def spec(app, demo):
    client = app.test_client()
    demo.login(client, "staff")
    resp = client.get("/api/v1/_openapi")
    assert resp.status_code == 200
    return resp.get_json()


def test_every_call_of_the_contract_is_described(spec):
    for path, methods in CONTRACT.items():
        assert path in spec["paths"], path
        assert set(spec["paths"][path]) == methods, path
        for method in methods:
            op = spec["paths"][path][method]
            assert op["summary"] and op["responses"]["200" if not (path == "/api/v1/period/" and method == "post") else "201"]
            assert op["security"] == [{"jwt": []}, {"api_key": []}]
            if method in ("put", "post") and "sheet" in path:
                assert op["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}
                assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Sheet"}
    assert spec["components"]["securitySchemes"]["jwt"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_the_sheet_and_error_shapes(spec):
    schemas = spec["components"]["schemas"]
    sheet = schemas["Sheet"]["properties"]
    for key in ("id", "period", "state", "version", "person", "rule_set", "criteria", "scores", "worked_days",
                "working_days", "self_total", "final_total", "grade", "events"):
        assert key in sheet, key
    assert sheet["self_total"]["type"] == "number" and sheet["self_total"]["nullable"] is True

    def items(prop):
        return schemas[prop["items"]["$ref"].rsplit("/", 1)[-1]]["properties"]

    assert {"id", "group", "name", "max_points", "kind"} <= set(items(sheet["criteria"]))
    assert {"criterion_id", "self_points", "final_points", "note"} <= set(items(sheet["scores"]))
    assert set(schemas["Error"]["properties"]) == {"code", "message", "field", "problems"}
    finalise = schemas["FinaliseBody"]["properties"]
    assert {"version", "scores", "grade", "grade_reason", "quota_reason", "fails"} <= set(finalise)


def test_swagger_ui_loads_only_local_assets(app, demo):
    client = app.test_client()
    assert client.get("/swagger/v1").status_code == 302  # anonymous: the sign-in page
    demo.login(client, "staff")
    resp = client.get("/swagger/v1")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    external = [a for a in assets if re.match(r"^(https?:)?//", a)]
    assert external == [], external
    assert "validatorUrl: null" in html and "url: '/api/v1/_openapi'" in html
    for asset in assets:
        if asset.startswith("/static/") and asset.endswith((".js", ".css")):
            served = client.get(asset)
            served.close()  # a file response holds the file open
            assert served.status_code == 200, asset
