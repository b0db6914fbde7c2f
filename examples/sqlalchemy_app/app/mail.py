"""Outgoing mail, over SMTP with the standard library.

`send` never raises: mail goes out after the response (a background task),
so a slow or failing mail server is logged, never the caller's error. Each
step of the conversation waits SMTP_TIMEOUT_SECONDS at most.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from app.config import settings

logger = logging.getLogger(__name__)


def message(*, to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    return mail


def send(mail: EmailMessage) -> None:
    """Send the message through SMTP_HOST; in development without one, log it."""
    if not settings.smtp_host:
        if settings.environment == "development":
            logger.info("SMTP_HOST is not set; this mail is not sent:\n%s", mail)
        else:
            logger.error("SMTP_HOST is not set; a mail to %s is not sent", mail["To"])
        return
    try:
        with smtplib.SMTP(
            settings.smtp_host,
            settings.smtp_port,
            timeout=settings.smtp_timeout_seconds,
        ) as server:
            if settings.smtp_starttls:
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
            server.send_message(mail)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send a mail to %s", mail["To"])
