"""Several fake bots behind one address, as on Telegram: one base URL, the token in the
path, each bot with its own limits, chats, updates and statistics (a fake server per token).
`bot.py run` takes one TELEGRAM_API_BASE_URL for all its bots, so a test of several bots in
one real process needs them behind one port."""

from __future__ import annotations

from tests.fakes.telegram_api import _PATH, FakeTelegramServer


class SeveralBots(FakeTelegramServer):
    """The first token is this server itself; `bot(token)` is the fake behind another."""

    def __init__(self, tokens: list[str], seed: int = 0) -> None:
        super().__init__(tokens[0], fault_seed=seed)
        self.others = {
            token: FakeTelegramServer(token, fault_seed=seed, bot_username=f"kkg_bot_{n}")
            for n, token in enumerate(tokens[1:], start=1)
        }

    def bot(self, token: str) -> FakeTelegramServer:
        return self if token == self.token else self.others[token]

    async def _dispatch(self, target: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        match = _PATH.match(target.partition("?")[0])
        other = self.others.get(match.group(1)) if match else None
        if other is not None:
            return await other._dispatch(target, content_type, body)  # noqa: SLF001
        return await super()._dispatch(target, content_type, body)
