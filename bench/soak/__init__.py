"""`bench/soak`: the bot under a realistic load for a bounded time, with faults and kills.

Issue 10 item 5: 2,000 members in 80 KKGs act (RSVPs, votes, check-ins, lessons,
reports) against the fake Telegram and Twilio servers, which fail 10% of sends, while the
bot process is killed twice; at the end every expected message went out exactly once (or
is an allowed in-flight duplicate), no reminder twice, memory flat, outbox empty.
Run: `python -m bench --only soak` (or `python -m bench.soak --quick` for ~2 minutes).
"""

from bench.soak.run import soak

__all__ = ["soak"]
