"""
A page of several of our block types loads the shared script and styles once (LMS tier): every block
asks the runtime for the same URL of a shared file, and fragments drop a resource already on the page.
"""
from web_fragments.fragment import Fragment

SHARED = ("static/css/personalized.css", "static/js/personalized.js")
BLOCKS = ("assessment", "check", "board", "goals", "gate", "plan")


def urls(fragment):
    return [resource.data for resource in fragment.resources if resource.kind == "url"]


def test_each_block_type_asks_for_the_same_url_of_each_shared_file(lms_course):
    page = Fragment()
    for name in BLOCKS:
        block = lms_course.block(lms_course.at(name))
        page.add_fragment_resources(block.runtime.render(block, "student_view"))
    listed = urls(page)
    for shared in SHARED:
        assert len([url for url in listed if url.endswith(shared)]) == 1, listed
    # Each block's own files still come from its own type.
    assert len([url for url in listed if url.endswith(".js")]) == 1 + len(BLOCKS)


def test_the_editors_share_their_script_and_styles(lms_course):
    page = Fragment()
    for name in BLOCKS:
        block = lms_course.block(lms_course.at(name), "staff", staff=True)
        page.add_fragment_resources(block.runtime.render(block, "studio_view"))
    assert len(urls(page)) == 4, urls(page)  # personalized and studio_editor, .css and .js
