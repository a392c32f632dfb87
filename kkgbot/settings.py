"""Deployment settings, read once from the environment or a `.env` file.

Everything is optional so that `python bot.py demo` works on a fresh machine; the
production channels switch on when their credentials are present.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class Settings(BaseSettings):
    """Typed settings; names match the environment variables in PRODUCT.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{ROOT / 'kkgbot.sqlite3'}", alias="KKGBOT_DATABASE_URL"
    )
    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    # More bots in one deployment (e.g. one per district): "name:token,name:token". The bot of
    # TELEGRAM_BOT_TOKEN stays the default one (a member who joined through it has no name).
    telegram_bots: str | None = Field(default=None, alias="KKGBOT_TELEGRAM_BOTS")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    public_url: str | None = Field(default=None, alias="KKGBOT_PUBLIC_URL")
    webhook_secret: str | None = Field(default=None, alias="KKGBOT_WEBHOOK_SECRET")
    http_port: int = Field(default=8080, alias="KKGBOT_HTTP_PORT")
    twilio_account_sid: str | None = Field(default=None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(default=None, alias="TWILIO_AUTH_TOKEN")
    twilio_whatsapp_from: str | None = Field(default=None, alias="TWILIO_WHATSAPP_FROM")
    # More WhatsApp senders on the same Twilio account: "name:+62...,name:+62..."
    whatsapp_senders: str | None = Field(default=None, alias="KKGBOT_WHATSAPP_SENDERS")
    twilio_api_base_url: str | None = Field(default=None, alias="TWILIO_API_BASE_URL")
    default_timezone: str = Field(default="Asia/Makassar", alias="KKGBOT_DEFAULT_TIMEZONE")
    language: str = Field(default="id", alias="KKGBOT_LANGUAGE")
    log_json: bool = Field(default=True, alias="KKGBOT_LOG_JSON")  # `run` logs JSON lines
    retention_days: int = Field(default=90, alias="KKGBOT_RETENTION_DAYS")

    # Conversations
    conversation_idle_minutes: int = Field(default=30, alias="KKGBOT_CONVERSATION_IDLE_MINUTES")
    max_input_chars: int = Field(default=4000, alias="KKGBOT_MAX_INPUT_CHARS")
    # Files people send (notulen, a broadcast's attachment); Telegram lets bots fetch 20 MB
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, alias="KKGBOT_MAX_UPLOAD_BYTES")

    # Delivery: rates per channel (messages per second) and retry policy
    telegram_rate_overall: float = Field(default=30.0, alias="KKGBOT_TELEGRAM_RATE")
    telegram_rate_per_chat: float = Field(default=1.0, alias="KKGBOT_TELEGRAM_RATE_PER_CHAT")
    telegram_chat_burst: int = Field(default=3, alias="KKGBOT_TELEGRAM_CHAT_BURST")
    telegram_group_per_minute: int = Field(default=20, alias="KKGBOT_TELEGRAM_GROUP_PER_MINUTE")
    whatsapp_rate: float = Field(default=10.0, alias="KKGBOT_WHATSAPP_RATE")
    bulk_share_when_replies_wait: float = Field(default=0.8, alias="KKGBOT_BULK_SHARE")
    max_attempts: int = Field(default=6, alias="KKGBOT_MAX_ATTEMPTS")
    backoff_base_seconds: float = Field(default=2.0, alias="KKGBOT_BACKOFF_BASE")
    backoff_max_seconds: float = Field(default=600.0, alias="KKGBOT_BACKOFF_MAX")
    send_timeout_seconds: float = Field(default=15.0, alias="KKGBOT_SEND_TIMEOUT")
    rate_safety: float = Field(default=0.95, alias="KKGBOT_RATE_SAFETY")
    # The overall rate rides closer to the limit: what may go in any second (the rate and
    # the burst) is this share of it, and a 429 lowers it (see ratelimit.py). The per-chat
    # and group limits keep `rate_safety`.
    rate_safety_overall: float = Field(default=0.99, alias="KKGBOT_RATE_SAFETY_OVERALL")
    max_rate_limited_retries: int = Field(default=10, alias="KKGBOT_MAX_429_RETRIES")
    delivery_concurrency: int = Field(default=16, alias="KKGBOT_DELIVERY_CONCURRENCY")
    # Telegram's dispatcher runs in a child process of `run` (a core of its own for bulk)
    delivery_process: bool = Field(default=True, alias="KKGBOT_DELIVERY_PROCESS")
    delivery_lease_seconds: float = Field(default=30.0, alias="KKGBOT_DELIVERY_LEASE")
    delivery_buffer_seconds: float = Field(default=2.0, alias="KKGBOT_DELIVERY_BUFFER")
    dispatcher_poll_seconds: float = Field(default=0.25, alias="KKGBOT_DISPATCHER_POLL")
    # One process at a time sends on each bot's or sender's lane (kkgbot/delivery/lanes.py):
    # a dead owner's lane is taken over this long after its last renewal.
    lane_lease_seconds: float = Field(default=5.0, alias="KKGBOT_LANE_LEASE")

    # Scheduling
    reminder_offsets_hours: list[float] = Field(default=[24, 2], alias="KKGBOT_REMINDER_OFFSETS")
    quiet_start_hour: int = Field(default=21, alias="KKGBOT_QUIET_START")
    quiet_end_hour: int = Field(default=6, alias="KKGBOT_QUIET_END")
    tick_seconds: float = Field(default=1.0, alias="KKGBOT_TICK_SECONDS")

    # WhatsApp (issue 9): approved templates (Twilio Content SIDs) per kind of message, for
    # messages outside the 24-hour window; `default` serves any kind without its own SID.
    twilio_template_default: str | None = Field(default=None, alias="TWILIO_TEMPLATE_DEFAULT")
    twilio_template_reminder: str | None = Field(default=None, alias="TWILIO_TEMPLATE_REMINDER")
    twilio_template_poll: str | None = Field(default=None, alias="TWILIO_TEMPLATE_POLL")
    twilio_template_lesson: str | None = Field(default=None, alias="TWILIO_TEMPLATE_LESSON")
    twilio_template_digest: str | None = Field(default=None, alias="TWILIO_TEMPLATE_DIGEST")
    twilio_template_broadcast: str | None = Field(default=None, alias="TWILIO_TEMPLATE_BROADCAST")
    # Content SID of a two-button quick-reply template ({{1}} the text, {{2}} {{3}} the labels)
    twilio_quick_reply_sid: str | None = Field(default=None, alias="TWILIO_QUICK_REPLY_SID")
    http_host: str = Field(default="127.0.0.1", alias="KKGBOT_HTTP_HOST")
    media_url_ttl_seconds: int = Field(default=7 * 24 * 3600, alias="KKGBOT_MEDIA_URL_TTL")
    # /metrics on the public port only with "Authorization: Bearer <token>"; or on a port of
    # its own bound to 127.0.0.1 (for a Prometheus on the same host). Neither: no /metrics.
    metrics_token: str | None = Field(default=None, alias="KKGBOT_METRICS_TOKEN")
    metrics_port: int | None = Field(default=None, alias="KKGBOT_METRICS_PORT")

    # Monitoring self-reports (issue 6): the reflection goes this long after a meeting ends.
    reflection_delay_hours: float = Field(default=1.0, alias="KKGBOT_REFLECTION_DELAY_HOURS")

    # The Monday digest's charts and workbooks are drawn in this many worker processes
    # (issue 21); unset: one core fewer than the machine has, at least one. 0: inline.
    digest_render_workers: int | None = Field(default=None, alias="KKGBOT_DIGEST_RENDER_WORKERS")

    # Micro-learning content packs (issue 7)
    content_dir: Path = Field(default=CONFIG_DIR / "content", alias="KKGBOT_CONTENT_DIR")

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # raises for an unknown zone, at start-up rather than at send time
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("KKGBOT_LANGUAGE must be 'id' or 'en'")
        return value

    @property
    def whatsapp_configured(self) -> bool:
        return bool(
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from
        )

    @property
    def telegram_tokens(self) -> dict[str | None, str]:
        """Every bot's token by name; None names the default bot (TELEGRAM_BOT_TOKEN)."""
        tokens: dict[str | None, str] = {}
        if self.telegram_bot_token:
            tokens[None] = self.telegram_bot_token
        tokens.update(named_list(self.telegram_bots, "KKGBOT_TELEGRAM_BOTS"))
        return tokens

    @property
    def whatsapp_numbers(self) -> dict[str | None, str]:
        """Every WhatsApp sender's number by name; None names TWILIO_WHATSAPP_FROM."""
        numbers: dict[str | None, str] = {}
        if self.twilio_whatsapp_from:
            numbers[None] = self.twilio_whatsapp_from
        numbers.update(named_list(self.whatsapp_senders, "KKGBOT_WHATSAPP_SENDERS"))
        return numbers

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """What must never be written anywhere: logs, stored errors, exports."""
        return (
            self.telegram_bot_token,
            self.twilio_auth_token,
            self.webhook_secret,
            self.metrics_token,
        )

    @property
    def redacted(self) -> tuple[str | None, ...]:
        """`secrets` and the other bots' tokens: what logs and stored errors never show.
        (Meeting check-in codes derive from `secrets` alone, so adding a bot keeps them.)"""
        return (*self.secrets, *named_list(self.telegram_bots, "KKGBOT_TELEGRAM_BOTS").values())

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


NAME_RE = re.compile(r"^[a-z0-9_]{1,24}$")


def named_list(raw: str | None, variable: str) -> dict[str, str]:
    """ "name:value,name:value" -> {name: value}; a bad entry stops the start, never a send."""
    found: dict[str, str] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        name, sep, value = entry.strip().partition(":")
        if not sep or not NAME_RE.match(name) or not value.strip() or name in found:
            raise ValueError(f"{variable}: '{name}' is not 'name:value' with a new short name")
        found[name] = value.strip()
    return found


@lru_cache
def get_settings() -> Settings:
    return Settings()
