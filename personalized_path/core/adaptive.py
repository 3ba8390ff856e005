"""
Adaptive, placement and re-check sessions of a skill check, on top of ``irt`` and ``forgetting``.

A session asks one question at a time. ``asked`` is the list of answered questions so far, each
``{"question": id, "skill": skill, "correct": bool}``; the pool is the author's questions as
``Item``s (difficulty and discrimination on the 2PL scale, the difficulty refined from the
class's answers where there are enough of them).

* adaptive: one ability for the whole check. The next question is the pool's most informative
  at the current EAP estimate; the session ends when the standard error is below the author's
  target or the budget is spent. The score is the expected number of the pool's questions the
  learner would answer correctly at the final estimate (the test characteristic curve), so a
  learner who gets harder questions is not penalised for it.
* placement: one ability per skill. The next question belongs to the skill whose estimate is
  least precise (ties: first skill in pool order), and is that skill's most informative question
  at that skill's estimate; the session ends when every skill is precise enough or the budget is
  spent. Each skill's result is its expected share of the skill's questions at the final estimate.
* re-check: a short mixed set fixed at the start: the skills whose recall probability is lowest
  first, one question per skill in turn (the most informative at that skill's estimate from the
  earlier answers), up to the budget.
"""
from dataclasses import dataclass

from . import irt

ADAPTIVE, PLACEMENT, RECHECK = "adaptive", "placement", "recheck"


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


def next_placement(pool, asked, budget, target_se):
    """The next question's id, or None when the placement session is over."""
    if len(asked) >= budget:
        return None
    done = {answer["question"] for answer in asked}
    widest, chosen_theta, chosen_items = -1.0, 0.0, None
    for skill in skills_of(pool):
        left = [item for item in pool if item.skill == skill and item.id not in done]
        if not left:
            continue
        answers = responses(asked, pool, skill)
        theta, se = irt.estimate(answers)
        if answers and se < target_se:
            continue
        if se > widest + 1e-12:
            widest, chosen_theta, chosen_items = se, theta, left
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


def expected_score(theta, pool):
    """Expected number of the pool's questions answered correctly at ``theta``."""
    return sum(irt.probability(theta, item.difficulty, item.discrimination) for item in pool)


def adaptive_result(pool, asked):
    """``{"theta", "se", "earned", "possible"}`` of a finished adaptive session."""
    theta, se = irt.estimate(responses(asked, pool))
    return {"theta": theta, "se": se, "earned": round(expected_score(theta, pool), 2), "possible": float(len(pool))}


def placement_result(pool, asked, cut_percent):
    """Per skill: ``{"theta", "se", "percent", "mastered", "answered"}`` (percent 0..100 on the skill's questions)."""
    result = {}
    for skill in skills_of(pool):
        items = [item for item in pool if item.skill == skill]
        answered = responses(asked, pool, skill)
        theta, se = irt.estimate(answered)
        percent = round(100.0 * expected_score(theta, items) / len(items), 2)
        result[skill] = {"theta": round(theta, 4), "se": round(se, 4), "percent": percent,
                         "mastered": bool(answered) and percent >= cut_percent, "answered": len(answered)}
    return result
