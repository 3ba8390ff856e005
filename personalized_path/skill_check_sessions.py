"""
The skill check's one-question-at-a-time modes: adaptive, placement and re-check.

The models (2PL item response theory, FSRS-6 memory) and the session state live in
``core.adaptive``, ``core.irt``, ``core.forgetting`` and ``core.skill_check``; this mixin holds
the settings, the two handlers and what other blocks read (dated evidence, placement results,
review dates). The skill check's fixed mode is untouched by it.
"""
import logging
from datetime import timedelta

from xblock.fields import Scope

from .fields import Boolean, Dict, Float, Integer, String
from .dates import parse_iso
from .handlers import json_api
from .links import BlockReferenceList
from .core import N_, adaptive, irt, mastery
from .core import skill_check as core
from .core.payload import PayloadError, only_keys
from .core.state import stored_time


log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them

MAX_BUDGET = 30
MAX_RECHECK_INTERVAL = 365


class SkillCheckSessionsMixin:
    """Adaptive, placement and re-check modes of the skill check."""

    check_mode = String(
        display_name=_("Mode"), default="fixed", scope=Scope.settings,
        values=[{"display_name": _("Every question at once (fixed)"), "value": "fixed"},
                {"display_name": _("Adaptive: one question at a time, chosen by the answers so far"),
                 "value": adaptive.ADAPTIVE},
                {"display_name": _("Placement: adaptive over several skills, to test out"),
                 "value": adaptive.PLACEMENT},
                {"display_name": _("Re-check: a few mixed questions on the skills that have faded most"),
                 "value": adaptive.RECHECK}],
        help=_("In every mode but fixed, learners answer one question at a time."),
    )
    question_budget = Integer(
        display_name=_("Questions asked at most"), default=8, scope=Scope.settings,
        values={"min": 1, "max": MAX_BUDGET, "step": 1},
        help=_("Adaptive, placement and re-check modes ask at most this many questions; "
               "the questions you write are the pool they are drawn from, so write more than this."),
    )
    target_precision = Float(
        display_name=_("Stop when the estimate is this precise"), default=0.5, scope=Scope.settings,
        values={"min": 0.1, "max": 1.0, "step": 0.05},
        help=_("Adaptive and placement modes stop early once the standard error of the learner's estimate "
               "(on a scale where most learners lie between -2 and 2) is below this."),
    )
    placement_cut = Float(
        display_name=_("Placement: percent for a skill to count as mastered"), default=80.0,
        scope=Scope.settings, values={"min": 0, "max": 100, "step": 1},
    )
    recheck_interval_days = Integer(
        display_name=_("Re-check: days between re-checks"), default=7, scope=Scope.settings,
        values={"min": 1, "max": MAX_RECHECK_INTERVAL, "step": 1},
    )
    recheck_sources = BlockReferenceList(
        display_name=_("Re-check: other skill checks whose answers count"), default=[], scope=Scope.settings,
        help=_("The re-check picks the skills the learner is most likely to have forgotten, from their answers "
               "here and in these skill checks."),
    )
    calibrate_difficulty = Boolean(
        display_name=_("Refine difficulty from the class's answers"), default=True, scope=Scope.settings,
        help=_("Once at least 50 learners have answered a question, its difficulty follows their answers, "
               "never more than one step from yours."),
    )
    calibration_answers = Dict(
        scope=Scope.user_state, default={},
        help="This learner's first answer to each question: [ability band, 1 if correct], as the class counts hold it.",
    )
    class_calibration = Dict(
        scope=Scope.user_state_summary,
        help="Anonymous counts per question and ability band of first answers, for difficulty calibration.",
    )

    # --- reading --------------------------------------------------------------------------------

    @property
    def in_session_mode(self):
        return self.check_mode in core.SESSION_MODES

    def pool(self):
        """The usable questions as IRT items (difficulties refined by the class when allowed)."""
        calibration = self.class_calibration if self.calibrate_difficulty else {}
        return adaptive.items_from_questions(self.usable_questions(), _clean_calibration(calibration))

    def current_question(self, state):
        """The session's next question dict, or None."""
        if not state.get("session"):
            return None
        next_id = core.next_question_id(state, self.pool(), self.question_budget, self.target_precision)
        return {question["id"]: question for question in self.usable_questions()}.get(next_id)

    def recheck_opens(self, state):
        """When this learner may take the next re-check (None: now)."""
        last = parse_iso(state.get("last_recheck"))
        if last is None:
            return None
        opens = last + timedelta(days=self.recheck_interval_days)
        return opens if opens > self.now() else None

    def session_context(self, state):
        """What the template needs for the one-question-at-a-time modes."""
        question = self.current_question(state)
        session = state.get("session")
        asked = session["asked"] if session else []
        last = asked[-1] if asked else self._last_of_finished(state)
        by_id = {item["id"]: item for item in self.usable_questions()}
        feedback = []
        if last and last["question"] in by_id:
            feedback = [choice for choice in by_id[last["question"]]["choices"]
                        if choice["id"] in last["chosen"] and choice.get("feedback")]
        opens = self.recheck_opens(state) if self.check_mode == adaptive.RECHECK else None
        return {
            "session_mode": self.check_mode,
            "in_session": session is not None,
            "current": question and {"question": core.public_questions([question])[0],
                                     "multiple": question.get("kind", "single") == "multiple"},
            "number": len(asked) + 1,
            "budget": self.question_budget,
            "last_answer": last and {"correct": last["correct"], "feedback": feedback,
                                     "prompt": by_id.get(last["question"], {}).get("prompt", "")},
            "placement": sorted((state.get("placement") or {}).items()),
            "recheck_opens": opens,
            "nothing_to_recheck": self.check_mode == adaptive.RECHECK and not self.recall_by_skill(),
        }

    @staticmethod
    def _last_of_finished(state):
        """The last answer of the latest finished session, for its feedback on the result page."""
        newest = core.latest(state)
        if not newest or newest.get("mode") not in core.SESSION_MODES or not newest["results"]:
            return None
        result = newest["results"][-1]
        return dict(result, chosen=newest["answers"].get(result["question"], []))

    # --- handlers -------------------------------------------------------------------------------

    @json_api
    def start_session(self, data, suffix=""):  # pylint: disable=unused-argument
        """Start an adaptive, placement or re-check session (uses one attempt)."""
        only_keys(data, ())
        if not self.in_session_mode:
            raise PayloadError("mode", N_("This check asks every question at once."))
        state = self.check_can_attempt(self.state())
        if state.get("session"):
            raise PayloadError("session", N_("You are already answering this check; the page shows your question."))
        plan = ()
        if self.check_mode == adaptive.RECHECK:
            opens = self.recheck_opens(state)
            if opens is not None:
                raise PayloadError("session", N_("Your next re-check opens on %(date)s."),
                                   date=opens.date().isoformat())
            plan = adaptive.plan_recheck(self.pool(), [], self.recall_by_skill(), self.question_budget)
            if not plan:
                raise PayloadError("session", N_("There is nothing to re-check yet: answer a skill check first."))
        new_state = core.start_session(state, self.check_mode, self.now_text(), plan)
        new_state = core.showing(new_state, core.next_question_id(new_state, self.pool(), self.question_budget,
                                                                  self.target_precision))
        self.learner_state = new_state
        self.publish("session_started", {"mode": self.check_mode, "attempt": new_state["used"]})
        return self.answer_payload(new_state)

    @json_api
    def answer(self, data, suffix=""):  # pylint: disable=unused-argument
        """Grade the session's current question; finish the session when it is over."""
        state = self.state()
        question = self.current_question(state)
        if question is None:
            raise PayloadError("session", N_("There is no question waiting for an answer; start the check first."))
        chosen = core.parse_one_answer(data, question)
        when = self.now_text()
        theta_before, se_before = self._estimate_before(state, question)
        # Counted for the class only when the learner's own estimate is informed: a first answer, at
        # the prior mean, would pull every difficulty toward the middle.
        first_time = not self._answered_before(state, question["id"]) and se_before <= irt.CALIBRATION_MAX_SE
        new_state, entry = core.answer_in_session(state, question, chosen, when)
        self.publish("answered", {"question": question["id"], "skill": question["skill"],
                                  "correct": entry["correct"], "mode": self.check_mode})
        shown_next = core.next_question_id(new_state, self.pool(), self.question_budget, self.target_precision)
        new_state = self.finish(new_state, when) if shown_next is None else core.showing(new_state, shown_next)
        self.learner_state = new_state
        if self.calibrate_difficulty:
            self._count_for_calibration(question["id"] if first_time else None, theta_before, entry["correct"])
        return self.answer_payload(new_state)

    def finish(self, state, when):
        """Keep the finished session as a graded attempt and publish its grade."""
        finished = core.finish_session(state, self.pool(), when, self.placement_cut)
        self.record_finished_attempt(state, finished)
        return finished

    def _estimate_before(self, state, question):
        """
        ``(theta, se)``: the learner's own estimate before answering ``question``, from every answer
        they have given to this pool (kept attempts and this session); per skill in placement mode.
        """
        earlier = [result for attempt in state["attempts"] for result in attempt["results"]]
        earlier += state["session"]["asked"]
        skill = question["skill"] if self.check_mode == adaptive.PLACEMENT else None
        return irt.estimate(adaptive.responses(earlier, self.pool(), skill))

    def _answered_before(self, state, question_id):
        earlier = [result["question"] for attempt in state["attempts"] for result in attempt["results"]]
        earlier += [entry["question"] for entry in state["session"]["asked"]]
        return question_id in earlier

    def _count_for_calibration(self, question_id, theta, correct):
        """Keep this learner's first answer to the question, and count it in the class's counts."""
        answers = dict(self.calibration_answers) if isinstance(self.calibration_answers, dict) else {}
        if question_id is not None:
            answers[question_id] = [irt.ability_bin(theta), 1 if correct else 0]
            self.calibration_answers = answers
        # Every answer also brings the counts in line with them (base.count_in_class), so an update
        # missed earlier is made now.
        self.count_in_class("class_calibration", {}, answers, move_calibration)

    # --- for other blocks -----------------------------------------------------------------------

    def skill_evidence(self):
        """``{skill: [(ISO date, 1.0 or 0.0), ...]}``: every kept answer, dated (for time-aware mastery)."""
        return core.skill_evidence(self.state_to_read())

    def placement_results(self):
        """``{skill: {"percent", "mastered", ...}}`` of this learner's latest placement, or {}."""
        return dict(self.state_to_read().get("placement") or {})

    def recall_by_skill(self):
        """``{skill: recall now}`` (``mastery.recall``, as the gate reads it) from here and the re-check sources."""
        evidence = {}
        for block in [self] + self.recheck_blocks():
            try:
                found = block.skill_evidence()
            except Exception:  # pylint: disable=broad-except
                log.warning("%s: cannot read the skill evidence of %s", self.scope_ids.usage_id, block)
                continue
            for skill, rows in found.items():
                evidence.setdefault(skill, []).extend(rows)
        now = self.now()
        recall = {}
        for skill, rows in sorted(evidence.items()):
            try:
                recall[skill] = mastery.estimate("recall", rows, now=now)
            except PayloadError:
                recall[skill] = None
        return recall

    def recheck_blocks(self):
        """The re-check sources that load (missing, deleted or other kinds of blocks are skipped)."""
        return self.linked_by("recheck_sources") if isinstance(self.recheck_sources, list) else []

    def review_due(self):
        """``{skill: ISO date}`` when each skill's recall (``mastery.recall``) is expected to fall to 90%."""
        due = {}
        for skill, rows in core.skill_evidence(self.state()).items():
            try:
                when = mastery.review_due(mastery.history(rows))
            except PayloadError:
                continue
            if when is not None:
                due[skill] = stored_time(when)
        return due

    # --- Studio ---------------------------------------------------------------------------------

    def session_config_problems(self, data):
        """Problems with the session settings in ``data`` (Studio's preview of the new values)."""
        problems = []
        mode = getattr(data, "check_mode", "fixed")
        if mode not in core.MODES:
            problems.append(PayloadError("check_mode", N_("Choose one of the modes offered.")))
            return problems
        budget = getattr(data, "question_budget", 0)
        if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
            problems.append(PayloadError("question_budget", N_("Ask from 1 to %(maximum)s questions."),
                                         maximum=MAX_BUDGET))
        elif mode in core.SESSION_MODES and isinstance(data.questions, list) and len(data.questions) < budget:
            problems.append(PayloadError(
                "question_budget", N_("The pool has %(pool)s questions but the check asks up to %(budget)s: "
                                      "write more questions or ask fewer."),
                pool=len(data.questions), budget=budget))
        for name, low, high, message in (
                ("target_precision", 0.1, 1.0, N_("The precision must be from 0.1 to 1.")),
                ("placement_cut", 0, 100, N_("The placement percent must be from 0 to 100.")),
                ("recheck_interval_days", 1, MAX_RECHECK_INTERVAL,
                 N_("Days between re-checks must be from 1 to 365."))):
            value = getattr(data, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                problems.append(PayloadError(name, message))
        return problems


def move_calibration(stored, old, new):
    """
    The class counts with one learner's first answers ``old`` replaced by ``new`` (each
    ``{question id: [ability bin, 1 if correct else 0]}``); malformed entries count as nothing.
    """
    counts = _clean_calibration(stored)
    delta = {}
    for answers, step in ((old, -1), (new, 1)):
        for question_id, answer in (answers.items() if isinstance(answers, dict) else ()):
            if isinstance(answer, list) and len(answer) == 2 and answer[0] in range(len(irt.BIN_CENTRES)) \
                    and answer[1] in (0, 1):
                bins = delta.setdefault(str(question_id), irt.empty_bins())
                bins["n"][answer[0]] += step
                bins["correct"][answer[0]] += step * answer[1]
    for question_id, change in delta.items():
        if question_id not in counts and len(counts) >= core.MAX_QUESTIONS * 2:
            continue
        bins = counts.setdefault(question_id, irt.empty_bins())
        for name in ("n", "correct"):
            bins[name] = [max(0, count + step) for count, step in zip(bins[name], change[name])]
    return counts


def _clean_calibration(stored):
    """Class counts as stored, keeping only well-formed entries (a garbled summary never breaks a view)."""
    clean = {}
    for key, bins in (stored or {}).items() if isinstance(stored, dict) else ():
        if isinstance(bins, dict) and all(
                isinstance(bins.get(name), list) and len(bins[name]) == len(irt.BIN_CENTRES)
                and all(isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in bins[name])
                for name in ("n", "correct")):
            clean[str(key)] = {"n": list(bins["n"]), "correct": list(bins["correct"])}
    return clean
