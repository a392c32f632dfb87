"""Broadcasts from a koordinator, pengawas or admin to everyone in their scope."""
