"""Courses as OLX, imported by the platform's own importer (the real-LMS tests and benchmarks/lms)."""
import json
import os
import tempfile

# pylint: disable=import-error
from xmodule.modulestore.xml_importer import import_course_from_xml


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
