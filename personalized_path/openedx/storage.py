"""
How the LMS saves a block's fields in one database transaction.

The LMS keeps learner state (StudentModule) and class summaries (XModuleUserStateSummaryField) in
its default database, and runs XBlock handlers outside a transaction; a block saving a learner's
write together with the class counts it changes (``save_counted`` in class_counts.py) wraps the save in
this. Named by the Django setting ``PERSONALIZED_PATH_SAVE_TRANSACTION`` (this is the default).

And how a write to the platform's shared cache stays out of the caller's transaction (``cache_write``).
"""
import logging

from django.db import transaction

log = logging.getLogger(__name__)


def save_transaction(block):  # pylint: disable=unused-argument
    """One transaction on the default database, where the LMS keeps every field a learner's request writes."""
    return transaction.atomic()


def cache_write(write, failure):
    """
    ``write()`` (of the shared cache) in a savepoint, and its result; None, with ``failure`` logged as a
    warning, where the cache fails. A database cache that fails (its table not made yet, during the
    migrations the tagging app's saves run in) must not abort the caller's transaction (PostgreSQL
    would), and what the cache holds is derived: never worth failing a save or a page for.
    """
    try:
        with transaction.atomic():
            return write()
    except Exception:  # pylint: disable=broad-except
        log.warning(failure, exc_info=True)
        return None
