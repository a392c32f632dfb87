"""The send limits on a fake monotonic clock: exact, and no wall-clock time involved."""

from __future__ import annotations

from kkgbot.delivery.ratelimit import ChannelLimits, limits_for
from kkgbot.settings import Settings


class Tick:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def send_all(limits: ChannelLimits, tick: Tick, address: str, n: int, kind: str = "bulk"):
    """Send n messages as fast as the limits allow; returns the send times."""
    times = []
    for _ in range(n):
        while (d := max(limits.chat_delay(address), limits.overall_delay(kind, False))) > 0:
            tick.t += d
        limits.take(address, kind)
        times.append(tick.t)
    return times


def test_private_chat_gets_a_short_burst_then_one_per_second():
    tick = Tick()
    limits = ChannelLimits(per_chat=1, chat_burst=3, now=tick)
    times = send_all(limits, tick, "42", 6)
    assert times[:3] == [1000.0] * 3
    assert [round(b - a, 6) for a, b in zip(times[2:], times[3:], strict=False)] == [1.0] * 3


def test_group_gets_twenty_per_minute_in_any_window():
    tick = Tick()
    limits = ChannelLimits(overall=30, group_per_minute=20, now=tick)
    times = send_all(limits, tick, "-100123", 45)
    for i in range(len(times) - 20):
        assert times[i + 20] - times[i] >= 60.0 - 1e-6  # never 21 in a minute


def test_overall_rate_is_kept_under_the_limit():
    tick = Tick()
    limits = ChannelLimits(overall=30, safety=0.95, now=tick)
    times = [send_all(limits, tick, str(chat), 1)[0] for chat in range(300)]
    for i in range(len(times) - 30):
        assert times[i + 30] - times[i] >= 1.0 - 1e-6  # at most 30 in any second


def test_bulk_gets_at_most_its_share_while_replies_wait():
    tick = Tick()
    limits = ChannelLimits(overall=100, bulk_share=0.8, now=tick)
    sent = 0
    start = tick.t
    while tick.t - start < 10:
        delay = limits.overall_delay("bulk", replies_waiting=True)
        if delay > 0:
            tick.t += delay
            continue
        limits.take(str(sent), "bulk")
        sent += 1
    assert 780 <= sent <= 810  # ~80 per second, not 100
    # and a reply may go at once after that
    tick.t += 0.02
    assert limits.overall_delay("reply", replies_waiting=True) == 0


def test_bulk_uses_the_whole_rate_when_no_reply_waits():
    tick = Tick()
    limits = ChannelLimits(overall=100, bulk_share=0.8, now=tick)
    times = [send_all(limits, tick, str(chat), 1)[0] for chat in range(1000)]
    assert 9.5 <= times[-1] - times[0] <= 10.1


def test_a_429_pauses_every_chat_and_every_kind():
    tick = Tick()
    limits = ChannelLimits(overall=30, per_chat=1, chat_burst=3, now=tick)
    limits.pause(3)
    assert limits.overall_delay("reply", False) == 3
    assert limits.overall_delay("bulk", False) == 3
    tick.t += 3
    assert limits.overall_delay("reply", False) == 0


def test_limits_come_from_settings_per_channel():
    settings = Settings().model_copy(update={"telegram_rate_overall": 300, "whatsapp_rate": 7})
    telegram = limits_for("telegram", settings)
    burst = 300 * settings.rate_safety / 100  # what may go in any second: rate + burst
    assert telegram.overall.rate + burst == 300 * settings.rate_safety_overall
    assert telegram.per_chat == settings.telegram_rate_per_chat * settings.rate_safety
    assert telegram.group_per_minute == 20
    assert limits_for("whatsapp", settings).overall.rate == 7 * settings.rate_safety
    assert limits_for("console", settings).unlimited


def test_a_flood_wait_slows_the_rate_down_and_it_creeps_back_up():
    tick = Tick()
    limits = ChannelLimits(overall=100, safety=0.95, overall_safety=0.98, now=tick)
    assert limits.overall.rate == 97  # 98 in any second with the burst of one
    limits.pause(1)
    limits.pause(1)  # the other 429s of the same flood wait count once
    assert round(limits.overall.rate, 6) == round(97 * 0.97, 6)
    assert round(limits.bulk.rate, 6) == round(97 * 0.97 * 0.8, 6)
    for _ in range(10):
        tick.t += 2
        limits.pause(1)
    assert limits.overall.rate == 85  # never below the floor
    tick.t += 19
    limits.take("1", "bulk")
    assert limits.overall.rate == 85  # not yet: a quiet RECOVER period first
    for _ in range(30):
        tick.t += 20
        limits.take("1", "bulk")
    assert limits.overall.rate == 97  # back up to the ceiling, never above
    times = send_all(limits, tick, "", 971)
    assert times[-1] - times[0] >= 9.9  # 97 a second: 970 gaps take 10 s (burst aside)
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) <= 98
