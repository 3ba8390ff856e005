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

from . import N_, adaptive, count_of, irt, mastery
from .payload import PayloadError, authored_item, as_list, as_object, as_slug, as_text, only_keys, require
from .state import (COUNT, FLAG, TEXT, ListOf, MapOf, Number, OneOf, Optional, Record, StateShape, StateShapeError,
                    keep_newest)

KINDS = ("single", "multiple")
MAX_QUESTIONS = 60
MIN_CHOICES, MAX_CHOICES = 2, 10
PROMPT_MAX_CHARS = 1000
CHOICE_MAX_CHARS = 300
FEEDBACK_MAX_CHARS = 500
MAX_ATTEMPTS_LIMIT = 100
HISTORY_CAP = 50
STATE_VERSION = 3
MODES = ("fixed", adaptive.ADAPTIVE, adaptive.PLACEMENT, adaptive.RECHECK)
SESSION_MODES = MODES[1:]


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
    authored_item(question, where, ("id", "prompt", "kind", "choices", "correct", "skill", "difficulty",
                                    "discrimination"), seen)
    as_text(require(question, "prompt", where), f"{where}.prompt", PROMPT_MAX_CHARS, min_chars=1)
    kind = question.get("kind", "single")
    if kind not in KINDS:
        raise PayloadError(f"{where}.kind", N_('The kind must be "single" or "multiple".'))
    as_slug(require(question, "skill", where), f"{where}.skill")
    if "difficulty" in question:
        irt.as_difficulty(question["difficulty"], f"{where}.difficulty")
    if "discrimination" in question:
        irt.as_discrimination(question["discrimination"], f"{where}.discrimination")
    choices = as_list(require(question, "choices", where), f"{where}.choices", max_items=MAX_CHOICES)
    if len(choices) < MIN_CHOICES:
        raise PayloadError(f"{where}.choices", N_("A question needs from %(minimum)s to %(maximum)s choices."),
                           minimum=MIN_CHOICES, maximum=MAX_CHOICES)
    choice_ids = set()
    for number, choice in enumerate(choices):
        place = f"{where}.choices[{number}]"
        authored_item(choice, place, ("id", "text", "feedback"), choice_ids)
        as_text(require(choice, "text", place), f"{place}.text", CHOICE_MAX_CHARS, min_chars=1, multiline=False)
        as_text(choice.get("feedback", ""), f"{place}.feedback", FEEDBACK_MAX_CHARS)
    correct = as_list(require(question, "correct", where), f"{where}.correct", max_items=MAX_CHOICES)
    for choice_id in correct:
        if not isinstance(choice_id, str) or choice_id not in choice_ids:
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
    return {"version": STATE_VERSION, "used": 0, "attempts": [], "score": None,
            "session": None, "placement": None, "last_recheck": None}


def _from_version_1(state):
    """Version 2 adds one-question-at-a-time sessions, the latest placement and the last re-check."""
    return dict(state, session=None, placement=None, last_recheck=None)


CHOSEN = ListOf(TEXT)
SCORE = Record(required={"earned": Number(0, MAX_QUESTIONS), "possible": Number(0, MAX_QUESTIONS)})
RESULT = Record(required={"question": TEXT, "correct": FLAG, "skill": TEXT}, optional={"at": TEXT})
ATTEMPT = Record(required={"answers": MapOf(CHOSEN), "results": ListOf(RESULT), "at": TEXT,
                           "earned": Number(0, MAX_QUESTIONS), "possible": Number(0, MAX_QUESTIONS)},
                 optional={"mode": OneOf(*SESSION_MODES)})
SESSION = Record(required={"mode": OneOf(*SESSION_MODES), "started": TEXT, "plan": ListOf(TEXT),
                           "asked": ListOf(Record(required={"question": TEXT, "skill": TEXT, "correct": FLAG,
                                                            "chosen": CHOSEN, "at": TEXT}))},
                 optional={"current": Optional(TEXT)})
STORED_SHAPE = Record(required={
    "used": COUNT, "attempts": ListOf(ATTEMPT), "score": Optional(SCORE), "session": Optional(SESSION),
    "placement": Optional(MapOf(Record(required={"mastered": FLAG, "percent": Number()}))),
    "last_recheck": Optional(TEXT),
})


def _from_version_2(state):
    """Version 3 keeps the question a session shows (None: chosen afresh, as version 2 did)."""
    session = state["session"]
    return dict(state, session=dict(session, current=None) if isinstance(session, dict) else session)


