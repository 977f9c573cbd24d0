"""The curriculum: topic entries (``data/<area>.yaml``) validated against ``model.TopicEntry`` and each other."""

from mathreel_script.curriculum.loader import Curriculum, CurriculumError, load_curriculum
from mathreel_script.curriculum.model import AREAS, Area, DemoCall, TopicEntry

__all__ = ["AREAS", "Area", "Curriculum", "CurriculumError", "DemoCall", "TopicEntry", "load_curriculum"]
