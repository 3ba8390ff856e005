"""
Dates in the reader's time zone (LMS tier): the platform's ``time_zone`` user preference, which the
user service passes to XBlocks, decides the day a learner and a staff member see; UTC without one;
the zone is named where it matters (staff lookup, due days).
"""
from datetime import datetime, timezone

from django.utils.dateformat import format as format_date

from personalized_path import dates
from personalized_path.core import plan
from tests.harness import unisolated

# 22:23 UTC on 5 December: already 6 December in Auckland (UTC+13), still the 5th in New York.
LATE_EVENING_UTC = datetime(2026, 12, 5, 22, 23, tzinfo=timezone.utc)


def rated_at(course, moment, user):
    course.clock.set(moment)
    course.rate(2, user)


def profile_text(course, user):
    return unisolated(course.render(course.at("unit1"), user))


def test_a_learner_sees_the_day_in_their_own_time_zone(lms_course):
    lms_course.time_zones.update({"kiri": "Pacific/Auckland", "ned": "America/New_York"})
    for user in ("kiri", "ned", "una"):
        rated_at(lms_course, LATE_EVENING_UTC, user)
    assert "Rated once, on Dec. 6, 2026." in profile_text(lms_course, "kiri")
    assert "Rated once, on Dec. 5, 2026." in profile_text(lms_course, "ned")
    assert "Rated once, on Dec. 5, 2026." in profile_text(lms_course, "una")  # no preference: UTC


def test_staff_lookup_names_the_zone_and_agrees_with_the_learner_on_the_day(lms_course):
    lms_course.time_zones.update({"kiri": "Pacific/Auckland", "staff_nz": "Pacific/Auckland"})
    rated_at(lms_course, LATE_EVENING_UTC, "kiri")
    status, answer = lms_course.call(lms_course.at("assessment"), "learner_answers", {"username": "kiri"},
                                     user="staff_nz", staff=True)
    assert status == 200
    assert "Dec. 6, 2026, 11:23 a.m. (Pacific/Auckland)" in answer["html"]
    assert "Rated once, on Dec. 6, 2026." in profile_text(lms_course, "kiri")
    status, answer = lms_course.call(lms_course.at("assessment"), "learner_answers", {"username": "kiri"},
                                     user="staff_utc", staff=True)
    assert status == 200 and "Dec. 5, 2026, 10:23 p.m. (UTC)" in answer["html"]


def test_the_next_check_in_is_due_from_the_learners_own_day_and_says_its_zone(lms_course):
    lms_course.time_zones.update({"kiri": "Pacific/Auckland"})
    lms_course.clock.set(LATE_EVENING_UTC)
    lms_course.set_goals("kiri")
    lms_course.set_goals("una")
    assert lms_course.block(lms_course.at("goals"), "kiri").checkin_interval_days == 7
    # Goals set on 6 December in Auckland, on 5 December in UTC: a week later each.
    assert "Next check-in suggested from Dec. 13, 2026 (Pacific/Auckland)." in profile_of_goals(lms_course, "kiri")
    assert "Next check-in suggested from Dec. 12, 2026 (UTC)." in profile_of_goals(lms_course, "una")


def profile_of_goals(course, user):
    return unisolated(course.render(course.at("unit3"), user))


def test_an_unknown_or_missing_preference_is_utc():
    class User:  # pylint: disable=too-few-public-methods
        def __init__(self, preferences):
            self.opt_attrs = {"edx-platform.user_preferences": preferences}
    assert dates.user_time_zone(User({"time_zone": "Mars/Olympus_Mons"})) is timezone.utc
    assert dates.user_time_zone(User({})) is timezone.utc
    assert dates.user_time_zone(None) is timezone.utc
    assert dates.zone_name(dates.user_time_zone(User({"time_zone": "Asia/Tokyo"}))) == "Asia/Tokyo"


def test_the_plans_review_day_is_the_readers_and_says_its_zone(lms_course):
    lms_course.time_zones.update({"kiri": "Pacific/Auckland"})
    answered = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
    lms_course.clock.set(answered)
    for user in ("kiri", "una"):
        lms_course.answer("a", user)  # right, at 15:00 UTC: due for review late on 7 December UTC
    due = plan.review_due([(answered.isoformat(), 1.0)])
    assert dates.local_day(due, dates.zone_named("Pacific/Auckland")) != dates.local_day(due, timezone.utc)
    for user, zone in (("kiri", "Pacific/Auckland"), ("una", "UTC")):
        shown = unisolated(lms_course.render(lms_course.at("unit5"), user)).split("Review due: ", 1)[1]
        day = dates.local_day(due, dates.zone_named(zone))
        assert shown.startswith(f"{format_date(day, 'N j, Y')} ({zone})"), (user, shown[:60])
