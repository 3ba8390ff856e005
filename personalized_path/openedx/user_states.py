"""
The LMS's user-state client for the learning plan's class view.

The plan reads every learner's state of a block at once through the platform's
``XBlockUserStateClient`` interface; in the LMS that is ``DjangoXBlockUserStateClient``, which
reads StudentModule (``iter_all_for_block`` pages through one block's rows; ``get_many`` and
``set_many`` work on one learner's rows). The plan names this function by the Django setting
``PERSONALIZED_PATH_USER_STATE_CLIENT`` (this is the default), so blocks never import it.
"""


def platform_user_state_client():
    """A new DjangoXBlockUserStateClient (only importable inside the LMS)."""
    # pylint: disable=import-error,import-outside-toplevel
    from lms.djangoapps.courseware.user_state_client import DjangoXBlockUserStateClient
    return DjangoXBlockUserStateClient()
