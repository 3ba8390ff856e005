"""
This package's translation catalog (``translations/<lang>/LC_MESSAGES/text.mo``), the one the LMS's
XBlock i18n service reads for our blocks. The workbench's i18n service and the platform glue
(partition names) both read it here; neither imports the other.
"""
import gettext
from importlib import resources

from django.utils import translation

_catalogs = {}


def package_catalog(language=None):
    """The catalog for ``language`` (default: Django's active language), loaded once per process."""
    language = language or translation.get_language() or "en"
    if language not in _catalogs:
        folder = resources.files("personalized_path").joinpath("translations")
        _catalogs[language] = gettext.translation(
            "text", localedir=str(folder), languages=[translation.to_locale(language)], fallback=True)
    return _catalogs[language]
