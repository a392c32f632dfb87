"""Secrets never reach the logs, whoever logs them; production logs are JSON lines."""

from __future__ import annotations

import io
import json
import logging

from kkgbot import logs

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TWILIO = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


def test_tokens_are_redacted_in_messages_arguments_and_tracebacks():
    out = io.StringIO()
    handler = logs.setup(logging.INFO, secrets=(TOKEN, TWILIO, None), json_logs=False, stream=out)
    try:
        log = logging.getLogger("httpx")
        log.warning('HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "200"', TOKEN)
        logging.getLogger("kkgbot.test").error("twilio auth %s failed", TWILIO)
        try:
            raise RuntimeError(f"boom with https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logging.getLogger("kkgbot.test").exception("send failed")
        # a token of another bot, not in settings, is still recognised by its shape
        logging.getLogger("kkgbot.test").warning(
            "other 987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"
        )
    finally:
        logging.getLogger().removeHandler(handler)
    text = out.getvalue()
    assert TOKEN not in text and TWILIO not in text and "987654321:ZZZ" not in text
    assert text.count(logs.MASK) >= 4
    assert "RuntimeError" in text  # the traceback is kept, only the secret goes


def test_json_lines_carry_the_request_id():
    out = io.StringIO()
    handler = logs.setup(logging.INFO, secrets=(), json_logs=True, stream=out)
    try:
        logs.request_id.set("telegram:u42")
        logging.getLogger("kkgbot.test").info("handled")
    finally:
        logs.request_id.set(None)
        logging.getLogger().removeHandler(handler)
    entry = json.loads(out.getvalue().strip().splitlines()[-1])
    assert entry["message"] == "handled" and entry["request_id"] == "telegram:u42"
    assert entry["level"] == "INFO"
