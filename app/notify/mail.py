"""Send one plain-text e-mail over SMTP (SMTP_HOST, SMTP_PORT, SMTP_FROM, SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr


class Mailer:
    """One SMTP connection for a batch (``with Mailer(settings) as m: m.send(...)``); None host: no mail."""

    def __init__(self, settings, timeout: float = 20):
        self.settings = settings
        self.timeout = timeout
        self.smtp = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    def __enter__(self):
        if self.enabled:
            s = self.settings
            self.smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
            if s.smtp_starttls:
                self.smtp.starttls()
            if s.smtp_user:
                self.smtp.login(s.smtp_user, s.smtp_password)
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
        return False

    def send(self, to: str, name: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_from
        msg["To"] = formataddr((name, to))
        msg["Subject"] = subject
        msg.set_content(body)
        self.smtp.send_message(msg)
