"""
The mastery gate's sources: the conditions its settings make, each condition's value read on
the server from its linked block (through the runtime, bound to the current learner), and the
rule decided over them; and what the learning plan and the reports read of a gate.
"""
import logging
from dataclasses import replace

from .core import N_
from .core import gate as core
from .core import mastery
from .core import skills
from .core.payload import PayloadError

log = logging.getLogger(__name__)

MISSING = N_("This source is missing from the course, so it counts as not met. Tell your course team.")
UNREADABLE = N_("The score of this source could not be read, so it counts as not met. Tell your course team.")
UNAVAILABLE = N_("This condition cannot be checked here yet, so it counts as not met. Tell your course team.")


class GateSourcesMixin:
    """
    Reading and deciding a mastery gate's conditions, and storing the decision. The gate supplies
    its settings, ``_load`` (a linked block for this learner, once per evaluation), ``link_to``, and
    the base's ``now``, ``read_state`` and ``write_outside_handler``.
    """

    def conditions(self, data=None):
        """The rule's conditions from the current settings (or from ``data``, Studio's preview)."""
        return core.conditions_of(data or self)

    def evaluate(self):
        """Read every condition's value from its source now and apply the rule."""
        cache = {}
        results = []
        for condition in self.conditions():
            reading = self._read(condition, cache)
            results.append(core.Result(condition, reading, core.is_met(condition, reading)))
        routes = core.usable_routes(self.routes)
        state = self.read_state(core.STATE_SHAPE, self.learner_state)
        evaluation = core.keep_unlocked(core.evaluate(self.mode, results, routes), state, self.unlock_round, routes)
        if self.refresh_below and evaluation.unlocked:  # a relock the author asked for: recall has faded
            evaluation = core.with_refresh(evaluation, core.needing_refresh(self.recall_by_skill(cache),
                                                                            self.refresh_below))
        # The instructor's exception for this learner decides last.
        return core.with_exception(evaluation, self.current_exception(), routes)

    def current_exception(self):
        """The instructor's exception for this learner now, or None."""
        return self.read_state(core.EXCEPTION_SHAPE, self.instructor_exception)["current"]

    def is_unlocked(self):
        """For other blocks: whether the rule holds for this learner now (read from the sources)."""
        return self.evaluate().unlocked

    def skill_ids(self):
        """For the learning plan: the skills this gate's rule measures."""
        return [condition.skill for condition in self.conditions() if condition.kind == core.SKILL]

    def mastery_rules(self):
        """For the learning plan: per skill, how this gate measures it (estimator, params, threshold in %)."""
        try:
            params = mastery.validate_params(self.estimator, **dict(self.estimator_params or {}))
        except (PayloadError, TypeError, ValueError):
            return {}
        return {condition.skill: {"estimator": self.estimator, "params": params,
                                  "threshold": core.clean_number(condition.threshold, 0, 100)}
                for condition in self.conditions() if condition.kind == core.SKILL}

    def route_options(self):
        """For the learning plan: the routes learners can be on (id and label)."""
        return [{"id": route["id"], "label": route["label"]} for route in core.usable_routes(self.routes)]

    def summarize_state(self, state):
        """
        For the learning plan: a learner's stored gate state (all user-state fields, as the platform's
        user-state client returns them) in plain terms, with the instructor's exception applied.
        """
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        current = self.read_state(core.EXCEPTION_SHAPE, state.get("instructor_exception"))["current"]
        routes = core.usable_routes(self.routes)
        route = next((item for item in routes if item["id"] == stored["route"]), None)
        unlocked, route = core.exception_outcome(current, stored["unlocked"], route, routes)
        return {"unlocked": unlocked, "route": route["id"] if route else None,
                "reached_at": stored["reached_at"], "unlocked_at": stored["unlocked_at"], "exception": current}

    def exception_update(self, stored, data, by, when):
        """
        For the learning plan (staff): the new ``instructor_exception`` value with the audit entry
        (who, when, why) for the request ``data``; PayloadError naming the bad key.
        """
        action, route, reason = core.parse_exception(data, {route["id"] for route in self.route_options()})
        new_value = core.record_exception(self.read_state(core.EXCEPTION_SHAPE, stored), action=action, route=route,
                                          reason=reason, by=by, when=when)
        return new_value, new_value["history"][-1]

    def condition_words(self, condition, label):
        """``core.describe``'s message and parameters, a skill named by its framework label."""
        message, params = core.describe(condition, label)
        return message, dict(params, skill=self.skill_label(condition.skill)) if condition.skill else params

    def learner_summary(self):
        """For the learning plan: the current learner's gate, evaluated now, with what is still missing."""
        summary = self.summarize_state(self.own_user_state())
        evaluation = self.evaluate()
        unmet = []
        for result in evaluation.results:
            if not result.met:
                message, params = self.condition_words(result.condition, result.reading.label)
                source = result.condition.key if result.condition.kind != core.SKILL else \
                    (str(self.skill_checks[0]) if self.skill_checks else None)
                text = self.translated_once(("unmet", message), lambda message=message: self._(message))
                unmet.append({"kind": result.condition.kind, "source": source, "text": text % params})
        route = evaluation.route
        return dict(summary, unlocked=evaluation.unlocked, route=route["id"] if route else None,
                    route_label=route["label"] if route else None, mode=self.mode, unmet=unmet)

    # --- the decision, stored ------------------------------------------------------------------

    def remember(self, evaluation):
        """
        Store the latest evaluation (for reports and the mobile apps); publish unlock and route
        changes. Returns the evaluation as stored and whether anything but the time changed.

        A view stores it under the learner's lock too, with the state read afresh, so that it never
        overwrites what a handler of the same learner wrote meanwhile; if the fresh state differs
        from the copy the evaluation was made on (an unlock that sticks, say), it evaluates again.
        """
        keys = [core.condition_key(result.condition) for result in evaluation.results]
        copy = self.read_state(core.STATE_SHAPE, self.learner_state)
        if core.snapshot(copy, evaluation, keys, self.now_text(), self.unlock_round) is None:
            return evaluation, False  # nothing to store: no lock, no write
        outcome = [evaluation, False]

        def store():
            state = self.read_state(core.STATE_SHAPE, self.learner_state)
            if state != copy:
                outcome[0] = self.evaluate()
            new_state = core.snapshot(state, outcome[0], keys, self.now_text(), self.unlock_round)
            if new_state is None:
                return
            self.learner_state = new_state
            # Saved now, not at the end of the request: Open edX decides whether the children may be
            # opened from this stored evaluation (the gate's user partition), and renders them next.
            self.save_learner_write()
            outcome[1] = True
            if outcome[0].unlocked and not state["unlocked_at"]:
                self.publish("unlocked", {"route": new_state["route"], "values": new_state["values"]})
            elif new_state["route"] != state["route"] and new_state["route"] is not None:
                self.publish("routed", {"route": new_state["route"], "previous": state["route"]})

        self.write_outside_handler(store)
        return tuple(outcome)

    # --- reading one source -------------------------------------------------------------------

    def _read(self, condition, cache):
        if condition.kind == core.SKILL:
            return self._read_skill(condition, cache)
        block = self._load(condition.key, cache)
        if block is None:
            return core.Reading(problem=MISSING, label=condition.key)
        label = getattr(block, "display_name", None) or condition.key
        link = self.link_to(condition.key)
        try:
            if condition.kind == core.SCORE:
                return self._read_score(block, label, link)
            if condition.kind == core.SELF_LEVEL:
                level = block.learner_skill_levels().get(condition.skill)
                return core.Reading(value=core.clean_number(level), label=label, link=link)
            method = "is_board_complete" if condition.kind == core.BOARD else "has_goals_set"
            value = getattr(block, method)()
            return core.Reading(value=value is True, label=label, link=link)
        except Exception:  # pylint: disable=broad-except
            # A broken source is "not met", never a 500.
            log.warning("Mastery gate %s: cannot read %s", self.scope_ids.usage_id, condition.key, exc_info=True)
            return core.Reading(problem=UNAVAILABLE, label=label, link=link)

    def _read_score(self, block, label, link):
        attempts_left = self._attempts_left(block)
        if not getattr(block, "has_score", False):
            return core.Reading(problem=UNAVAILABLE, label=label, link=link)
        submitted = getattr(block, "has_submitted_answer", None)
        if callable(submitted) and not submitted():
            return core.Reading(label=label, link=link, attempts_left=attempts_left)
        score = block.get_score() if hasattr(block, "get_score") else None
        if score is None:
            return core.Reading(label=label, link=link, attempts_left=attempts_left)
        earned, possible = getattr(score, "raw_earned", None), getattr(score, "raw_possible", None)
        if not possible and hasattr(block, "max_score"):
            possible = block.max_score()
        percent = core.percent_from_score(earned, possible)
        if percent is None:
            log.warning("Mastery gate %s: ignoring unusable score %r of %r from %s",
                        self.scope_ids.usage_id, earned, possible, block.scope_ids.usage_id)
            return core.Reading(problem=UNREADABLE, label=label, link=link, attempts_left=attempts_left)
        return core.Reading(value=percent, label=label, link=link, attempts_left=attempts_left)

    @staticmethod
    def _attempts_left(block):
        try:
            left = block.attempts_left() if hasattr(block, "attempts_left") else None
        except Exception:  # pylint: disable=broad-except
            return None
        return left if isinstance(left, int) and not isinstance(left, bool) else None

    def watched_ids(self):
        """Usage ids of the blocks this gate reads, for its script to re-check when one is submitted."""
        refs = list(self.sources) + list(self.skill_checks)
        refs += [ref for ref in (self.self_assessment, self.choice_board, self.goal_reflection, self.refresh_check)
                 if ref]
        return " ".join(sorted({str(ref) for ref in refs}))

    def evidence_checks(self):
        """The skill checks whose answers are evidence: those listed, and the refresh re-check."""
        refs = list(self.skill_checks)
        if self.refresh_check and str(self.refresh_check) not in {str(ref) for ref in refs}:
            refs.append(self.refresh_check)
        return refs

    def skill_histories(self, cache):
        """
        ``({skill: dated answers from every evidence check}, {skill: placed}, {skill: link}, attempts left)``,
        read once per evaluation: the one evidence history every decision about a skill comes from.
        """
        if "skill_histories" in cache:
            return cache["skill_histories"]
        found, placements, links, lefts, loaded = [], [], {}, [], False
        for ref in self.evidence_checks():
            check = self._load(ref, cache)
            if check is None:
                continue
            loaded = True
            try:
                evidence = check.skill_evidence()
                placed = check.placement_results() if self.accept_placement and hasattr(
                    check, "placement_results") else {}
            except Exception:  # pylint: disable=broad-except
                log.warning("Mastery gate %s: cannot read skills of %s", self.scope_ids.usage_id, ref, exc_info=True)
                continue
            found.append(evidence)
            placements.append(placed)
            for skill in evidence:
                links.setdefault(skill, self.link_to(ref))
            lefts.append(self._attempts_left(check))
        left = sum(lefts) if lefts and all(item is not None for item in lefts) else None
        cache["skill_histories"] = mastery.merged_evidence(found, placements) + (links, left) if loaded else None
        return cache["skill_histories"]

    def decide_skill(self, skill, rows, threshold=None):
        """The one decision about ``skill`` from its evidence history (``mastery.decide``, this gate's estimator)."""
        return mastery.decide(self.estimator, rows, now=self.now(),
                              threshold=None if threshold is None else threshold / 100,
                              **dict(self.estimator_params or {}))

    def _read_skill(self, condition, cache):
        label = condition.skill
        found = self.skill_histories(cache)
        if found is None:
            return core.Reading(problem=MISSING, label=label)
        histories, placed, links, left = found
        link = links.get(condition.skill)
        threshold = core.clean_number(condition.threshold, 0, 100)
        kids = self.measured_children(condition.skill, histories) if condition.skill not in histories else []
        if kids:
            reading = self._read_parent(condition.skill, {kid: histories[kid] for kid in kids}, threshold)
            return replace(reading, link=links.get(kids[0]), attempts_left=left)
        try:
            decision = self.decide_skill(condition.skill, histories.get(condition.skill, []), threshold)
        except (PayloadError, TypeError, ValueError):
            log.warning("Mastery gate %s: ignoring unusable evidence for %s", self.scope_ids.usage_id, condition.skill)
            return core.Reading(problem=UNREADABLE, label=label, link=link)
        value = None if decision.value is None else decision.value * 100
        return core.Reading(value=value, label=label, link=link, attempts_left=left,
                            placed=placed.get(condition.skill, False),
                            mastered=decision.mastered and threshold is not None,  # an unusable threshold is unmet
                            needed=decision.needed if threshold is not None else None)

    def _read_parent(self, skill, kid_histories, threshold):
        """
        A framework parent skill no check asks about, read from its children's decisions (this gate's
        estimator and threshold each): mastered when all of them are (``skills.parent_mastered``, the
        plan's default rule), its value their mean.
        """
        try:
            decisions = [self.decide_skill(kid, rows, threshold) for kid, rows in kid_histories.items()]
        except (PayloadError, TypeError, ValueError):
            log.warning("Mastery gate %s: ignoring unusable evidence under %s", self.scope_ids.usage_id, skill)
            return core.Reading(problem=UNREADABLE, label=skill)
        values = [decision.value for decision in decisions if decision.value is not None]
        mastered = skills.parent_mastered([decision.mastered for decision in decisions], skills.DEFAULT_ROLLUP)
        return core.Reading(value=sum(values) / len(values) * 100 if values else None, label=skill,
                            mastered=mastered and threshold is not None)

    def recall_by_skill(self, cache):
        """``{skill: recall now (0..1) or None}`` for the gate's skills: ``mastery.recall`` over their histories."""
        histories = (self.skill_histories(cache) or ({},))[0]
        now = self.now()
        recall = {}
        for condition in self.conditions():
            if condition.kind == core.SKILL:
                try:
                    recall[condition.skill] = mastery.estimate("recall", histories.get(condition.skill, []), now=now)
                except PayloadError:
                    recall[condition.skill] = None
        return recall

    # --- reports -----------------------------------------------------------------------------------

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per learner who reached the gate: each condition's latest value, locked or unlocked, route."""
        labels = {route["id"]: route["label"] for route in core.usable_routes(self.routes)}
        keys = [core.condition_key(condition) for condition in self.conditions()]
        for count, user_state in enumerate(user_state_iterator):
            if limit_responses is not None and count >= limit_responses:
                return
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            summary = self.summarize_state(user_state.state)  # with the instructor's exception applied
            exception = summary["exception"]
            row = {key: "" if state["values"].get(key) is None else str(state["values"][key]) for key in keys}
            row.update({"status": "unlocked" if summary["unlocked"] else "locked",
                        "route": labels.get(summary["route"], summary["route"] or ""),
                        "evaluated_at": state["evaluated_at"] or "",
                        "exception": f"{exception['action']} by {exception['by']} at {exception['at']}: "
                                     f"{exception['reason']}" if exception else ""})
            yield user_state.username, row