def _check_state(state):
    """What the declared shape cannot say: no more attempts kept than made, nor more earned than possible."""
    if state["used"] < len(state["attempts"]):
        raise StateShapeError("used is not a count of the attempts")
    for score in [state["score"]] + state["attempts"]:
        if score is not None and score["earned"] > score["possible"]:
            raise StateShapeError("earned more than possible")


STATE_SHAPE = StateShape(version=STATE_VERSION, default=empty_state, shape=STORED_SHAPE, check=_check_state,
                         migrations={1: _from_version_1, 2: _from_version_2})


def record_attempt(state, answers, questions, when):
    """A new state with this graded attempt appended and its score as the current score."""
    results, earned, possible = grade(answers, questions)
    attempt = {"at": when, "answers": answers, "results": results, "earned": earned, "possible": possible}
    return keep_newest(dict(state, version=STATE_VERSION, used=state["used"] + 1,
                            score={"earned": earned, "possible": possible}),
                       "attempts", state["attempts"] + [attempt], HISTORY_CAP)


def regrade_latest(state, questions):
    """A new state whose latest attempt is graded again against the current questions."""
    newest = latest(state)
    if newest is None:
        return state
    answers = dict(newest["answers"])
    if newest.get("mode") in SESSION_MODES:
        results, earned, possible = _regrade_session(newest, questions)
    else:
        results, earned, possible = grade(answers, questions)
    attempts = state["attempts"][:-1] + [dict(newest, results=results, earned=earned, possible=possible)]
    return dict(state, attempts=attempts, score={"earned": earned, "possible": possible})


def latest(state):
    return state["attempts"][-1] if state["attempts"] else None


def all_correct(state):
    """Whether the stored score is every question right."""
    score = state.get("score")
    return bool(score and score["possible"] and mastery.meets(score["earned"], score["possible"], score["possible"]))


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


def skill_evidence(state):
    """``{skill: [(ISO date, 1.0 or 0.0), ...]}`` over all kept attempts: the reviews of each skill."""
    evidence = {}
    for attempt in state["attempts"]:
        for result in attempt["results"]:
            evidence.setdefault(result["skill"], []).append(
                (result.get("at", attempt["at"]), 1.0 if result["correct"] else 0.0))
    return evidence


# --- one question at a time: adaptive, placement and re-check sessions ----------------------------

def start_session(state, mode, when, plan=()):
    """A new state with a session started; starting uses one attempt."""
    return dict(state, used=state["used"] + 1,
                session={"mode": mode, "started": when, "asked": [], "plan": list(plan), "current": None})


def next_question_id(state, pool, budget, target_se):
    """
    The id of the session's next question, or None when the session is over. The question on the
    learner's screen (``session["current"]``, fixed when it was shown) stays the next one, even when
    the class's calibration has moved since; sessions stored before it was kept choose afresh.
    """
    session = state["session"]
    asked = session["asked"]
    done = {entry["question"] for entry in asked}
    known = {item.id for item in pool}
    current = session.get("current")
    if current is not None and current in known and current not in done:
        return current
    if session["mode"] == adaptive.ADAPTIVE:
        return adaptive.next_adaptive(pool, asked, budget, target_se)
    if session["mode"] == adaptive.PLACEMENT:
        return adaptive.next_placement(pool, asked, budget, target_se)
    return next((item for item in session["plan"] if item not in done and item in known), None)


def showing(state, question_id):
    """A new state whose session shows ``question_id`` next (fixed until it is answered)."""
    return dict(state, session=dict(state["session"], current=question_id))


def parse_one_answer(data, question):
    """Validate ``{"question": id, "answer": [choice ids]}`` for the session's current question."""
    only_keys(data, ("question", "answer"))
    if require(data, "question") != question["id"]:
        raise PayloadError("question", N_("This question has already been answered; the page shows the next one."))
    return parse_submission({"answers": {question["id"]: require(data, "answer")}}, [question])[question["id"]]


def answer_in_session(state, question, chosen, when):
    """A new state with one answer of the session recorded, and that answer's entry."""
    entry = {"question": question["id"], "skill": question["skill"], "chosen": list(chosen), "at": when,
             "correct": set(chosen) == set(question["correct"])}
    session = dict(state["session"], asked=state["session"]["asked"] + [entry], current=None)
    return dict(state, session=session), entry


