"""Imports every models module so that `Base.metadata` is complete (Alembic, create_all)."""

from kkgbot.db import (  # noqa: F401
    broadcast_models,
    learning_models,
    meeting_models,
    models,
    monitoring_models,
    poll_models,
)
from kkgbot.db.models import Base

metadata = Base.metadata
