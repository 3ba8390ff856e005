"""
Mastery decisions with simulated learners (issue 21): how often each gate opens for whom.

For every check mode (fixed, adaptive, placement, re-check) and every estimator at its default
settings, simulated learners answer the real blocks through their handlers (``submit``,
``start_session``, ``answer``; the gates decide through ``check_again``), on the test harness's
runtime (``tests/simulated_learners.py``, which ``tests/blocks/test_mastery_decisions.py`` runs with
fewer learners and asserts the goals on). Seeded, so every run prints the same table.

Goals: false unlocks (guessers) <= 5%, missed unlocks (knowers) <= 5%, a wrong re-check never
unlocks, a knower of every skill is placed on every skill.

    .venv/bin/python benchmarks/bench_mastery_decisions.py   # BENCH_LEARNERS=120 per kind by default (3-4 minutes)
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalized_path.workbench.settings")

import django  # noqa: E402  pylint: disable=wrong-import-position

django.setup()

from tests import simulated_learners as sim  # noqa: E402  pylint: disable=wrong-import-position

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "120"))
SEED = int(os.environ.get("BENCH_SEED", "21"))


def percent(value):
    return "—" if value is None else f"{100 * value:.1f}%"


def gate_rows(mode, simulation):
    """One table row per gate of a mode."""
    tally = simulation.tally
    rows = []
    for gate in simulation.gates:
        missed = tally.rate("knower", gate)
        row = [mode, gate, percent(tally.rate("guesser", gate)), percent(None if missed is None else 1 - missed),
               percent(tally.rate("partial", gate))]
        if mode == "recheck":
            still = tally.rate(f"forgetter after {sim.FORGET_DAYS} days", gate)
            wrong = [tally.rate(f"forgetter {when}", gate)
                     for when in ("after the re-check", "a day after the re-check")]
            row += [percent(None if still is None else 1 - still), percent(max(wrong)),
                    percent(tally.rate("knower after the re-check", gate))]
        else:
            row += ["", "", ""]
        row.append(f"{tally.mean_asked('knower'):.1f} / {tally.mean_asked('guesser'):.1f}")
        rows.append(row)
    return rows


def placement_rows(simulation):
    placed = simulation.placed
    skills = 2

    def every(kind):
        return sum(1 for count in placed[kind] if count == skills) / len(placed[kind])

    def share(kind):
        return sum(placed[kind]) / (skills * len(placed[kind]))
    tally = simulation.tally
    return [["placement", "placed on a skill", percent(share("guesser")), percent(1 - every("knower")),
             percent(share("partial")), "", "", "",
             f"{tally.mean_asked('knower'):.1f} / {tally.mean_asked('guesser'):.1f}"],
            ["placement", "perfect learner placed on every skill", "", percent(1 - every("perfect")), "", "", "", "",
             f"{tally.mean_asked('perfect'):.1f}"]]


def main():
    started = time.time()
    rows = []
    for mode in ("fixed", "adaptive", "placement", "recheck"):
        simulation = sim.Simulation(mode, SEED).run(LEARNERS)
        rows += placement_rows(simulation) if mode == "placement" else gate_rows(mode, simulation)
    header = ["mode", "gate (estimator at its defaults)", "false unlock (guessers)", "missed unlock (knowers)",
              "partial knowers unlocked", f"relocked after {sim.FORGET_DAYS} days",
              "unlocked after a wrong re-check", "refreshed by a right re-check", "items asked (knower / guesser)"]
    print(f"Mastery decisions: {LEARNERS} simulated learners of each kind per mode, seed {SEED} "
          f"({time.time() - started:.0f} s)")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
