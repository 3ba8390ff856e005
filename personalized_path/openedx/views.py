"""
The plugin's own Django views (urls.py). The learning plan's class export as Django's
``StreamingHttpResponse``: the answer of the plan's ``export_csv`` handler passes through the
platform's handler view as one body, whereas this view hands the server the plan's own row
generator, so memory stays flat at any class size.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from personalized_path.platform_glue import DEFAULT_STAFF_PLAN, STAFF_PLAN_SETTING, platform_function

PLAN_TYPE = "personalized_learning_plan"
CLASS_EXPORT = "personalized_path:learning_plan_class_csv"


@require_GET
def learning_plan_class_csv(request, usage_id):
    """The plan's class export (the grid's query keys), for course staff only; 403 otherwise, 404 for no plan."""
    plan = platform_function(STAFF_PLAN_SETTING, DEFAULT_STAFF_PLAN)(request, usage_id)
    answer = plan.class_csv(request.GET)
    if answer.status_code != 200:
        response = HttpResponse(answer.body, status=answer.status_code)
    else:
        response = StreamingHttpResponse(answer.app_iter)
    for name, value in answer.headerlist:
        if name.lower() != "content-length":
            response[name] = value
    return response


def class_export_url(block):
    """The view's URL for a plan (``PERSONALIZED_PATH_CLASS_EXPORT_URL``); None where it is not served (Studio)."""
    try:
        return reverse(CLASS_EXPORT, kwargs={"usage_id": str(block.scope_ids.usage_id)})
    except NoReverseMatch:
        return None


def course_staff_plan(request, usage_id):
    """
    The LMS's plan bound to the request's user, once the platform's own rule says they are staff of
    its course (``has_access(user, "staff", course)``): PermissionDenied (403) otherwise, Http404
    where the key names no learning plan.
    """
    # pylint: disable=import-outside-toplevel,import-error
    from lms.djangoapps.courseware.access import has_access
    from lms.djangoapps.courseware.block_render import load_single_xblock
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import UsageKey
    from xmodule.modulestore.exceptions import ItemNotFoundError
    try:
        key = UsageKey.from_string(usage_id)
    except InvalidKeyError as error:
        raise Http404 from error
    if key.block_type != PLAN_TYPE:
        raise Http404
    if not request.user.is_authenticated or not has_access(request.user, "staff", key.course_key):
        raise PermissionDenied
    try:
        return load_single_xblock(request, request.user.id, str(key.course_key), str(key))
    except ItemNotFoundError as error:
        raise Http404 from error
