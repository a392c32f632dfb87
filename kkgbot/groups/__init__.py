"""The KKG's own group chat: a Telegram group linked to a KKG, what the bot posts there, and
how members choose where they hear about KKG events (group, private chat, or both)."""
