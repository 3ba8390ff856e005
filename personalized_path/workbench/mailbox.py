"""
The workbench's Django email backend: each email is kept in the workbench's database (SentEmail)
instead of being delivered, so the messages page (views.sent_messages) shows what edx-ace sent.
"""
from datetime import timezone

from django.core.mail.backends.base import BaseEmailBackend

from .models import SentEmail

MAX_SHOWN = 50  # the messages page lists the newest ones


class KeptEmailBackend(BaseEmailBackend):
    """Keeps every message it is given; never delivers anything."""

    def send_messages(self, email_messages):
        for message in email_messages:
            html = next((content for content, mimetype in getattr(message, "alternatives", [])
                         if mimetype == "text/html"), "")
            SentEmail.objects.create(to=", ".join(message.recipients())[:1000], subject=message.subject[:1000],
                                     text=message.body, html=html)
        return len(email_messages)


def newest():
    """The newest messages, each with the time it was sent in UTC as text (the workbench's zone is not UTC)."""
    emails = list(SentEmail.objects.all()[:MAX_SHOWN])
    for email in emails:
        email.sent_utc = email.sent.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return emails
