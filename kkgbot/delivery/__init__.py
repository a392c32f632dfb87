"""Delivery: the outbox every message goes through, and the dispatcher that sends it."""
