"""
Skill check: a short check of single- and multiple-answer questions, each tagged with a skill,
graded on the server.

A question is ``{"id", "prompt", "kind": "single"|"multiple", "choices": [{"id", "text",
"feedback"}], "correct": [choice ids], "skill"}``. A question is answered correctly when the
chosen set equals the correct set (all or nothing). The raw score of an attempt is the number
of questions answered correctly out of the number of questions.

Learner state keeps the graded attempts (answers, per-question results with the skill they
were tagged with at the time, and the score) in a bounded history, the number of attempts
used (which the attempts limit counts, even when old entries were dropped) and the published
score.
"""
import hashlib
import random

from . import N_
from .payload import PayloadError, as_list, as_object, as_slug, as_text, only_keys, require
from .state import StateShape, StateShapeError

KINDS = ("single", "multiple")
MAX_QUESTIONS = 30
MIN_CHOICES, MAX_CHOICES = 2, 10
PROMPT_MAX_CHARS = 1000
CHOICE_MAX_CHARS = 300
FEEDBACK_MAX_CHARS = 500
MAX_ATTEMPTS_LIMIT = 100
HISTORY_CAP = 50
STATE_VERSION = 1


# --- authoring -----------------------------------------------------------------------------

def validate_questions(questions):
    """Every problem with the author's questions, as PayloadErrors (at most one per question)."""
    try:
        as_list(questions, "questions", max_items=MAX_QUESTIONS)
    except PayloadError as error:
        return [error]
    if not questions:
        return [PayloadError("questions", N_("Add at least one question."))]
    problems = []
    seen = set()
    for index, question in enumerate(questions):
        try:
            _validate_question(question, f"questions[{index}]", seen)
        except PayloadError as error:
            problems.append(error)
    return problems


def _validate_question(question, where, seen):
    as_object(question, where)
    only_keys(question, ("id", "prompt", "kind", "choices", "correct", "skill"), where)
    question_id = as_slug(require(question, "id", where), f"{where}.id")
    if question_id in seen:
        raise PayloadError(f"{where}.id", N_("The id %(id)s is used twice."), id=question_id)
    seen.add(question_id)
    as_text(require(question, "prompt", where), f"{where}.prompt", PROMPT_MAX_CHARS, min_chars=1)
    kind = question.get("kind", "single")
    if kind not in KINDS:
        raise PayloadError(f"{where}.kind", N_('The kind must be "single" or "multiple".'))
    as_slug(require(question, "skill", where), f"{where}.skill")
    choices = as_list(require(question, "choices", where), f"{where}.choices", max_items=MAX_CHOICES)
    if len(choices) < MIN_CHOICES:
        raise PayloadError(f"{where}.choices", N_("A question needs from %(minimum)s to %(maximum)s choices."),
                           minimum=MIN_CHOICES, maximum=MAX_CHOICES)
    choice_ids = set()
    for number, choice in enumerate(choices):
        place = f"{where}.choices[{number}]"
        as_object(choice, place)
        only_keys(choice, ("id", "text", "feedback"), place)
        choice_id = as_slug(require(choice, "id", place), f"{place}.id")
        if choice_id in choice_ids:
            raise PayloadError(f"{place}.id", N_("The id %(id)s is used twice."), id=choice_id)
        choice_ids.add(choice_id)
        as_text(require(choice, "text", place), f"{place}.text", CHOICE_MAX_CHARS, min_chars=1, multiline=False)
        as_text(choice.get("feedback", ""), f"{place}.feedback", FEEDBACK_MAX_CHARS)
    correct = as_list(require(question, "correct", where), f"{where}.correct", max_items=MAX_CHOICES)
    for choice_id in correct:
        if choice_id not in choice_ids:
            raise PayloadError(f"{where}.correct", N_("The correct answer %(id)s is not one of the choices."),
                               id=str(choice_id)[:64])
    if len(set(correct)) != len(correct):
        raise PayloadError(f"{where}.correct", N_("A correct answer is listed twice."))
    if kind == "single" and len(correct) != 1:
        raise PayloadError(f"{where}.correct", N_("A single-answer question needs exactly one correct choice."))
    if kind == "multiple" and not correct:
        raise PayloadError(f"{where}.correct", N_("A multiple-answer question needs at least one correct choice."))


def public_questions(questions):
    """The questions without answers or feedback: what may reach a browser or an app."""
    return [{
        "id": question["id"],
        "prompt": question["prompt"],
        "kind": question.get("kind", "single"),
        "skill": question["skill"],
        "choices": [{"id": choice["id"], "text": choice["text"]} for choice in question["choices"]],
    } for question in questions]


def ordered_questions(questions, shuffle, seed):
    """
    Question dicts in the order this learner sees them: the author's order, or a shuffle of
    the questions and of each question's choices that is the same every time for one seed.
    """
    result = [dict(question, choices=list(question["choices"])) for question in questions]
    if not shuffle:
        return result
    digest = hashlib.sha256(str(seed).encode("utf-8")).hexdigest()
    generator = random.Random(int(digest[:16], 16))
    generator.shuffle(result)
    for question in result:
        generator.shuffle(question["choices"])
    return result


# --- learner input -------------------------------------------------------------------------

