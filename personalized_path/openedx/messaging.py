"""
The messages of issue 28, sent through edx-ace, the platform's message framework.

Each kind is an edx-ace message type whose templates are this app's
``templates/personalized_path/edx_ace/<kind>/email/`` (subject, plain text and HTML bodies,
translated from the package's catalog: see templatetags/personalized_path_messages.py). In the LMS
the HTML extends the platform's own email layout (``ace_common/edx_ace/common/base_body.html``) and
goes out through the platform's configured email channel under its policies; elsewhere (the
workbench) it extends a standalone layout and goes out through edx-ace's Django email channel.

Progress updates go to a person the learner named (``send_update``). Nudges go to the learner
(``nudge_learner``): Teak's notifications app takes only the notification types listed in its own
``base_notification.COURSE_NOTIFICATION_TYPES`` (a plugin cannot add one), so nudges are edx-ace
emails to the learner's own address, carrying the course in ``course_ids`` so that the platform's
``bulk_email_optout`` policy applies the learner's email setting for that course.

The steps are ``edx_ace.ace.send``'s own (policies, channel, render, deliver), taken one by one
because ``ace.send`` logs and drops a failure, and a message the channel refused must not be
recorded as sent.
"""
from contextlib import nullcontext
from smtplib import SMTPException

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist
from edx_ace import delivery, policy, presentation
from edx_ace.channel import ChannelType, get_channel_for_message
from edx_ace.errors import ChannelError, UnsupportedChannelError
from edx_ace.recipient import Recipient

from personalized_path.platform_glue import platform_function

try:  # the platform's base type adds the site's configured sender address
    from openedx.core.djangoapps.ace_common.message import BaseMessageType as _MessageType
except ImportError:
    from edx_ace.message import MessageType as _MessageType

UPDATE_KINDS = ("confirm_request", "progress_digest", "progress_change")
NUDGE_KINDS = ("checkin_overdue", "stuck_at_gate", "review_due")
APP_LABEL = "personalized_path"
PLATFORM_APP = "openedx.core.djangoapps.ace_common"
PLATFORM_LAYOUT = ("ace_common/edx_ace/common/base_body.html", "ace_common/edx_ace/common/base_head.html")
STANDALONE_LAYOUT = ("personalized_path/edx_ace/common/standalone_body.html",
                     "personalized_path/edx_ace/common/standalone_head.html")
# How a learner's address and name are found: the LMS's users by default; the workbench names its own.
LEARNER_CONTACT_SETTING = "PERSONALIZED_PATH_LEARNER_CONTACT"
DEFAULT_LEARNER_CONTACT = "personalized_path.openedx.messaging.platform_learner_contact"
URL_PREFIXES = ("https://", "http://", "/")


class MessageNotSent(Exception):
    """The channel refused the message (or there was no way to send it); the sentence says why."""


class PersonalizedPathMessage(_MessageType):
    """One of our kinds; the kind is the message's name, which picks its templates."""

    APP_LABEL = APP_LABEL


def send_update(kind, to_address, to_name, context, language):
    """Send a progress update of ``kind`` to a person the learner named; MessageNotSent if refused."""
    if kind not in UPDATE_KINDS:
        raise ValueError(f"not a kind of update: {kind!r}")
    for key in ("plan_url", "confirm_url", "stop_url"):
        _check_url(context.get(key) or "")
    recipient = Recipient(lms_user_id=None, email_address=to_address)
    _send(kind, recipient, dict(context, to_name=to_name), language, learner_id=None)


def nudge_learner(kind, user_id, course_key, context, language):
    """
    Send the learner a nudge of ``kind`` by email through edx-ace: "ace" when sent, "off" when the
    learner's platform email setting for the course refuses it; MessageNotSent if the channel refused.
    """
    if kind not in NUDGE_KINDS:
        raise ValueError(f"not a kind of nudge: {kind!r}")
    _check_url(context.get("url") or "")
    contact = platform_function(LEARNER_CONTACT_SETTING, DEFAULT_LEARNER_CONTACT)(user_id)
    if contact is None:
        raise MessageNotSent(f"no active learner with an email address has the id {user_id!r}")
    address, name = contact
    recipient = Recipient(lms_user_id=user_id, email_address=address)
    message_context = dict(context, learner_name=name, course_ids=[str(course_key)])
    return "ace" if _send(kind, recipient, message_context, language, learner_id=user_id) else "off"


def platform_learner_contact(user_id):
    """The LMS user's (email address, full name or username), or None for an unknown or inactive one."""
    user = _platform_user(user_id)
    if user is None or not user.is_active or not user.email:
        return None
    profile = getattr(user, "profile", None)
    return user.email, (getattr(profile, "name", "") or user.username)


def _check_url(url):
    if url and not url.startswith(URL_PREFIXES):
        raise ValueError(f"a message's link must be a web address: {url!r}")


def _send(kind, recipient, context, language, learner_id):
    """True when delivered, False when a policy (the learner's setting) refused email."""
    in_platform = apps.is_installed(PLATFORM_APP)
    body_layout, head_layout = PLATFORM_LAYOUT if in_platform else STANDALONE_LAYOUT
    with _platform_request(in_platform, learner_id):
        full_context = {**_layout_context(in_platform), **context,
                        "layout_body": body_layout, "layout_head": head_layout}
        message = PersonalizedPathMessage(name=kind).personalize(
            recipient=recipient, language=language, user_context=full_context)
        if ChannelType.EMAIL not in policy.channels_for(message):
            return False
        try:
            channel = get_channel_for_message(ChannelType.EMAIL, message)
            rendered = presentation.render(channel, message)
            delivery.deliver(channel, rendered, message)
        except (ChannelError, UnsupportedChannelError, TemplateDoesNotExist, SMTPException, OSError) as error:
            raise MessageNotSent(f"{kind} was not sent: {error}") from error
    return True


def _layout_context(in_platform):
    """What the layout needs: in the LMS the platform's own base context for its email templates."""
    if not in_platform:
        return {"platform_name": getattr(settings, "PLATFORM_NAME", "") or "Open edX"}
    # pylint: disable=import-outside-toplevel,import-error
    from django.contrib.sites.models import Site
    from openedx.core.djangoapps.ace_common.template_context import get_base_template_context
    return get_base_template_context(Site.objects.get_current())


def _platform_request(in_platform, learner_id):
    """
    The platform's email tags read the site and user from the current request; a Celery task or a
    command has none, so one is emulated as the platform's own scheduled messages do (never over a
    real request, whose user it would replace).
    """
    if not in_platform:
        return nullcontext()
    # pylint: disable=import-outside-toplevel,import-error
    from crum import get_current_request
    if get_current_request() is not None:
        return nullcontext()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sites.models import Site
    from openedx.core.lib.celery.task_utils import emulate_http_request
    user = _platform_user(learner_id) if learner_id is not None else None
    return emulate_http_request(site=Site.objects.get_current(), user=user or AnonymousUser())


def _platform_user(user_id):
    """The LMS user of that id (given as a number or its text), or None."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    try:
        number = int(user_id)
    except (TypeError, ValueError):
        return None
    return get_user_model().objects.filter(id=number).select_related("profile").first()
