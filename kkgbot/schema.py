"""Imports every models module so that `Base.metadata` is complete (Alembic, create_all)."""

from kkgbot.db.models import Base

metadata = Base.metadata
