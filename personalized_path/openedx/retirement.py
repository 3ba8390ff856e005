"""
The platform's learner retirement (the retirement pipeline's LMS steps send ``USER_RETIRE_LMS_MISC``
and ``USER_RETIRE_LMS_CRITICAL`` with the user) erases what the learner wrote in our blocks.

Each of the learner's StudentModule rows of our block types is rewritten with its free text erased
(``core.privacy.erase_free_text``); ratings, answers, scores, dates and counts stay, so grades and
anonymous class counts still add up. The learning plans' class summary (derived, with the username
and an exception's reason) drops the learner's rows; the next rebuild lists the retired account again
from its erased state. The platform keeps no history of these rows (its StudentModule
history covers problems only), so the row is the one copy. The learner's progress-update
recipients (addresses) are deleted and the addresses in their sent log blanked (updates.forget_learner).
"""
import json
import logging

from personalized_path.core import privacy

log = logging.getLogger(__name__)


def erase_learner_text(sender=None, user=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of USER_RETIRE_LMS_MISC and USER_RETIRE_LMS_CRITICAL; safe to run again."""
    # pylint: disable-next=import-outside-toplevel,import-error
    from lms.djangoapps.courseware.models import StudentModule
    if user is None:
        return 0
    erased = 0
    rows = StudentModule.objects.filter(student_id=user.id, module_type__in=tuple(privacy.FREE_TEXT_KEYS))
    for row in rows.iterator():
        try:
            state = json.loads(row.state or "{}")
        except ValueError:
            log.warning("Retirement: state of %s for user %s unreadable; cleared", row.module_state_key, user.id)
            state = None
        if state is not None and not privacy.holds_free_text(row.module_type, state):
            continue
        row.state = json.dumps(privacy.erase_free_text(row.module_type, state) if state is not None else {})
        row.save(update_fields=["state", "modified"])
        erased += 1
    log.info("Retirement: free text erased in %s rows of user %s", erased, user.id)
    forget_in_class_summary(user)
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.updates import forget_learner
    forget_learner(user.id)  # progress-update recipients and the addresses in the learner's sent log
    return erased


def forget_in_class_summary(user):
    """The learner's rows of the learning plans' class summary, under the username and the one before retirement."""
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.summaries import STORE
    usernames = {user.username}
    try:
        # pylint: disable-next=import-outside-toplevel
        from openedx.core.djangoapps.user_api.models import UserRetirementStatus
        usernames.update(UserRetirementStatus.objects.filter(user=user).values_list("original_username", flat=True))
    except ImportError:  # outside the LMS
        pass
    STORE.forget_learner(usernames)
