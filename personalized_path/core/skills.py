"""
A skill framework: the skills of a competency framework (an Open edX taxonomy where the platform has
one), each with a stable slug, a label and a parent, and how a parent skill's mastery rolls up from
its children's.

A skill's slug is what blocks store and what learner evidence is keyed by. For a taxonomy tag it is
made from the tag's external id (which the platform keeps when a tag's value is renamed), so renaming
a skill changes its label, never its slug.
"""
import re
import unicodedata
from dataclasses import dataclass

from .payload import SLUG_RE
from .plan import MASTERED, band

MAX_SLUG_CHARS = 64
MAX_LABEL_CHARS = 255

# How a parent skill counts as mastered (the author picks one on the learning plan).
ALL_CHILDREN, AT_LEAST = "all", "at_least"
ROLLUP_RULES = (ALL_CHILDREN, AT_LEAST)
DEFAULT_ROLLUP = {"rule": ALL_CHILDREN}


@dataclass(frozen=True)
class Skill:
    """One skill of a framework: its slug, its label as the framework names it, its parent's slug."""

    slug: str
    label: str
    parent: str = None


def skill_slug(text):
    """
    The slug made from a tag's external id (or, once, from its value): lowercase ASCII letters, digits,
    ``-`` and ``_``; accents dropped, other runs of characters become one ``-``. None when nothing is left.
    """
    if not isinstance(text, str):
        return None
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-_")[:MAX_SLUG_CHARS].rstrip("-_")
    return slug if SLUG_RE.match(slug or "") else None


def tag_slug(external_id, value):
    """A tag's skill slug: from its external id, or from its value where the id gives none."""
    return skill_slug(external_id) or skill_slug(value)


def framework(tags):
    """
    ``{slug: Skill}`` from a taxonomy's tags in tree order (parents first), each a dict with ``id``
    (the external id), ``value`` and ``parent_id`` (the parent's external id, or empty). A tag whose
    slug another tag already took is left out, and so is its subtree's link to it (its children
    become top-level): two skills never share a slug.
    """
    skills, slug_of = {}, {}
    for tag in tags:
        slug = tag_slug(tag.get("id"), tag.get("value"))
        label = str(tag.get("value") or "").strip()[:MAX_LABEL_CHARS]
        if slug is None or slug in skills or not label:
            continue
        slug_of[tag.get("id")] = slug
        skills[slug] = Skill(slug, label, slug_of.get(tag.get("parent_id")) if tag.get("parent_id") else None)
    return skills


def children(skills):
    """``{parent slug: [child slugs]}`` in the framework's order."""
    found = {}
    for skill in skills.values():
        if skill.parent:
            found.setdefault(skill.parent, []).append(skill.slug)
    return found


def valid_rollup(value):
    """Whether ``value`` is a roll-up rule: ``{"rule": "all"}`` or ``{"rule": "at_least", "n": 1 to 50}``."""
    if not isinstance(value, dict) or value.get("rule") not in ROLLUP_RULES or set(value) - {"rule", "n"}:
        return False
    count = value.get("n")
    return value["rule"] != AT_LEAST or (not isinstance(count, bool) and isinstance(count, int) and 1 <= count <= 50)


def parent_mastered(child_mastered, rollup):
    """Whether a parent is mastered given its children's decisions (a list of booleans) under ``rollup``."""
    if not child_mastered:
        return False
    done = sum(1 for mastered in child_mastered if mastered)
    if rollup.get("rule") == AT_LEAST:
        return done >= min(rollup.get("n", 1), len(child_mastered))
    return done == len(child_mastered)


def parent_row(slug, known, rollup):
    """
    A parent skill's plan row from its children's rows: measured is their mean value, mastered by the
    roll-up rule; no self-rating, trend or review date of its own.
    """
    values = [row["measured"] for row in known if row["measured"] is not None]
    measured = sum(values) / len(values) if values else None
    threshold = min(row["threshold"] for row in known)
    mastered = parent_mastered([row["band"] == MASTERED for row in known], rollup)
    return {
        "skill": slug, "level": None, "out_of": None, "self_percent": None, "self_trend": None,
        "measured": measured, "measured_trend": None, "evidence": sum(row["evidence"] for row in known),
        "threshold": threshold, "band": band(measured, threshold, mastered), "needed": None,
        "calibration": None, "review_due": None, "children": [row["skill"] for row in known],
    }


def rolled_up(rows, skills, rollup):
    """
    The plan's skill rows with each framework parent of a shown skill rolled up from its children's rows
    (the children the course measures), placed before its first child; deeper parents roll up from the
    rolled-up rows below them. ``rows`` are the plan's rows (``{"skill", "band", "measured", ...}``);
    a parent's row is ``parent_row``'s. A parent the course
    measures itself keeps its own row; the roll-up decides only parents without evidence of their own.
    """
    by_skill = {row["skill"]: row for row in rows}
    kids = children(skills)
    order = [row["skill"] for row in rows]
    pending = [slug for slug in dict.fromkeys(skills[s].parent for s in order if s in skills) if slug]
    while pending:
        parent = pending.pop(0)
        known = sorted((by_skill[kid] for kid in kids.get(parent, ()) if kid in by_skill),
                       key=lambda row: order.index(row["skill"]))   # as the plan lists them
        if not known or (parent in by_skill and by_skill[parent]["evidence"]):
            continue
        by_skill[parent] = parent_row(parent, known, rollup)
        if parent not in order:
            order.insert(min(order.index(row["skill"]) for row in known), parent)
        grand = skills[parent].parent if parent in skills else None
        if grand and grand not in pending:
            pending.append(grand)
    return [by_skill[slug] for slug in order]