def parse_submission(data, questions):
    """Validate ``{"answers": {question id: [choice ids]}}``; every question must be answered."""
    only_keys(data, ("answers",))
    answers = as_object(require(data, "answers"), "answers")
    by_id = {question["id"]: question for question in questions}
    for key in answers:
        if key not in by_id:
            raise PayloadError(f"answers.{key}"[:80], N_("There is no question with this id."))
    parsed = {}
    for question in questions:
        field = f"answers.{question['id']}"
        if question["id"] not in answers:
            raise PayloadError(field, N_("Answer every question."))
        chosen = as_list(answers[question["id"]], field, max_items=MAX_CHOICES)
        if not chosen:
            raise PayloadError(field, N_("Answer every question."))
        choice_ids = {choice["id"] for choice in question["choices"]}
        for choice_id in chosen:
            if not isinstance(choice_id, str) or choice_id not in choice_ids:
                raise PayloadError(field, N_("There is no choice with the id %(id)s in this question."),
                                   id=str(choice_id)[:64])
        if len(set(chosen)) != len(chosen):
            raise PayloadError(field, N_("A choice is listed twice."))
        if question.get("kind", "single") == "single" and len(chosen) != 1:
            raise PayloadError(field, N_("Choose exactly one answer for this question."))
        parsed[question["id"]] = list(chosen)
    return parsed


def grade(answers, questions):
    """Per-question results (in author order) and the raw score of one set of answers."""
    results = []
    for question in questions:
        chosen = answers.get(question["id"])
        correct = chosen is not None and set(chosen) == set(question["correct"])
        results.append({"question": question["id"], "skill": question["skill"], "correct": correct})
    earned = float(sum(1 for result in results if result["correct"]))
    return results, earned, float(len(questions))


# --- learner state -------------------------------------------------------------------------

def empty_state():
    return {"version": STATE_VERSION, "used": 0, "attempts": [], "score": None}


def _check_state(state):
    if not isinstance(state.get("attempts"), list):
        raise StateShapeError("attempts is not a list")
    used = state.get("used")
    if isinstance(used, bool) or not isinstance(used, int) or used < len(state["attempts"]):
        raise StateShapeError("used is not a count of the attempts")
    for attempt in state["attempts"]:
        if not isinstance(attempt.get("answers"), dict) or not isinstance(attempt.get("results"), list):
            raise StateShapeError("attempt is garbled")
        for result in attempt["results"]:
            if not isinstance(result.get("question"), str) or not isinstance(result.get("correct"), bool) \
                    or not isinstance(result.get("skill"), str):
                raise StateShapeError("result is garbled")
        _check_score(attempt)
        if not isinstance(attempt.get("at"), str):
            raise StateShapeError("attempt has no date")
    score = state.get("score")
    if score is not None:
        _check_score(score)


def _check_score(score):
    for key in ("earned", "possible"):
        value = score[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_QUESTIONS:
            raise StateShapeError(f"{key} is not a score")
    if score["earned"] > score["possible"]:
        raise StateShapeError("earned more than possible")


STATE_SHAPE = StateShape(version=STATE_VERSION, default=empty_state, check=_check_state)


def record_attempt(state, answers, questions, when):
    """A new state with this graded attempt appended and its score as the current score."""
    results, earned, possible = grade(answers, questions)
    attempt = {"at": when, "answers": answers, "results": results, "earned": earned, "possible": possible}
    return {
        "version": STATE_VERSION,
        "used": state["used"] + 1,
        "attempts": (state["attempts"] + [attempt])[-HISTORY_CAP:],
        "score": {"earned": earned, "possible": possible},
    }


def regrade_latest(state, questions):
    """A new state whose latest attempt is graded again against the current questions."""
    newest = latest(state)
    if newest is None:
        return state
    answers = dict(newest["answers"])
    results, earned, possible = grade(answers, questions)
    attempts = state["attempts"][:-1] + [dict(newest, results=results, earned=earned, possible=possible)]
    return dict(state, attempts=attempts, score={"earned": earned, "possible": possible})


def latest(state):
    return state["attempts"][-1] if state["attempts"] else None


def attempts_left(state, max_attempts):
    """Attempts the learner may still make, or None when unlimited (``max_attempts`` 0)."""
    if not max_attempts:
        return None
    return max(0, max_attempts - state["used"])


def skill_attempts(state):
    """``{skill: [1.0 or 0.0 per question answered, chronological over all kept attempts]}``."""
    evidence = {}
    for attempt in state["attempts"]:
        for result in attempt["results"]:
            evidence.setdefault(result["skill"], []).append(1.0 if result["correct"] else 0.0)
    return evidence


def skill_results(state):
    """``{skill: {"correct": int, "total": int}}`` for the latest attempt, in question order."""
    newest = latest(state)
    summary = {}
    for result in newest["results"] if newest else ():
        row = summary.setdefault(result["skill"], {"correct": 0, "total": 0})
        row["total"] += 1
        row["correct"] += 1 if result["correct"] else 0
    return summary


def percent(state):
    """The current score as 0..100, or None before any submission."""
    score = state.get("score")
    if not score or not score["possible"]:
        return None
    return round(100.0 * score["earned"] / score["possible"], 2)
