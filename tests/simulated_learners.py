"""
Simulated learners answering the real blocks through their handlers (``tests.harness``): the
mastery decisions the blocks make at their default settings, measured.

Used by ``benchmarks/bench_mastery_decisions.py`` (many learners, the table the README quotes)
and by ``tests/blocks/test_mastery_decisions.py`` (fewer learners, the goals asserted). Each learner is
one of:

* guesser: picks one of a question's 3 choices uniformly (right 1 time in 3);
* partial: right with probability 0.6;
* knower: right with probability 0.95;
* perfect: always right (placement);
* forgetter: a knower who comes back months later without review (re-check mode).

Every check mode is simulated: fixed (10 questions, one attempt), adaptive (a pool of 12, the
default budget), placement (2 skills of 10 questions, the default budget), re-check (a fixed check
on day 0, then ``FORGET_DAYS`` days later a gate with a refresh level and a re-check). Each mode
has one gate per estimator at its default settings and threshold (and, for adaptive checks, a gate
on the check's score at 80%), all reading the same checks; a learner's answers go through
``submit``, ``start_session`` and ``answer``, and the gates decide through ``check_again``.
"""
import json
import random
from dataclasses import dataclass, field

from personalized_path.core import mastery
from tests.harness import BlockEnv, call

CHOICES = ("a", "b", "c")
RIGHT_CHANCE = {"guesser": 1 / 3, "partial": 0.6, "knower": 0.95, "perfect": 1.0, "forgetter": 0.95}
ESTIMATORS = tuple(mastery.FUNCTIONS)
SCORE_GATE = "score 80%"
FORGET_DAYS = 90
REFRESH_BELOW = 70


def question(question_id, skill, difficulty):
    return {"id": question_id, "prompt": f"Question {question_id}", "kind": "single", "skill": skill,
            "difficulty": difficulty, "correct": ["a"],
            "choices": [{"id": choice, "text": f"Choice {choice}"} for choice in CHOICES]}


def bank(skill, count, prefix):
    """``count`` questions on ``skill`` with difficulties spread from -1 to 1."""
    return [question(f"{prefix}{index}", skill, round(-1 + 2 * index / max(1, count - 1), 2))
            for index in range(count)]


def shown_question(data):
    """The id of the question a session handler's answer puts on the learner's screen, or None."""
    html = "".join(data["parts"].values())
    marker = 'data-question="'
    return html.split(marker, 1)[1].split('"', 1)[0] if marker in html else None


def olx_text(value):
    return json.dumps(value).replace("&", "&amp;").replace("'", "&apos;")


@dataclass
class Tally:
    """Per learner kind and gate: learners, unlocks, questions asked."""

    learners: dict = field(default_factory=dict)
    unlocked: dict = field(default_factory=dict)
    asked: dict = field(default_factory=dict)

    def add(self, kind, gate, unlocked):
        self.learners[(kind, gate)] = self.learners.get((kind, gate), 0) + 1
        self.unlocked[(kind, gate)] = self.unlocked.get((kind, gate), 0) + (1 if unlocked else 0)

    def count_asked(self, kind, number):
        self.asked.setdefault(kind, []).append(number)

    def rate(self, kind, gate):
        total = self.learners.get((kind, gate), 0)
        return self.unlocked.get((kind, gate), 0) / total if total else None

    def mean_asked(self, kind):
        numbers = self.asked.get(kind, [])
        return sum(numbers) / len(numbers) if numbers else None


