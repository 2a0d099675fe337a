"""The version of rows several people edit (commune/concurrence.py): raised by every save,
written even by a save of a few fields, and read back from If-Match headers."""

import pytest

from commune.concurrence import versions_if_match
from tests.axes.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def test_a_new_row_is_version_1_and_each_save_raises_it():
    engagement = EngagementFactory()
    assert engagement.version == 1
    engagement.save()
    engagement.refresh_from_db()
    assert engagement.version == 2


def test_a_save_of_some_fields_writes_the_raised_version_too():
    engagement = EngagementFactory()
    engagement.description = "Autre."
    engagement.save(update_fields=["description"])
    engagement.refresh_from_db()
    assert (engagement.description, engagement.version) == ("Autre.", 2)


def test_a_save_of_no_field_writes_nothing_and_keeps_the_version():
    engagement = EngagementFactory()
    engagement.save(update_fields=[])
    engagement.refresh_from_db()
    assert engagement.version == 1


@pytest.mark.parametrize(
    ("entete", "versions"),
    [
        (None, None),
        ("*", None),
        ('"v3"', {3}),
        ('"v3", "v4"', {3, 4}),
        ('W/"v3"', set()),
        ('"3"', set()),
        ('"v-1"', set()),
    ],
)
def test_if_match_names_our_strong_tags_only(entete, versions):
    assert versions_if_match(entete) == versions
