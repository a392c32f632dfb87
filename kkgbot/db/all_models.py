"""Imports every models module so that `Base.metadata` is complete (Alembic, create_all)."""

from kkgbot.db import learning_models, meeting_models, models, poll_models  # noqa: F401
from kkgbot.db.models import Base

metadata = Base.metadata