class Simulation:
    """One course per check mode: the check(s) and a gate per estimator, shared by every simulated learner."""

    def __init__(self, mode, seed):
        self.mode = mode
        self.env = BlockEnv()
        self.random = random.Random(f"{mode}:{seed}")
        self.tally = Tally()
        self.placed = {}  # learner kind -> [skills placed / skills]
        check_mode = "fixed" if mode == "recheck" else mode
        if mode == "placement":
            self.questions = bank("adding", 10, "a") + bank("multiplying", 10, "m")
        else:
            self.questions = bank("adding", 12 if mode == "adaptive" else 10, "q")
        self.check = self.env.load(
            f"<personalized_skill_check check_mode='{check_mode}' attempts_allowed='1' "
            f"questions='{olx_text(self.questions)}'/>")
        extra = {}
        if mode == "recheck":
            self.recheck = self.env.load(
                f"<personalized_skill_check check_mode='recheck' attempts_allowed='0' "
                f"recheck_sources='{olx_text([str(self.check)])}' questions='{olx_text(bank('adding', 10, 'r'))}'/>")
            extra = {"refresh_below": REFRESH_BELOW, "refresh_check": str(self.recheck)}
        self.gates = {}
        if mode != "placement":
            for method in ESTIMATORS:
                threshold = round(100 * mastery.default_threshold(method), 2)
                self.gates[method] = self.gate(skill_checks=[str(self.check)], estimator=method,
                                               skills=[{"skill": "adding", "threshold": threshold}], **extra)
        if mode == "adaptive":
            self.gates[SCORE_GATE] = self.gate(sources=[str(self.check)], threshold=80)

    def gate(self, **settings):
        attrs = " ".join(f"{name}='{olx_text(value) if not isinstance(value, str) else value}'"
                         for name, value in settings.items())
        return self.env.load(f"<personalized_mastery_gate {attrs}><html_demo><p>open</p></html_demo>"
                             "</personalized_mastery_gate>")

    def answer_for(self, kind):
        if kind == "guesser":
            return self.random.choice(CHOICES)
        return "a" if self.random.random() < RIGHT_CHANCE[kind] else self.random.choice(CHOICES[1:])

    def take(self, usage, learner, kind, wrong=False):
        """One attempt at the check ``usage`` through its handlers; the number of questions asked."""
        block = self.env.block(usage, learner)
        if block.check_mode == "fixed":
            answers = {item["id"]: [self.answer_for(kind)] for item in self.questions}
            status, data = call(block, "submit", {"answers": answers})
            assert status == 200, data
            return len(answers)
        status, data = call(block, "start_session", {})
        assert status == 200, data
        asked = 0
        while shown_question(data):
            status, data = call(self.env.block(usage, learner), "answer", {
                "question": shown_question(data), "answer": ["b" if wrong else self.answer_for(kind)]})
            assert status == 200, data  # the question on the screen is never refused
            asked += 1
        return asked

    def unlocked(self, gate, learner):
        status, data = call(self.env.block(gate, learner), "check_again", {})
        assert status == 200, data
        return data["unlocked"]

    def learner(self, kind, number):
        learner = f"{kind}-{number}"
        self.tally.count_asked(kind, self.take(self.check, learner, kind))
        if self.mode == "placement":
            results = self.env.block(self.check, learner).placement_results()
            self.placed.setdefault(kind, []).append(sum(1 for row in results.values() if row["mastered"]))
            return
        for name, gate in self.gates.items():
            self.tally.add(kind, name, self.unlocked(gate, learner))
        if self.mode != "recheck" or kind not in ("knower", "forgetter"):
            return
        self.env.clock.advance(FORGET_DAYS)
        try:
            for name, gate in self.gates.items():
                self.tally.add(f"{kind} after {FORGET_DAYS} days", name, self.unlocked(gate, learner))
            # The forgetter answers the re-check wrong; the knower answers it as a knower does.
            self.take(self.recheck, learner, kind, wrong=kind == "forgetter")
            for name, gate in self.gates.items():
                self.tally.add(f"{kind} after the re-check", name, self.unlocked(gate, learner))
            self.env.clock.advance(1)
            for name, gate in self.gates.items():
                self.tally.add(f"{kind} a day after the re-check", name, self.unlocked(gate, learner))
        finally:
            self.env.clock.advance(-FORGET_DAYS - 1)

    def run(self, learners_per_kind):
        kinds = {"placement": ("guesser", "partial", "knower", "perfect"),
                 "recheck": ("guesser", "knower", "forgetter")}.get(self.mode, ("guesser", "partial", "knower"))
        order = [(kind, number) for number in range(learners_per_kind) for kind in kinds]
        for kind, number in order:  # kinds interleaved, as a class answers
            self.learner(kind, number)
        return self


def run_all(learners_per_kind, seed=21):
    """Every mode simulated: ``{mode: Simulation}``."""
    return {mode: Simulation(mode, seed).run(learners_per_kind)
            for mode in ("fixed", "adaptive", "placement", "recheck")}
