"""
Proposing groups for 10,000 learners (issue 27's target: under 2 s), for each kind of group.

The class is simulated: three skills, a measured mastery per skill (a fifth of the values missing,
as for learners with no evidence yet) and up to three interests out of twelve topics, drawn from a
seeded generator so that every run groups the same class. Times are CPU seconds of ``propose`` (the
pure core the learning plan calls), the best and the median of ``BENCH_ROUNDS`` rounds (default 5);
measured, never asserted.

    .venv/bin/python benchmarks/bench_grouping.py
"""
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from personalized_path.core import grouping  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "10000"))
SKILLS = ("fractions", "reasoning", "measuring")
TOPICS = tuple(f"topic-{number}" for number in range(12))


def simulated_class(size, seed=27):
    rng = random.Random(seed)
    return [grouping.Learner(f"learner{number:05d}",
                             {skill: None if rng.random() < 0.2 else rng.uniform(0, 100) for skill in SKILLS},
                             tuple(rng.sample(TOPICS, rng.randint(0, 3))))
            for number in range(size)]


def main():
    learners = simulated_class(LEARNERS)
    print(f"Grouping {LEARNERS:,} learners, {ROUNDS} rounds (CPU seconds)")
    print(f"{'kind':<10} {'request':<12} {'best':>7} {'median':>7} {'groups':>7} {'spread':>7}")
    for kind in grouping.KINDS:
        for label, request in (("size 4", grouping.GroupingRequest(kind, SKILLS, size=4)),
                               ("30 groups", grouping.GroupingRequest(kind, SKILLS, count=30))):
            times = []
            for _round in range(ROUNDS):
                start = time.process_time()
                proposal = grouping.propose(learners, request, TOPICS)
                times.append(time.process_time() - start)
            spread = grouping.balance(proposal, learners)["spread"]
            print(f"{kind:<10} {label:<12} {min(times):7.3f} {statistics.median(times):7.3f} "
                  f"{len(proposal['groups']):7d} {spread:7.1f}")


if __name__ == "__main__":
    main()
