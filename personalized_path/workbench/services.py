"""Workbench services that behave like the LMS's for our blocks."""
import contextvars
import json
from datetime import datetime, timedelta, timezone

from django.core.cache import cache
from xblock.reference.user_service import UserService, XBlockUser

from personalized_path.catalog import package_catalog


class PackageI18nService:
    """
    Translations from ``personalized_path/translations/<lang>/LC_MESSAGES/text.mo``, as the LMS's
    XBlock i18n service reads them, for the language Django has active for this request.
    """

    runtime = None

    @staticmethod
    def catalog(language):
        return package_catalog(language)

    def __getattr__(self, name):
        # gettext, ngettext, pgettext and the catalog itself (the i18n template tags merge it).
        return getattr(package_catalog(), name)

    def ugettext(self, text):
        return self.gettext(text)


# The demo user's time zone preference for this request (see middleware.time_zone_preference).
TIME_ZONE = contextvars.ContextVar("personalized_path_time_zone", default=None)


def is_staff_id(user_id):
    """The workbench's rule for course staff: a student id starting with "staff"."""
    return str(user_id).startswith("staff")


class WorkbenchUserService(UserService):
    """
    The workbench student from ``?student=``; ids starting with "staff" are course staff. Their
    preferences are where the LMS's user service puts them (``edx-platform.user_preferences``, with
    the platform's ``time_zone`` preference, chosen in the workbench with ``?tz=``).
    """

    runtime = None

    def get_current_user(self):
        user_id = str(getattr(self.runtime, "user_id", None) or "student_1")
        user = XBlockUser(is_current_user=True, emails=[f"{user_id}@example.com"], full_name=user_id)
        user.opt_attrs.update({
            "edx-platform.username": user_id,
            "edx-platform.user_id": user_id,
            "edx-platform.user_is_staff": is_staff_id(user_id),
            "xblock-workbench.user_id": user_id,
            "edx-platform.user_preferences": {"time_zone": TIME_ZONE.get()} if TIME_ZONE.get() else {},
        })
        return user


def learner_contact(user_id):
    """A workbench learner's (address, name) for nudges: the address the user service gives them."""
    return f"{user_id}@example.com", str(user_id)


def learners_of(usernames):
    """Workbench learners are their names: ``{username: (user id, language preference)}``; none has a preference."""
    return {username: (username, "") for username in usernames}


DAYS_LATER = contextvars.ContextVar("personalized_path_days_later", default=0.0)


class WorkbenchClockService:
    """
    The blocks' clock in the workbench: real UTC time, moved on by the ``pp_days_later`` cookie
    (see the middleware), so browser tests can let "weeks pass" without waiting. The LMS has no
    such service; the blocks then read the real clock.
    """

    runtime = None

    def now(self):
        return datetime.now(timezone.utc) + timedelta(days=DAYS_LATER.get())


class LmsLikeCacheService:
    """
    The LMS's ``cache`` service: Django's default cache behind get and set only (the workbench
    settings make that cache a database table, shared by every worker process as memcached or
    Redis is in the LMS).
    """

    runtime = None

    def get(self, key, *args, **kwargs):
        return cache.get(key, *args, **kwargs)

    def set(self, key, value, *args, **kwargs):
        return cache.set(key, value, *args, **kwargs)


class WorkbenchUserStateService:
    """The LMS's ``user_state`` service over the workbench's table: one learner's stored state of one block."""

    runtime = None

    def get_state_as_dict(self, username_or_email, block_id):
        from workbench.models import XBlockState  # pylint: disable=import-outside-toplevel
        # The workbench keeps a learner's user_state fields of a block in one row of JSON.
        row = XBlockState.objects.filter(scope="usage", scope_id=str(block_id),
                                         user_id=str(username_or_email)).order_by("id").first()
        try:
            return json.loads(row.state) if row else {}
        except ValueError:
            return {}
