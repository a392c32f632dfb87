"""Group chats for the fake Bot API: the bot added to and removed from a group, a group's
upgrade to a supergroup, and what Telegram answers a bot that writes to a group it left
or to a group's old id. Mixed into FakeTelegramServer."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_api_limits import ApiError


class GroupChats:
    chats: dict[int, dict[str, Any]]
    bot_user: dict[str, Any]

    def _group_state(self) -> dict[str, Any]:
        state = self.__dict__.get("_groups_state")
        if state is None:
            state = self.__dict__["_groups_state"] = {"gone": set(), "migrated": {}}
        return state

    def check_group_send(self, chat_id: int) -> None:
        """Sends to a group the bot is no longer in, or to a group's id before its upgrade,
        are refused as Telegram refuses them."""
        state = self._group_state()
        if chat_id in state["migrated"]:
            new = state["migrated"][chat_id]
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new},
            )
        if chat_id in state["gone"]:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")

    def _member_update(self, chat_id: int, by_user: int, old: str, new: str) -> dict[str, Any]:
        chat = self._chat(chat_id)  # type: ignore[attr-defined]
        user = self._user(by_user, "Guru", None, "id")  # type: ignore[attr-defined]
        member = {"user": self.bot_user}

        def state(status: str) -> dict[str, Any]:
            return {**member, "status": status} | ({"until_date": 0} if status == "kicked" else {})

        return self.push_update(  # type: ignore[attr-defined]
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": user,
                    "date": 1764547200,
                    "old_chat_member": state(old),
                    "new_chat_member": state(new),
                }
            }
        )

    def bot_added_to_group(
        self, chat_id: int, by_user: int, title: str = "KKG Group", kind: str = "group"
    ) -> dict[str, Any]:
        """Someone adds the bot to a group (the group is created if new)."""
        if chat_id not in self.chats:
            self.add_group(chat_id, title, kind)  # type: ignore[attr-defined]
        self._group_state()["gone"].discard(chat_id)
        return self._member_update(chat_id, by_user, "left", "member")

    def bot_removed_from_group(self, chat_id: int, by_user: int) -> dict[str, Any]:
        """Someone removes the bot: later sends there answer 403."""
        self._group_state()["gone"].add(chat_id)
        return self._member_update(chat_id, by_user, "member", "kicked")

    def migrate_group(self, old_id: int, new_id: int, by_user: int) -> None:
        """The group becomes a supergroup with a new id: a service message in each chat,
        as Telegram sends them, and the old id answers 400 with `migrate_to_chat_id`."""
        title = self.chats.get(old_id, {}).get("title", "KKG Group")
        self.add_group(new_id, title, "supergroup")  # type: ignore[attr-defined]
        user = self._user(by_user, "Guru", None, "id")  # type: ignore[attr-defined]
        old = self._new_message(old_id, user, migrate_to_chat_id=new_id)  # type: ignore[attr-defined]
        self.push_update({"message": old})  # type: ignore[attr-defined]
        new = self._new_message(new_id, user, migrate_from_chat_id=old_id)  # type: ignore[attr-defined]
        self.push_update({"message": new})  # type: ignore[attr-defined]
        self._group_state()["migrated"][old_id] = new_id
