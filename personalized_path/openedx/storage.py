"""
How the LMS saves a block's fields in one database transaction.

The LMS keeps learner state (StudentModule) and class summaries (XModuleUserStateSummaryField) in
its default database, and runs XBlock handlers outside a transaction; a block saving a learner's
write together with the class counts it changes (``save_counted`` in class_counts.py) wraps the save in
this. Named by the Django setting ``PERSONALIZED_PATH_SAVE_TRANSACTION`` (this is the default).
"""
from django.db import transaction


def save_transaction(block):  # pylint: disable=unused-argument
    """One transaction on the default database, where the LMS keeps every field a learner's request writes."""
    return transaction.atomic()
