"""Every table of the bot in one metadata (Alembic, the privacy sweep, tests that compare the
models with the migrations): importing the feature models modules registers their tables."""

from kkgbot.broadcasts import models as broadcast_models
from kkgbot.certificates import models as certificate_models
from kkgbot.dashboard import models as dashboard_models
from kkgbot.db.models import Base
from kkgbot.digest import models as digest_models
from kkgbot.digest import snapshots as snapshot_models
from kkgbot.groups import models as group_models
from kkgbot.inbox import models as inbox_models
from kkgbot.learning import models as learning_models
from kkgbot.meetings import models as meeting_models
from kkgbot.monitoring import models as monitoring_models
from kkgbot.polls import models as poll_models
from kkgbot.school_calendar import models as calendar_models
from kkgbot.visits import models as visit_models

FEATURE_MODELS = (
    broadcast_models,
    dashboard_models,
    certificate_models,
    digest_models,
    snapshot_models,
    group_models,
    inbox_models,
    learning_models,
    meeting_models,
    monitoring_models,
    poll_models,
    calendar_models,
    visit_models,
)
metadata = Base.metadata
