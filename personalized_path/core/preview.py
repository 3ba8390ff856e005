"""
"Preview as a learner": the values course staff choose, read strictly.

A block describes its preview form as fields ``{"key", "label", "kind", "options"}``; ``kind`` is
``percent`` (0 to 100, or empty for "not attempted"), ``number`` (``minimum``..``maximum``, or
empty), ``yes_no``, or ``choice`` (one of ``options``, pairs of value and label; "" for none).
"""
from . import N_
from .payload import PayloadError, as_bool, as_number, only_keys

KINDS = ("percent", "number", "yes_no", "choice")


def field(key, label, kind, *, options=(), minimum=0, maximum=100, step="any"):
    """One field of a preview form."""
    assert kind in KINDS
    return {"key": key, "label": label, "kind": kind, "options": list(options), "minimum": minimum,
            "maximum": maximum, "step": step}


def read_values(fields, values):
    """``{key: value}`` for every field, checked against its kind; PayloadError names a bad key."""
    by_key = {item["key"]: item for item in fields}
    only_keys(values, by_key)
    clean = {}
    for key, item in by_key.items():
        value = values.get(key)
        if item["kind"] == "yes_no":
            clean[key] = as_bool(value if value is not None else False, key)
        elif value is None or value == "":
            clean[key] = None
        elif item["kind"] == "choice":
            if value not in [option[0] for option in item["options"]]:
                raise PayloadError(key, N_("Choose one of the listed values."))
            clean[key] = value
        else:
            low, high = (0, 100) if item["kind"] == "percent" else (item["minimum"], item["maximum"])
            clean[key] = as_number(value, key, low, high)
    return clean
