"""PLACEHOLDER: registered so the entry point resolves while the real block is built. Replace this whole file."""
from xblock.core import XBlock


class SkillCheckBlock(XBlock):
    """Placeholder until the real block lands."""
