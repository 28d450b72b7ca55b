"""E-mail (SMTP, settings SMTP_*) and in-app notices; the daily reminders built on both (``reminders``)."""
