"""Meetings (issue 4): schedule, announce, RSVP, remind, check in, record, export.

The feature is split by who uses it: `meetings_schedule` (/jadwal), `meetings_list`
(/rapat, RSVP), `meetings_manage` (edit, cancel, notulen), `meetings_attendance`
(/hadir, roster, /ekspor). This module registers them together.
"""

from __future__ import annotations

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.meetings import attendance as meetings_attendance
    from handlers.meetings import listing as meetings_list
    from handlers.meetings import manage as meetings_manage
    from handlers.meetings import schedule as meetings_schedule

    for module in (meetings_schedule, meetings_list, meetings_manage, meetings_attendance):
        module.register(registry)
