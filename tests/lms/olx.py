"""Courses as OLX, imported by the platform's own importer (the real-LMS tests and benchmarks/lms)."""
import json
import os
import tempfile

# pylint: disable=import-error
from xmodule.modulestore.xml_importer import import_course_from_xml


# One question on one skill, right answer "a".
HALF_QUESTION = [{"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
                  "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]


def check_and_plan_course(display_name):
    """A course of one unit: the skill check ``check`` (HALF_QUESTION) and the learning plan ``plan``."""
    return f"""<course display_name="{display_name}" start="2020-01-01T00:00:00Z">
  <chapter url_name="week1" display_name="Week 1"><sequential url_name="lesson1" display_name="Lesson 1">
    <vertical url_name="unit1" display_name="Unit 1">
      <personalized_skill_check url_name="check" display_name="Fractions check" questions='{attr(HALF_QUESTION)}'/>
      <personalized_learning_plan url_name="plan"/>
    </vertical>
  </sequential></chapter>
</course>"""


def attr(value):
    """``value`` as JSON for a single-quoted OLX attribute."""
    return json.dumps(value).replace("'", "&apos;")


def import_olx(store, user_id, course_xml, course_key):
    """``course_xml`` (the course element, its tree inline) imported as ``course_key`` by the platform's importer."""
    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, "olx")
        os.makedirs(os.path.join(folder, "course"))
        with open(os.path.join(folder, "course.xml"), "w", encoding="utf-8") as handle:
            handle.write(f'<course url_name="{course_key.run}" org="{course_key.org}" course="{course_key.course}"/>')
        with open(os.path.join(folder, "course", f"{course_key.run}.xml"), "w", encoding="utf-8") as handle:
            handle.write(course_xml)
        courses = import_course_from_xml(store, user_id, root, source_dirs=["olx"], target_id=course_key,
                                         create_if_not_present=True, raise_on_failure=True, static_content_store=None)
    return courses[0]
