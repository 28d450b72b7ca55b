"""Settings are checked once, when the app is built: a bad value stops the start with a clear message."""
from __future__ import annotations

import datetime as dt

import pytest

from app.settings import Settings, SettingsError

GOOD = {"ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình", "PASSWORD_CHANGE_DAYS": "5", "MAX_FAILED_LOGINS": 5}


def test_good_settings_are_read_and_typed():
    s = Settings.from_config({**GOOD, "PASSWORD_DEADLINE": "2026-12-15"})
    assert s.password_deadline == dt.date(2026, 12, 15) and s.password_change_days == 5 and s.org_name == "Quận Ba Đình"


@pytest.mark.parametrize("key,value,words", [
    ("PASSWORD_DEADLINE", "15/12/2026", "PASSWORD_DEADLINE"),
    ("PASSWORD_DEADLINE", "2026-02-30", "PASSWORD_DEADLINE"),
    ("PASSWORD_CHANGE_DAYS", "năm", "PASSWORD_CHANGE_DAYS"),
    ("PASSWORD_CHANGE_DAYS", "0", "PASSWORD_CHANGE_DAYS"),
    ("MAX_FAILED_LOGINS", "-1", "MAX_FAILED_LOGINS"),
    ("ACCOUNT_SUFFIX", "Ba Đình", "ACCOUNT_SUFFIX"),
    ("ACCOUNT_SUFFIX", "", "ACCOUNT_SUFFIX"),
    ("DISTRICT_NAME", "  ", "DISTRICT_NAME"),
])
def test_a_bad_value_is_refused_naming_the_variable(key, value, words):
    with pytest.raises(SettingsError, match=words):
        Settings.from_config({**GOOD, key: value})


def test_create_app_stops_on_a_bad_deadline(tmp_path):
    from app import create_app

    with pytest.raises(SettingsError, match="YYYY-MM-DD"):
        create_app({"PASSWORD_DEADLINE": "tháng sau", "INSTANCE_DIR": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_the_clock_is_aware_and_in_hanoi():
    from app.services import clock

    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(hours=7)
    clock.set_clock(lambda: dt.datetime(2026, 1, 1, 8, 0))  # a naive injected time is Hà Nội time
    try:
        assert clock.now().isoformat() == "2026-01-01T08:00:00+07:00"
    finally:
        clock.set_clock(None)


def test_max_sheet_rows_is_read_and_checked():
    assert Settings.from_config(GOOD).max_sheet_rows == 60_000
    assert Settings.from_config({**GOOD, "MAX_SHEET_ROWS": "5000"}).max_sheet_rows == 5000
    for bad in ("sáu vạn", "0", "2000000"):
        with pytest.raises(SettingsError, match="MAX_SHEET_ROWS"):
            Settings.from_config({**GOOD, "MAX_SHEET_ROWS": bad})
    assert Settings.from_config({**GOOD, "MAX_CONTENT_LENGTH": 1 << 20}).max_upload_bytes == 1 << 20


def test_the_import_reads_with_the_apps_limits(app, tmp_path):
    from app.domain.errors import DomainError
    from app.services.mau01 import read_sheet
    from app.settings import replace
    from tests.conftest import SAMPLES

    previous = replace(app, max_sheet_rows=40)
    try:
        with app.app_context(), pytest.raises(DomainError) as err:
            read_sheet(str(SAMPLES / "mau01_sample.xlsx"), "badinh")  # 43 rows
        assert err.value.code == "too_many_rows" and "40" in err.value.message
    finally:
        app.extensions["settings"] = previous
