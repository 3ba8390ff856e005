"""What the workbench keeps that the LMS keeps elsewhere: the emails it sent, for its messages page."""
from django.db import models


class SentEmail(models.Model):
    """One email as the workbench's email backend (mailbox.py) handed it over: nothing is delivered."""

    sent = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.CharField(max_length=1000)
    subject = models.CharField(max_length=1000)
    text = models.TextField()
    html = models.TextField(blank=True)

    class Meta:
        app_label = "personalized_path_workbench"
        ordering = ["-sent", "-id"]
