"""
Adaptive, placement and re-check sessions of a skill check, on top of ``irt`` and ``forgetting``.

A session asks one question at a time. ``asked`` is the list of answered questions so far, each
``{"question": id, "skill": skill, "correct": bool}``; the pool is the author's questions as
``Item``s (difficulty and discrimination on the 2PL scale, the difficulty refined from the
class's answers where there are enough of them).

* adaptive: one ability for the whole check. The next question is the pool's most informative
  at the current EAP estimate; the session ends when the standard error is below the author's
  target or the budget is spent. The result is the estimated mastery: the posterior probability
  that the learner's ability is at least the pool's standard (``standard``: right with
  probability ``MASTERY_CHANCE`` on a question of the pool's mean difficulty; Lord 1980). A learner who answers every
  asked question right gets 95% or more at the default budget (8), one who answers all wrong 5%
  or less; the words say how many questions were asked and how many were right. (The expected
  share of the pool at the EAP estimate, used before, shrinks toward the prior: 5 of 5 right
  read 60%.)
* placement: one ability per skill. The next question belongs to the skill with the fewest
  answers while any has fewer than ``PLACEMENT_MIN_ANSWERS``, then to the skill whose estimate is
  least precise (ties: first skill in pool order), and is that skill's most informative question
  at that skill's estimate; the session ends when every skill has its minimum and is precise
  enough, or the budget is spent. The budget is at least ``PLACEMENT_MIN_ANSWERS`` per skill
  (``placement_budget``), so a learner who answers every question right is placed on every
  skill; one answer, however right, never places. Each skill's result is its estimated mastery.
* re-check: a short mixed set fixed at the start: the skills whose recall probability is lowest
  first, one question per skill in turn (the most informative at that skill's estimate from the
  earlier answers), up to the budget.
"""
import math
from dataclasses import dataclass

from . import irt
from .mastery import meets

ADAPTIVE, PLACEMENT, RECHECK = "adaptive", "placement", "recheck"
PLACEMENT_MIN_ANSWERS = 8
# Mastery: more likely than this to answer a typical question of the pool right. Chosen from the
# simulated-learner benchmark (guessers among 3 choices pass an 80% score gate 2% of the time,
# knowers 99.5%; placed on a skill 2.5% and 99%).
MASTERY_CHANCE = 0.55


@dataclass(frozen=True)
class Item:
    id: str
    skill: str
    difficulty: float
    discrimination: float


def items_from_questions(questions, calibration=None):
    """The pool as Items, each difficulty refined by the class's answers when ``calibration`` has its bins."""
    calibration = calibration or {}
    pool = []
    for question in questions:
        author = irt.as_difficulty(question.get("difficulty", "medium"), "difficulty")
        discrimination = irt.as_discrimination(question.get("discrimination", irt.DEFAULT_DISCRIMINATION),
                                               "discrimination")
        bins = calibration.get(question["id"])
        difficulty = irt.refine_difficulty(author, discrimination, bins) if bins else author
        pool.append(Item(question["id"], question["skill"], difficulty, discrimination))
    return pool


def responses(asked, pool, skill=None):
    """``(difficulty, discrimination, correct)`` of the answered questions (of one skill if given)."""
    by_id = {item.id: item for item in pool}
    return [(by_id[answer["question"]].difficulty, by_id[answer["question"]].discrimination, answer["correct"])
            for answer in asked
            if answer["question"] in by_id and (skill is None or by_id[answer["question"]].skill == skill)]


def skills_of(pool):
    """The pool's skills in order of first appearance."""
    seen = []
    for item in pool:
        if item.skill not in seen:
            seen.append(item.skill)
    return seen


def _as_triples(pool):
    return [(item.id, item.difficulty, item.discrimination) for item in pool]


def next_adaptive(pool, asked, budget, target_se):
    """The next question's id, or None when the adaptive session is over."""
    theta, se = irt.estimate(responses(asked, pool))
    done = {answer["question"] for answer in asked}
    remaining = sum(1 for item in pool if item.id not in done)
    if irt.should_stop(se, len(asked), budget, target_se, remaining):
        return None
    return irt.next_item(theta, _as_triples(pool), done)


