"""Meetings: scheduling (once or recurring), RSVP, reminders, check-in, attendance, papers."""
