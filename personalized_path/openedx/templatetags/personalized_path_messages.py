"""
Template tags of the package's edx-ace messages (``{% load personalized_path_messages %}``).

edx-ace renders a message with Django's template loader under ``translation.override(language)``,
which makes Django's own catalog active; the messages' strings live in this package's catalog
(``translations/<lang>/LC_MESSAGES/text.mo``, the one the blocks use). ``{% package_translation %}``
makes Django's catalog with ours merged on top active for what it encloses, so ``{% trans %}`` and
``{% blocktrans %}`` inside answer from ours, and the platform's layout around it from the platform's.
"""
import threading

from django import template
from django.utils.translation import get_language, trans_real

from personalized_path.catalog import package_catalog
from personalized_path.rendering import active_translation

register = template.Library()
_merged = {}
_lock = threading.Lock()


def merged_translation(language):
    """Django's translation for ``language`` with the package's catalog merged in; built once per language."""
    found = _merged.get(language)
    if found is None:
        found = trans_real.DjangoTranslation(language)
        found.merge(package_catalog(language))
        with _lock:
            _merged[language] = found
    return found


class PackageTranslationNode(template.Node):
    """Renders its contents with the package's catalog active in the current language."""

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        language = get_language()
        if not language:
            return self.nodelist.render(context)
        with active_translation(merged_translation(language)):
            return self.nodelist.render(context)


@register.tag
def package_translation(parser, token):  # pylint: disable=unused-argument
    """``{% package_translation %}...{% endpackage_translation %}``"""
    nodelist = parser.parse(("endpackage_translation",))
    parser.delete_first_token()
    return PackageTranslationNode(nodelist)
