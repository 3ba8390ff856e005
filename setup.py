"""Packaging for personalized_path, a set of Open edX XBlocks for personalized learning."""
import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))

# The top-level static/, templates/ and translations/ are linked into the package
# (personalized_path/static -> ../static, ...) so the runtime finds them inside the installed package.
# openedx/templates: the edx-ace messages' templates, found by the LMS's app-directories template loader.
RESOURCE_DIRS = ("static", "templates", "translations", "scenarios", "openedx/templates")


def package_files():
    """Every resource file below the linked folders, relative to the package."""
    found = []
    package_root = os.path.join(HERE, "personalized_path")
    for folder in RESOURCE_DIRS:
        for root, _dirs, files in os.walk(os.path.join(package_root, folder), followlinks=True):
            for name in files:
                if name.endswith((".pyc", ".po~")):
                    continue
                found.append(os.path.relpath(os.path.join(root, name), package_root))
    return sorted(found) + ["workbench/studio_patch.js", "workbench/home.html", "workbench/messages.html"]


def readme():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as handle:
        return handle.read()


BLOCKS = {
    "personalized_self_assessment": "personalized_path:SelfAssessmentBlock",
    "personalized_choice_board": "personalized_path:ChoiceBoardBlock",
    "personalized_skill_check": "personalized_path:SkillCheckBlock",
    "personalized_mastery_gate": "personalized_path:MasteryGateBlock",
    "personalized_goal_reflection": "personalized_path:GoalReflectionBlock",
    "personalized_learning_plan": "personalized_path:LearningPlanBlock",
}

setup(
    name="personalized-path",
    version="0.1.0",
    description="Open edX XBlocks for personalized learning: self-assessment, choice boards, "
                "mastery gates, skill checks and goal reflection.",
    long_description=readme(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=find_packages(include=["personalized_path", "personalized_path.*"]),
    package_data={"personalized_path": package_files()},
    include_package_data=False,
    python_requires=">=3.11",
    # Open edX Teak ships XBlock 5.x with the django extra; xblock.utils moved into XBlock in 2.0.
    # edx-opaque-keys: the platform's usage keys, which reference fields hold in the LMS (Teak ships 3.0).
    install_requires=["XBlock[django]>=5.0", "edx-opaque-keys>=2.4"],
    entry_points={
        "xblock.v1": [f"{tag} = {target}" for tag, target in BLOCKS.items()],
        # Open edX enforcement of the mastery gate (personalized_path/openedx): the partition scheme,
        # the partitions it adds to every course, and the Django app plugin in the LMS and Studio.
        "openedx.user_partition_scheme": [
            "personalized_mastery_gate = personalized_path.openedx.partitions:MasteryGatePartitionScheme"],
        "openedx.dynamic_partition_generator": [
            "personalized_mastery_gate = personalized_path.openedx.partitions:create_gate_partitions"],
        "lms.djangoapp": ["personalized_path = personalized_path.openedx.apps:PersonalizedPathConfig"],
        "cms.djangoapp": ["personalized_path = personalized_path.openedx.apps:PersonalizedPathConfig"],
    },
    classifiers=[
        "Framework :: Django",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
