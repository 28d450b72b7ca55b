"""SMTP_*, REMIND_DAYS_BEFORE, FEEDBACK_DAYS and ROLLUP_POLICY are read, typed and checked at start."""
import pytest

from app.settings import Settings, SettingsError
from tests.test_settings import GOOD


def test_defaults_and_values():
    s = Settings.from_config(GOOD)
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls, s.remind_days_before, s.feedback_days, s.rollup_policy) == \
        ("", 25, False, 2, 10, "nd335")
    s = Settings.from_config({**GOOD, "SMTP_HOST": "mail.badinh.invalid", "SMTP_PORT": "587", "SMTP_FROM": "a@b.vn",
                              "SMTP_STARTTLS": "1", "REMIND_DAYS_BEFORE": "0", "FEEDBACK_DAYS": "15", "ROLLUP_POLICY": "counting"})
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls, s.remind_days_before, s.feedback_days, s.rollup_policy) == \
        ("mail.badinh.invalid", 587, True, 0, 15, "counting")


@pytest.mark.parametrize("key,value,words", [
    ("SMTP_PORT", "x", "SMTP_PORT"), ("SMTP_PORT", "70000", "SMTP_PORT"), ("SMTP_STARTTLS", "có", "SMTP_STARTTLS"),
    ("REMIND_DAYS_BEFORE", "-1", "REMIND_DAYS_BEFORE"), ("FEEDBACK_DAYS", "0", "FEEDBACK_DAYS"),
    ("ROLLUP_POLICY", "x", "ROLLUP_POLICY"),
])
def test_bad_values_are_refused_naming_the_variable(key, value, words):
    with pytest.raises(SettingsError) as e:
        Settings.from_config({**GOOD, key: value})
    assert words in str(e.value)


def test_a_mail_server_needs_a_sender():
    with pytest.raises(SettingsError) as e:
        Settings.from_config({**GOOD, "SMTP_HOST": "mail.badinh.invalid"})
    assert "SMTP_FROM" in str(e.value)
