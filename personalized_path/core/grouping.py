"""
Collaborative groups proposed from what learners know and like (the learning plan's staff view).

Three kinds: **mixed ability** (learners sorted by their mean measured mastery over the chosen
skills and dealt round the groups in a snake, then the highest and lowest groups swap members while
that narrows the spread of group means), **similar level** (the same order cut into consecutive
groups), and **shared interest** (the most-named topic among learners not yet placed gets the next
group, filled with those who named it; see ``interest_groups`` for leftovers). Learners with no
evidence on any chosen skill come last in the order and are listed in ``no_evidence``.

The class is split into groups of a size (as many as needed, none larger) or into a number of
groups; group sizes are within one of each other. Locked groups are kept as they are and the rest of
the class is grouped again. Everything is deterministic: learners are ordered by username first,
and every sort breaks ties by username. Pure: the input is the plan's learner rows.
"""
import csv
import io
import math
import re
from collections import deque
from dataclasses import dataclass, field

from . import N_, NP_
from .class_grid import FORMULA_START
from .payload import PayloadError, as_bool, as_int, as_list, as_object, as_text, only_keys, require
from .state import Either, Flag, ListOf, OneOf, Optional, Record, Text

MIXED, SIMILAR, INTEREST = "mixed", "similar", "interest"
KINDS = (MIXED, SIMILAR, INTEREST)
KIND_LABELS = {MIXED: N_("Mixed ability"), SIMILAR: N_("Similar level"), INTEREST: N_("Shared interest")}
MAX_NAME_CHARS = 60
MAX_USERNAME_CHARS = 150
SWAP_ROUNDS = 50  # bounded: 10,000 learners stay well under the 2 s the issue allows


@dataclass(frozen=True)
class Learner:
    """One learner as grouping sees them: measured mastery per skill (percent, None without evidence), interests."""

    username: str
    levels: dict = field(default_factory=dict)
    interests: tuple = ()


@dataclass(frozen=True)
class GroupingRequest:
    """What the teacher asked for: a kind, skills, a group size or a number of groups, and the groups kept."""

    kind: str
    skills: tuple
    size: int = None
    count: int = None
    locked: tuple = ()


def learners_from_rows(rows, interests=None):
    """``Learner``s from the plan's learner rows (``plan.learner_row``) and ``{username: [topic ids]}``."""
    interests = interests or {}
    return [Learner(row["learner"], {cell["skill"]: cell["measured"] for cell in row["skills"]},
                    tuple(interests.get(row["learner"], ()))) for row in rows]


def mean_level(learner, skills):
    """The mean measured mastery over ``skills`` where there is evidence; None with none."""
    values = [learner.levels.get(skill) for skill in skills]
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


# --- reading the teacher's request --------------------------------------------------------------------

def parse_request(data, course_skills, class_usernames, topic_ids=()):
    """
    A GroupingRequest from ``{"kind", "skills"?, "size" | "count", "locked"?}`` (``locked``: groups as
    ``parse_groups`` reads them, only the locked ones kept); PayloadError with a sentence.
    """
    as_object(data, "")
    only_keys(data, ("kind", "skills", "size", "count", "locked"))
    kind = require(data, "kind")
    if kind not in KINDS:
        raise PayloadError("kind", N_("Choose mixed ability, similar level or shared interest."))
    skills = parse_skills(data.get("skills"), course_skills)
    locked = parse_groups(data.get("locked", []), "locked", class_usernames, topic_ids, locked_only=True)
    free = len(class_usernames) - sum(len(group["members"]) for group in locked)
    if ("size" in data) == ("count" in data):
        raise PayloadError("size", N_("Give either a group size or a number of groups."))
    if not class_usernames:
        raise PayloadError("", N_("No learner has used this course's activities yet, so there is no one to group."))
    key = "size" if "size" in data else "count"
    number = as_int(data[key], key)
    if number < 1:
        raise PayloadError(key, N_("A group needs at least one learner.") if key == "size"
                           else N_("Ask for at least one group."))
    wanted = number if key == "size" else number - len(locked)
    if key == "count" and wanted < 1 and free:
        raise PayloadError(key, NP_("%(count)s group is kept locked: ask for more groups than that.",
                                    "%(count)s groups are kept locked: ask for more groups than that."),
                           count=len(locked))
    if wanted > max(free, 1):
        raise PayloadError(key, NP_("There is %(count)s learner to group: ask for fewer.",
                                    "There are %(count)s learners to group: ask for fewer."), count=free)
    return GroupingRequest(kind, skills, number if key == "size" else None, number if key == "count" else None,
                           locked)


