"""Open edX XBlocks for personalized learning."""
from .self_assessment import SelfAssessmentBlock

__all__ = ["SelfAssessmentBlock"]