def finish_session(state, pool, when, placement_cut):
    """
    A new state with the finished session kept as an attempt. Adaptive: the score is the estimated
    mastery times the pool's size. Placement and re-check: the questions asked, right out of asked;
    a placement also stores each skill's result.
    """
    session = state["session"]
    asked = session["asked"]
    if session["mode"] == adaptive.ADAPTIVE:
        result = adaptive.adaptive_result(pool, asked)
        earned, possible = result["earned"], result["possible"]
    else:
        earned, possible = float(sum(1 for entry in asked if entry["correct"])), float(len(asked))
    attempt = {
        "at": when, "mode": session["mode"],
        "answers": {entry["question"]: entry["chosen"] for entry in asked},
        "results": [{"question": entry["question"], "skill": entry["skill"], "correct": entry["correct"],
                     "at": entry["at"]} for entry in asked],
        "earned": earned, "possible": possible,
    }
    placement = state["placement"]
    if session["mode"] == adaptive.PLACEMENT:
        placement = adaptive.placement_result(pool, asked, placement_cut)
    return keep_newest(dict(state, session=None, score={"earned": earned, "possible": possible}, placement=placement,
                            last_recheck=when if session["mode"] == adaptive.RECHECK else state["last_recheck"]),
                       "attempts", state["attempts"] + [attempt], HISTORY_CAP)


def _regrade_session(attempt, questions):
    """A session attempt's asked questions graded again, scored as the session's mode scores them."""
    by_id = {question["id"]: question for question in questions}
    asked = []
    for result in attempt["results"]:
        question = by_id.get(result["question"])
        if question is not None:
            chosen = attempt["answers"].get(result["question"], [])
            asked.append(dict(result, chosen=chosen, skill=question["skill"],
                              correct=set(chosen) == set(question["correct"])))
    results = [{key: entry[key] for key in ("question", "skill", "correct", "at") if key in entry} for entry in asked]
    if attempt["mode"] == adaptive.ADAPTIVE:
        outcome = adaptive.adaptive_result(adaptive.items_from_questions(questions), asked)
        return results, outcome["earned"], outcome["possible"]
    return results, float(sum(1 for entry in asked if entry["correct"])), float(len(asked))


# --- anonymous counts per question (user_state_summary) and previews --------------------------------

def results_by_question(attempt):
    """``{question id: right or not}`` of one graded attempt."""
    return {result["question"]: bool(result["correct"]) for result in attempt["results"]}


def _bucket(stored, name):
    value = stored.get(name)
    return value if isinstance(value, dict) else {}


def update_question_counts(summary, questions, previous, current):
    """
    Move one learner's latest results from ``previous`` (None on their first attempt) to ``current``.

    Shared by every learner and a read-modify-write in the LMS, so lost updates are tolerated:
    counts never go below zero, and questions no longer in the check are dropped (which bounds it).
    """
    stored = summary if isinstance(summary, dict) and summary.get("version") == 1 else {}
    ids = [question["id"] for question in questions]
    answered = {key: count_of(_bucket(stored, "answered").get(key)) for key in ids}
    right = {key: count_of(_bucket(stored, "right").get(key)) for key in ids}
    for results, step in ((previous or {}, -1), (current, 1)):
        for key, correct in results.items():
            if key in answered:
                answered[key] = max(0, answered[key] + step)
                if correct:
                    right[key] = max(0, right[key] + step)
    learners = count_of(stored.get("learners")) + (0 if previous else 1)
    return {"version": 1, "learners": learners, "answered": answered, "right": right}


def question_summary(summary, questions):
    """Per question: learners whose latest attempt answered it, got it right, and the share (or None)."""
    stored = summary if isinstance(summary, dict) and summary.get("version") == 1 else {}
    rows = []
    for question in questions:
        answered = count_of(_bucket(stored, "answered").get(question["id"]))
        right = min(answered, count_of(_bucket(stored, "right").get(question["id"])))
        rows.append({"question": question, "answered": answered, "correct": right,
                     "percent": 100.0 * right / answered if answered else None})
    return {"learners": count_of(stored.get("learners")), "rows": rows}


def sample_answers(questions, right):
    """Answers that get the questions whose ids are in ``right`` right and the others wrong, for previews."""
    answers = {}
    for question in questions:
        correct = list(question["correct"])
        wrong = [choice["id"] for choice in question["choices"] if choice["id"] not in correct]
        if question["id"] in right:
            answers[question["id"]] = correct
        elif question.get("kind", "single") == "multiple":
            answers[question["id"]] = correct[:1] + wrong[:1] if wrong else correct[:-1] or correct
        else:
            answers[question["id"]] = wrong[:1] or correct
    return answers