def parse_skills(value, course_skills):
    """The chosen skills, each once, in course order; all the course's skills when none are given."""
    if value is None or value == []:
        return tuple(course_skills)
    chosen = as_list(value, "skills", max_items=len(course_skills) + 1)
    for index, skill in enumerate(chosen):
        if not isinstance(skill, str) or skill not in course_skills:
            raise PayloadError(f"skills[{index}]", N_("%(skill)s is not a skill of this course."),
                               skill=str(skill)[:64])
    return tuple(skill for skill in course_skills if skill in chosen)


def parse_groups(value, where, class_usernames, topic_ids=None, *, locked_only=False):
    """
    Groups as the teacher edited them: ``[{"name", "members": [username], "topic"?, "locked"?}]``.
    Every member a learner of the class, each in one group at most; ``locked_only``: only the locked
    ones are kept (a re-run keeps those). PayloadError naming the group and member at fault.
    """
    known = set(class_usernames)
    groups, seen = [], set()
    for index, item in enumerate(as_list(value, where, max_items=max(1, len(known)))):
        at = f"{where}[{index}]"
        as_object(item, at)
        only_keys(item, ("name", "members", "topic", "locked"), at)
        locked = as_bool(item.get("locked", locked_only), f"{at}.locked")
        members = as_list(require(item, "members", at), f"{at}.members", max_items=max(1, len(known)))
        for number, member in enumerate(members):
            if not isinstance(member, str) or member not in known:
                raise PayloadError(f"{at}.members[{number}]",
                                   N_("%(name)s is not a learner of this class (any more)."),
                                   name=str(member)[:MAX_USERNAME_CHARS])
            if member in seen:
                raise PayloadError(f"{at}.members[{number}]", N_("%(name)s is in two groups."), name=member)
            seen.add(member)
        topic = item.get("topic")
        if topic is not None and topic not in (topic_ids or ()):
            raise PayloadError(f"{at}.topic", N_("This is not one of the topics offered."))
        name = as_text(item.get("name", ""), f"{at}.name", MAX_NAME_CHARS, multiline=False).strip()
        if name.startswith(FORMULA_START):
            # Exported as a team name, which a spreadsheet would run and the Teams upload must read as typed.
            raise PayloadError(f"{at}.name", N_("A group name cannot start with =, +, -, @ or a tab."))
        if locked or not locked_only:
            groups.append({"name": name, "members": list(members), "topic": topic if isinstance(topic, str) else None,
                           "locked": locked})
    return tuple(groups)


# --- proposing ---------------------------------------------------------------------------------------

