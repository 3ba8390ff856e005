"""``send_progress_updates``: send the progress updates and nudges due now (for cron; see updates.send_due)."""
from django.core.management.base import BaseCommand

from personalized_path.openedx.updates import send_due


class Command(BaseCommand):
    """Run updates.send_due once and say how many messages of each kind went."""

    help = "Send the learning plans' progress updates and learner reminders that are due now."

    def handle(self, *args, **options):
        counts = send_due()
        self.stdout.write(", ".join(f"{kind}: {number}" for kind, number in sorted(counts.items())) or "nothing due")
