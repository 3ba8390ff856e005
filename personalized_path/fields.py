"""
XBlock field classes whose stored values are never trusted.

XBlock converts a stored value when a field is read, before any block code runs, and raises
when the value has the wrong JSON type (a string where a dict belongs, as an older shape, an
OLX import or a hand edit leaves it). These fields read such a value as the field's default and
log it instead, so the block renders. The stored value itself is left alone: settings are
read-only in the LMS, and learner state is replaced by the learner's next save.

Conversion for writes (``from_json``, used by OLX import and Studio saves) stays strict.

Text fields whose default people read (``translated_default=True``) show each text of the default
in the reader's language wherever it is still there, untranslated: unset, saved unchanged, or kept
among texts the author wrote. What is stored, exported and copied stays as it is.
"""
import logging
import sys

from xblock import fields as xblock_fields
from xblock.core import XBlockMixin

from .core import is_finite_number
from .core.texts import texts_in, with_texts_replaced

log = logging.getLogger(__name__)

# The JSON types that can never be a usage id (a string, or the platform's key objects).
_NOT_A_REFERENCE = (bool, int, float, list, dict)


class StoredValueGuard(xblock_fields.JSONField):
    """
    Put before an XBlock field class: a stored value that does not fit reads as the default. A
    field given a ``shape`` (a ``core.state.Shape``: what a class summary or a record holds inside)
    also reads as the default when its value does not fit that shape, checked once per value read.
    Versioned learner state is checked by its ``core.state.StateShape`` when it is migrated instead.
    """

    def __init__(self, *args, shape=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shape = shape

    def __get__(self, xblock, xblock_class):
        if xblock is None:
            return self
        try:
            value = super().__get__(xblock, xblock_class)
        except (TypeError, ValueError, OverflowError) as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            if self.fits(value):
                problem = self.shape_problem(xblock, value)
                if problem is None:
                    return value
            else:
                problem = f"a {type(value).__name__} does not fit a {type(self).__name__} field"
        log.warning("Reading the stored %s of %s (user %s) as its default: %s", self.name,
                    xblock.scope_ids.usage_id, xblock.scope_ids.user_id, problem)
        # Unmark it first, so that reading the default never writes it back over the stored value.
        xblock._dirty_fields.pop(self, None)
        self._set_cached_value(xblock, self.default)
        return super().__get__(xblock, xblock_class)

    def shape_problem(self, xblock, value):
        """Where ``value`` does not fit the field's shape (None when it does), checked once per value and block."""
        if self.shape is None or value is None:
            return None
        checked = xblock.__dict__.setdefault("_shapes_checked", {})
        if checked.get(self.name) is value:
            return None
        try:
            self.shape.check(value)
        except ValueError as error:
            return f"{self.name}: {error}"
        checked[self.name] = value
        return None

    def fits(self, value):
        """Whether a converted value has the type the block's code expects of this field."""
        if value is None:
            return self._default is None
        return self.accepts(value)

    def accepts(self, value):
        raise NotImplementedError


class TranslatedDefault(xblock_fields.JSONField):
    """
    Put first: reading the field gives its value with every text of the field's default (each
    marked ``N_`` where the default is written) translated by the block's i18n service, so a course
    built from defaults speaks the learner's language. ``read_from`` (OLX export, the platform's
    saves and copies) gives the stored value, so no language is ever written into the course.
    """

    def __init__(self, *args, translated_default=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.translated_default = translated_default

    def __get__(self, xblock, xblock_class):
        value = super().__get__(xblock, xblock_class)
        if xblock is None or not self.translated_default:
            return value
        return self.shown(xblock, value)

    def read_from(self, xblock):
        return super().__get__(xblock, type(xblock))

    def default_texts(self):
        return texts_in(self.default)

    def shown(self, xblock, value):
        """``value`` with the default's texts in the reader's language (the same object if none is there)."""
        return with_texts_replaced(value, self._translations(xblock))

    def as_authored(self, xblock, value):
        """A value from the editor, where the author saw the default translated: those texts stored as the default's."""
        return with_texts_replaced(value, {shown: text for text, shown in self._translations(xblock).items()})

    def _translations(self, xblock):
        """``{default text: its translation}`` for the texts that translate to something else, once per language."""
        translated_once = getattr(xblock, "translated_once", None)
        if translated_once is None:
            return {}
        return translated_once(("translated_default", self.name), lambda: {
            text: shown for text, shown in ((text, xblock._(text)) for text in self.default_texts()) if shown != text})


class String(TranslatedDefault, StoredValueGuard, xblock_fields.String):
    def accepts(self, value):
        return isinstance(value, str)


class Integer(StoredValueGuard, xblock_fields.Integer):
    def accepts(self, value):
        return isinstance(value, int) and not isinstance(value, bool)


class Float(StoredValueGuard, xblock_fields.Float):
    def accepts(self, value):
        return is_finite_number(value) and abs(value) <= sys.float_info.max


class Boolean(StoredValueGuard, xblock_fields.Boolean):
    def accepts(self, value):
        return isinstance(value, bool)


class AssignedWhenAuthored(xblock_fields.JSONField):
    """
    Put before a mutable XBlock field class. XBlock deep-copies every list and dict field when a
    request first reads it, so that a change made in place is found and saved at the end. These
    blocks never change an author's content or settings in place (Studio saves and OLX imports
    assign them, and a learner's request cannot save them in the LMS), so for those scopes the copy,
    made on every view of every block, is skipped; an assignment still marks the field for saving.
    Learner and class state keep XBlock's tracking.
    """

    def _mark_dirty(self, xblock, value):
        if value is xblock_fields.EXPLICITLY_SET or self.scope.user != xblock_fields.UserScope.NONE:
            super()._mark_dirty(xblock, value)


class Dict(AssignedWhenAuthored, StoredValueGuard, xblock_fields.Dict):
    def accepts(self, value):
        return isinstance(value, dict)


class List(TranslatedDefault, AssignedWhenAuthored, StoredValueGuard, xblock_fields.List):
    def accepts(self, value):
        return isinstance(value, list)


class Reference(StoredValueGuard, xblock_fields.Reference):
    def accepts(self, value):
        return not isinstance(value, _NOT_A_REFERENCE)


class ReferenceList(AssignedWhenAuthored, StoredValueGuard, xblock_fields.ReferenceList):
    def accepts(self, value):
        return isinstance(value, list) and not any(item is None or isinstance(item, _NOT_A_REFERENCE)
                                                   for item in value)


class RenamedSettingsMixin(XBlockMixin):
    """Settings renamed because the platform passes their old name down the course tree."""

    #: ``{old name: new name}`` of settings renamed because the old name is one the platform passes
    #: down the course tree (InheritanceMixin): OLX and stored values under the old name still count.
    renamed_fields = {}

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        """OLX written before a rename: the old attribute sets the new field."""
        for old, new in cls.renamed_fields.items():
            value = node.attrib.pop(old, None)
            if value is not None and node.get(new) is None:
                node.set(new, value)
        return super().parse_xml(node, runtime, keys)

    def setting(self, name):
        """
        A setting's value. For a renamed one the author never set, the value the author set under
        the old name, if any: in the LMS that name is still a field (the platform's), and a course
        saved before the rename keeps it there. Inherited values never count.
        """
        field = self.fields[name]
        if not field.is_set_on(self):
            for old, new in self.renamed_fields.items():
                legacy = self.fields.get(old)
                if new == name and legacy is not None and legacy.is_set_on(self):
                    value = legacy.read_from(self)
                    if type(value) is type(field.default):
                        return value
        return getattr(self, name)
