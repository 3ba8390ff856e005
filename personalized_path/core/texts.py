"""
The texts in a field's value that people read, found and replaced without touching anything else.

A field's default holds texts (marked ``N_`` for the catalog) next to ids, skills and kinds. Texts
are plain strings, strings in a list, and strings under ``TEXT_KEYS`` in dicts at any depth; a
string with no letter ("9", "10") is not language and is left alone.
"""
TEXT_KEYS = frozenset({"text", "label", "descriptor", "title", "description", "prompt", "feedback"})


def is_language(text):
    return isinstance(text, str) and any(character.isalpha() for character in text)


def texts_in(value):
    """Every text in ``value`` (a string, or a list or dict holding texts), in order, repeats left out."""
    found = []
    _walk(value, lambda text: found.append(text) or text)
    return list(dict.fromkeys(found))


def with_texts_replaced(value, replacements):
    """
    ``value`` with each text found in ``replacements`` (text -> text) replaced, as a copy where
    anything changed; ``value`` itself (the same object) when nothing did.
    """
    if not replacements:
        return value
    return _walk(value, lambda text: replacements.get(text, text))


def _walk(value, replace, is_text=True):
    if isinstance(value, str):
        if not is_text or not is_language(value):
            return value
        return replace(value)
    if isinstance(value, list):
        items = [_walk(item, replace, is_text) for item in value]
        return value if all(new is old for new, old in zip(items, value)) else items
    if isinstance(value, dict):
        items = {key: _walk(item, replace, key in TEXT_KEYS)
                 for key, item in value.items()}
        return value if all(items[key] is item for key, item in value.items()) else items
    return value