def placement_budget(pool, budget):
    """The questions a placement asks at most: the author's budget, raised to the minimum per skill."""
    return max(budget, PLACEMENT_MIN_ANSWERS * len(skills_of(pool)))


def next_placement(pool, asked, budget, target_se):
    """The next question's id, or None when the placement session is over."""
    if len(asked) >= placement_budget(pool, budget):
        return None
    done = {answer["question"] for answer in asked}
    best, chosen_theta, chosen_items = None, 0.0, None
    for skill in skills_of(pool):
        left = [item for item in pool if item.skill == skill and item.id not in done]
        if not left:
            continue
        answers = responses(asked, pool, skill)
        theta, se = irt.estimate(answers)
        short = len(answers) < PLACEMENT_MIN_ANSWERS
        if not short and se < target_se:
            continue
        rank = (short, -len(answers) if short else 0, se)  # fewest answers first, then the widest estimate
        if best is None or rank > best:
            best, chosen_theta, chosen_items = rank, theta, left
    if chosen_items is None:
        return None
    return irt.next_item(chosen_theta, _as_triples(chosen_items))


def plan_recheck(pool, evidence_answers, recall_by_skill, budget):
    """
    The question ids of a re-check, fixed at its start: skills with the lowest recall first
    (skills never answered, with no recall, are left out), one question per skill in turn.
    ``evidence_answers`` are the learner's earlier answers (same shape as ``asked``).
    """
    ranked = sorted((recall, index, skill) for index, (skill, recall) in enumerate(recall_by_skill.items())
                    if recall is not None and any(item.skill == skill for item in pool))
    queues = {}
    for _, _, skill in ranked:
        theta, _ = irt.estimate(responses(evidence_answers, pool, skill))
        ordered, left = [], [item for item in pool if item.skill == skill]
        while left:
            choice = irt.next_item(theta, _as_triples(left))
            ordered.append(choice)
            left = [item for item in left if item.id != choice]
        queues[skill] = ordered
    chosen = []
    while len(chosen) < budget and any(queues.values()):
        for _, _, skill in ranked:
            if queues[skill] and len(chosen) < budget:
                chosen.append(queues[skill].pop(0))
    return chosen


def standard(pool):
    """
    The ability a pool's mastery is measured against: where a question of the pool's mean difficulty
    and discrimination is answered right with probability ``MASTERY_CHANCE``.
    """
    if not pool:
        return 0.0
    difficulty = sum(item.difficulty for item in pool) / len(pool)
    discrimination = sum(item.discrimination for item in pool) / len(pool)
    return difficulty + math.log(MASTERY_CHANCE / (1 - MASTERY_CHANCE)) / discrimination


def adaptive_result(pool, asked):
    """``{"theta", "se", "mastery", "earned", "possible"}`` of an adaptive session: earned is mastery times possible."""
    answered = responses(asked, pool)
    theta, se = irt.estimate(answered)
    chance = irt.mastery_probability(answered, standard(pool))
    return {"theta": theta, "se": se, "mastery": chance, "earned": round(chance * len(pool), 2),
            "possible": float(len(pool))}


def placement_result(pool, asked, cut_percent):
    """
    Per skill: ``{"theta", "se", "percent", "mastered", "answered"}``: percent is the estimated mastery
    (0..100); mastered needs ``PLACEMENT_MIN_ANSWERS`` answers and percent at least ``cut_percent``.
    """
    result = {}
    for skill in skills_of(pool):
        items = [item for item in pool if item.skill == skill]
        answered = responses(asked, pool, skill)
        theta, se = irt.estimate(answered)
        percent = round(100.0 * irt.mastery_probability(answered, standard(items)), 2)
        result[skill] = {"theta": round(theta, 4), "se": round(se, 4), "percent": percent,
                         "mastered": len(answered) >= min(PLACEMENT_MIN_ANSWERS, len(items))
                         and meets(percent, cut_percent, 100), "answered": len(answered)}
    return result