def group_sizes(total, size=None, count=None):
    """Sizes within one of each other, largest first: as many groups of at most ``size`` as needed, or ``count``."""
    if total <= 0:
        return []
    groups = math.ceil(total / size) if size else min(count, total)
    base, extra = divmod(total, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def propose(learners, request, topic_order=()):
    """
    ``{"kind", "skills", "groups": [{"name", "members", "topic", "locked"}], "no_evidence", "unshared"}``:
    the locked groups first, as given, then the rest of the class grouped. ``topic_order``: the
    author's topic ids (ties between equally named topics go to the earlier one).
    """
    kept = [member for group in request.locked for member in group["members"]]
    taken = set(kept)
    free = sorted((learner for learner in learners if learner.username not in taken), key=lambda item: item.username)
    means = {learner.username: mean_level(learner, request.skills) for learner in learners}
    if request.size:
        sizes = group_sizes(len(free), size=request.size)
    else:
        sizes = group_sizes(len(free), count=max(1, request.count - len(request.locked)))
    unshared = []
    if request.kind == INTEREST:
        made, unshared = interest_groups(free, sizes, topic_order)
    else:
        ordered = sorted(free, key=lambda item: _level_order(means[item.username], item.username))
        names = [learner.username for learner in ordered]
        made = [{"members": members, "topic": None} for members in
                (snake(names, sizes) if request.kind == MIXED else consecutive(names, sizes))]
        if request.kind == MIXED:
            narrow_spread([group["members"] for group in made], means)
    groups = [dict(group) for group in request.locked] + \
        [{"name": "", "members": group["members"], "topic": group["topic"], "locked": False} for group in made]
    return {"kind": request.kind, "skills": list(request.skills), "groups": groups,
            "no_evidence": sorted(name for name in means if means[name] is None),
            "unshared": sorted(unshared)}


def _level_order(mean, username):
    """Highest mean first; no evidence last; then by username."""
    return (1, 0, username) if mean is None else (0, -mean, username)


def consecutive(names, sizes):
    """``names`` cut in order into groups of ``sizes``."""
    groups, start = [], 0
    for size in sizes:
        groups.append(names[start:start + size])
        start += size
    return groups


def snake(names, sizes):
    """``names`` dealt round the groups, forwards then backwards, each group taking up to its size."""
    groups = [[] for _size in sizes]
    forward, index = True, 0
    while index < len(names):
        order = range(len(sizes)) if forward else range(len(sizes) - 1, -1, -1)
        for slot in order:
            if index < len(names) and len(groups[slot]) < sizes[slot]:
                groups[slot].append(names[index])
                index += 1
        forward = not forward
    return groups


def narrow_spread(groups, means):
    """
    Swap one member between the group with the highest mean and the one with the lowest, the swap
    that brings their means closest, while that narrows the spread (at most SWAP_ROUNDS times).
    Changes ``groups`` in place; sizes stay as they were.
    """
    for _round in range(SWAP_ROUNDS):
        averages = [_mean([means[name] for name in group]) for group in groups]
        measured = [index for index, value in enumerate(averages) if value is not None]
        if len(measured) < 2:
            return
        high = max(measured, key=lambda index, values=averages: (values[index], -index))
        low = min(measured, key=lambda index, values=averages: (values[index], index))
        spread = averages[high] - averages[low]
        best = _best_swap(groups[high], groups[low], means, spread)
        if best is None:
            return
        one, other = best
        trial = [list(group) for group in groups]
        trial[high][one], trial[low][other] = groups[low][other], groups[high][one]
        if group_spread(trial, means) >= spread - 1e-9:
            return
        groups[high], groups[low] = trial[high], trial[low]


def _best_swap(high, low, means, spread):
    """The (index in high, index in low) whose swap leaves the two groups' means closest, if closer."""
    best, best_gap = None, spread
    high_values = [means[name] for name in high]
    low_values = [means[name] for name in low]
    high_sum, low_sum = sum(v for v in high_values if v is not None), sum(v for v in low_values if v is not None)
    high_n, low_n = len([v for v in high_values if v is not None]), len([v for v in low_values if v is not None])
    for one, up in enumerate(high_values):
        for other, down in enumerate(low_values):
            if up is None or down is None or up <= down:
                continue
            gap = abs((high_sum - up + down) / high_n - (low_sum - down + up) / low_n)
            if gap < best_gap - 1e-9:
                best, best_gap = (one, other), gap
    return best


def interest_groups(learners, sizes, topic_order=()):
    """
    Shared-interest groups of ``sizes``: ``([{"members", "topic"}], unshared usernames)``.

    While learners remain who named a topic, the topic most of them named (ties: the author's
    order, then the id) gets the next group, filled with those who named it, learners with fewest
    interests first (they have the fewest other chances), then by username. The rule for leftovers:
    a learner who named no topic, or whose topics have no room left, joins the first group with room
    whose topic they named, otherwise the first group with room; they are listed as ``unshared``
    unless the group's topic is one of theirs.
    """
    rank = {topic: index for index, topic in enumerate(topic_order)}
    waiting, left, interests = {}, {}, {}
    for learner in sorted(learners, key=lambda item: (len(item.interests), item.username)):
        interests[learner.username] = tuple(dict.fromkeys(learner.interests))
        for topic in interests[learner.username]:
            waiting.setdefault(topic, []).append(learner.username)
            left[topic] = left.get(topic, 0) + 1
    start = dict.fromkeys(waiting, 0)  # waiting[topic][:start[topic]] are placed already
    placed, groups = set(), []
    for size in sizes:
        named = [topic for topic in waiting if left[topic]]
        if not named:
            groups.append({"members": [], "topic": None})
            continue
        topic = min(named, key=lambda item: (-left[item], rank.get(item, len(rank)), item))
        members = []
        queue = waiting[topic]
        while len(members) < size and start[topic] < len(queue):
            name = queue[start[topic]]
            start[topic] += 1
            if name in placed:
                continue
            members.append(name)
            placed.add(name)
            for each in interests[name]:
                left[each] -= 1
        groups.append({"members": members, "topic": topic})
    unshared = []
    has_room = [index for index, size in enumerate(sizes) if len(groups[index]["members"]) < size]
    with_topic = {}
    for index in has_room:
        with_topic.setdefault(groups[index]["topic"], deque()).append(index)
    rooms = deque(has_room)

    def first_with_room(queue):
        while queue and len(groups[queue[0]]["members"]) >= sizes[queue[0]]:
            queue.popleft()
        return queue[0] if queue else None

    for learner in learners:
        name = learner.username
        if name in placed:
            continue
        shared = [index for index in (first_with_room(with_topic.get(topic, deque())) for topic in interests[name])
                  if index is not None]
        target = min(shared) if shared else first_with_room(rooms)
        groups[target]["members"].append(name)
        if not shared:
            unshared.append(name)
    return groups, unshared


# --- how balanced ------------------------------------------------------------------------------------

def _mean(values):
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


def group_means(groups, means):
    """Each group's mean of its members' means (None for a group with no evidence)."""
    return [_mean([means.get(name) for name in group]) for group in groups]


def group_spread(groups, means):
    """The spread of group means (highest minus lowest, over groups with evidence); 0 with fewer than two."""
    values = [value for value in group_means(groups, means) if value is not None]
    return max(values) - min(values) if len(values) > 1 else 0.0


def balance(proposal, learners):
    """``{"means": [per group, rounded], "spread": points}`` of a proposal, for the teacher to judge."""
    means = {learner.username: mean_level(learner, proposal["skills"]) for learner in learners}
    members = [group["members"] for group in proposal["groups"]]
    return {"means": [None if value is None else round(value, 1) for value in group_means(members, means)],
            "spread": round(group_spread(members, means), 1)}


# --- a saved grouping --------------------------------------------------------------------------------

GROUPING_VERSION = 1
MAX_GROUPING_BYTES = 1024 * 1024  # a class of 10,000 with long names stays well under


def parse_saved(data, course_skills, class_usernames, topic_ids=()):
    """
    The teacher's edited proposal: ``{"kind", "skills", "groups": [...], "revision"}`` as
    ``(kind, skills, groups, revision)``; the groups as ``parse_groups`` reads them.
    """
    as_object(data, "")
    only_keys(data, ("kind", "skills", "groups", "revision"))
    kind = require(data, "kind")
    if kind not in KINDS:
        raise PayloadError("kind", N_("Choose mixed ability, similar level or shared interest."))
    skills = parse_skills(data.get("skills"), course_skills)
    groups = parse_groups(require(data, "groups"), "groups", class_usernames, topic_ids)
    if not groups:
        raise PayloadError("groups", N_("Propose groups before saving them."))
    return kind, skills, groups, as_int(data.get("revision", 0), "revision", 0)


# A stored grouping (saved or published), or none ({}); the plan's fields read a value that fits neither as {}.
GROUPING = Record(required={
    "version": OneOf(GROUPING_VERSION), "kind": OneOf(*KINDS), "skills": ListOf(Text()),
    "groups": ListOf(Record(required={"members": ListOf(Text()), "name": Text(), "topic": Optional(Text())},
                            optional={"locked": Flag()})),
})
GROUPING_SHAPE = Either(OneOf({}), GROUPING)


def stored(value):
    """
    A stored grouping, read defensively: ``{"kind", "skills", "groups", "by", "at", "revision", ...}``
    with every group's members a list of usernames; None when absent or garbled.
    """
    return value if GROUPING.fits(value) else None


def group_of(grouping, username):
    """``(index, group)`` of the group ``username`` is in, or ``(None, None)``."""
    for index, group in enumerate((grouping or {}).get("groups", ())):
        if username in group["members"]:
            return index, group
    return None, None


# --- Open edX Teams ----------------------------------------------------------------------------------

TEAM_SET_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
TEAM_NAME_MAX_CHARS = 255  # the platform's CourseTeam.name


def parse_team_set(value):
    """The team-set id the teacher names (as in the course's Teams configuration); PayloadError otherwise."""
    if not isinstance(value, str) or not TEAM_SET_RE.match(value.strip()):
        raise PayloadError("team_set", N_("Give the id of a team-set of this course's Teams configuration "
                                          "(letters, digits, - and _)."))
    return value.strip()


def teams_rows(grouping, team_set, modes, default_mode, default_names):
    """
    ``(header, rows)`` for the platform's Teams membership upload (``lms/djangoapps/teams/csv.py``):
    ``username``, ``external_user_id``, ``mode``, then the team-set's column with each learner's
    team name. ``modes``: ``{username: enrollment mode}`` where known; ``default_names[i]``: the
    name of group i when the teacher gave none.
    """
    header = ["username", "external_user_id", "mode", team_set]
    rows = []
    for index, group in enumerate(grouping["groups"]):
        name = (group["name"] or default_names[index])[:TEAM_NAME_MAX_CHARS]
        for username in group["members"]:
            rows.append([username, "", modes.get(username) or default_mode, name])
    return header, rows


def teams_csv(header, rows):
    """
    The Teams upload as text. Cells are written as they are (no ``'`` before a leading ``-``, ``+`` or
    ``@``): the platform matches usernames and team names exactly; group names that a spreadsheet
    would run are refused when saved, and usernames are the platform's own.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def mode_refusals(header_rows, protected_modes):
    """
    The rows of ``teams_rows`` the platform's Teams would refuse for their enrollment mode: a team never
    mixes protected tracks (the master's track) with others. In a group with both, the side with fewer
    members is refused (on a tie, the protected side). ``(kept rows, refused rows)``, each in order.
    """
    _header, rows = header_rows
    protected = set(protected_modes)
    teams = {}
    for row in rows:
        teams.setdefault(row[3], []).append(row)
    refused = set()
    for members in teams.values():
        inside = [row[0] for row in members if row[2] in protected]
        outside = [row[0] for row in members if row[2] not in protected]
        if inside and outside:
            refused.update(inside if len(inside) <= len(outside) else outside)
    return [row for row in rows if row[0] not in refused], [row for row in rows if row[0] in refused]
