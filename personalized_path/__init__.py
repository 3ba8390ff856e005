"""Open edX XBlocks for personalized learning."""
from .choice_board import ChoiceBoardBlock
from .goal_reflection import GoalReflectionBlock
from .learning_plan import LearningPlanBlock
from .mastery_gate import MasteryGateBlock
from .self_assessment import SelfAssessmentBlock
from .skill_check import SkillCheckBlock

__all__ = ["ChoiceBoardBlock", "GoalReflectionBlock", "LearningPlanBlock", "MasteryGateBlock", "SelfAssessmentBlock",
           "SkillCheckBlock"]
