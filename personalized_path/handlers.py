"""
How a block answers requests: strict JSON handlers (``json_api``) with one error shape,
``{"error": sentence, "field": name}`` (409s and Studio's save add keys of their own), and one
refusal for whoever is not on the course team. Also who asks and when, and the events a block emits.
"""
import functools
import json
from datetime import datetime, timezone

from webob import Response
from xblock.core import XBlock, XBlockMixin
from xblock.exceptions import JsonHandlerError

from .core import N_
from .core.payload import PayloadError, parse_object
from .core.state import stored_time
from .dates import local_day, time_text, user_time_zone

JSON_TYPE = "application/json"
# xblock-utils' Studio editor posts its JSON body with jQuery's default (form) content type.
STUDIO_SAVE_TYPES = (JSON_TYPE, "application/x-www-form-urlencoded")
EVENT_PREFIX = "personalized_path"
# The one sentence anyone but the course team gets, for a handler, a setting or an editor.
STAFF_ONLY = N_("Only course staff can do this.")


class Conflict(Exception):
    """A write based on state that another tab has changed since (answered with 409)."""

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


def json_response(payload, status=200):
    return Response(json.dumps(payload), status=status, content_type="application/json", charset="utf-8")


def error_response(sentence, status, field="", **extra):
    """The one error answer: a sentence for people and, apart, the field it is about ("" for none)."""
    return json_response(dict({"error": sentence, "field": field}, **extra), status)


def attachment(text, content_type, filename):
    """
    A download: ``text`` as UTF-8 (or an iterable of its encoded pieces, answered as they come) with a
    file name for the browser to save it under.
    """
    if isinstance(text, str):
        response = Response(text, content_type=content_type, charset="utf-8")
    else:
        response = Response(app_iter=text, content_type=content_type, charset="utf-8")
    response.content_disposition = f'attachment; filename="{filename}"'
    return response


def json_api(func=None, *, staff_only=False, content_types=(JSON_TYPE,)):
    """
    A POST-only JSON handler that is strict where ``XBlock.json_handler`` is lenient, and that runs
    under this learner's write lock for the block (``LearnerStateMixin.learner_lock``).

    Bodies with NaN, Infinity, deep nesting or a non-object top level get 400; a PayloadError
    raised by the handler gets 400 naming the field; Conflict gets 409 (also when the lock stays
    busy). Handlers validate everything before changing a field, so every error leaves the
    fields as they were.
    ``staff_only`` handlers answer 403 to anyone but the course team before reading the request.
    """
    if func is None:
        return functools.partial(json_api, staff_only=staff_only, content_types=content_types)

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self, request, suffix=""):
        if staff_only and not self.can_edit_settings():
            return self.staff_refusal()
        if request.method != "POST":
            refused = error_response(self._("Use POST for this request."), 405)
            refused.allow = ["POST"]
            return refused
        refused = self.refuse_content_type(request, content_types)
        if refused:
            return refused
        try:
            data = parse_object(request.body)
            with self.learner_lock():
                result = func(self, data, suffix)
        except PayloadError as error:
            # A sentence for the learner; the field travels apart, for the script to place the message.
            return error_response(error.sentence(self._, self.ngettext), 400, error.field)
        except Conflict as error:
            return error_response(error.message, 409, **error.extra)
        except JsonHandlerError as error:
            return error_response(error.message, error.status_code)
        return result if isinstance(result, Response) else json_response(result)
    wrapper.json_api = True
    return wrapper


class RequestMixin(XBlockMixin):
    """Who is asking (a learner, course staff, an author in Studio), when, and what the block tells the platform."""

    def current_user(self):
        """
        The user service's current user, asked once per block instance (that is, per request) and
        service: the LMS builds it afresh on each call, reading the user's profile and preferences.
        """
        user_service = self.runtime.service(self, "user")
        if not user_service:
            return None
        asked = self.__dict__.get("_current_user")
        if asked is None or asked[0] is not user_service:
            asked = self.__dict__["_current_user"] = (user_service, user_service.get_current_user())
        return asked[1]

    def is_staff(self):
        """Course staff, as the platform's user service reports it (not while rendering a preview)."""
        if getattr(self, "_previewing", False):
            return False
        user = self.current_user()
        return bool(user and user.opt_attrs.get("edx-platform.user_is_staff"))

    def can_edit_settings(self):
        """
        Whether the current user may see and change this block's settings. Studio's user service
        reports nobody as staff, so there Studio's own write permission on the course decides;
        elsewhere (the LMS, the workbench) course staff status does.
        """
        permissions = self.runtime.service(self, "studio_user_permissions")
        if permissions is not None:
            usage = self.scope_ids.usage_id
            course = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
            return bool(permissions.can_write(course))
        return self.is_staff()

    def require_staff(self, or_author=False):
        """403 unless course staff; with ``or_author``, Studio's authors of the course pass too."""
        if not (self.can_edit_settings() if or_author else self.is_staff()):
            raise JsonHandlerError(403, self._(STAFF_ONLY))

    def staff_refusal(self):
        """The 403 answer of a handler only the course team may call."""
        return error_response(self._(STAFF_ONLY), 403)

    def refuse_content_type(self, request, accepted=(JSON_TYPE,)):
        """
        A 415 answer when the body is not declared as JSON, else None. Checked before the body is
        read: a multipart body that Django has already parsed as a form cannot be read again.
        """
        if (request.content_type or "").lower() in accepted:
            return None
        return error_response(self._("This request must be sent as JSON (Content-Type: application/json)."), 415)

    def publish(self, name, data):
        """Emit ``personalized_path.<block>.<name>`` to the platform's tracking log."""
        self.runtime.publish(self, f"{EVENT_PREFIX}.{self.asset_name}.{name}", data)

    def now(self):
        """
        The current UTC time. A runtime may offer a ``personalized_clock`` service (the workbench
        does, so tests can move time on without waiting); the LMS has none, so it is the real clock.
        """
        clock = self.runtime.service(self, "personalized_clock")
        return clock.now() if clock else datetime.now(timezone.utc)

    @functools.cached_property
    def time_zone(self):
        """The reader's time zone, from the platform's user preference (UTC without one); looked up once per request."""
        return user_time_zone(self.current_user())

    def today(self):
        """The reader's calendar day now, in their time zone."""
        return local_day(self.now(), self.time_zone)

    def time_text(self, value, fmt="DATETIME_FORMAT"):
        """A stored time (or day) as this reader reads it where the zone matters: with the zone's name."""
        return time_text(value, self.time_zone, fmt)

    def now_text(self):
        """``now()`` as stored in learner state."""
        return stored_time(self.now())
