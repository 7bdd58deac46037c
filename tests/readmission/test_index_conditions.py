"""The queues' partial indexes cover exactly the statuses the queues call open."""

from __future__ import annotations

from readmit.readmission.models import OPEN_STATUS_VALUES, OPEN_STATUSES, Application


def test_the_open_deadline_indexes_cover_every_open_status() -> None:
    # A status added to OPEN_STATUSES but not to the indexes' condition would leave its
    # applications out of the index, and the queues would fall back to reading the table.
    assert set(OPEN_STATUS_VALUES) == {str(s) for s in OPEN_STATUSES}
    partial = {i.name: i for i in Application._meta.indexes if i.condition is not None}
    for name in ("application_open_due", "application_sender_open_due"):
        (lookup, values) = partial[name].condition.children[0]
        assert lookup == "status__in" and set(values) == set(OPEN_STATUS_VALUES)
