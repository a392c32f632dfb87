"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from alembic import op
import sqlalchemy as sa
import kkgbot.db.types
% if up_revision == "0001":
from kkgbot.db import triggers
% endif
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
% if up_revision == "0001":
    triggers.install(op)  # kkgbot/db/triggers.py: autogenerate cannot see triggers
% endif


def downgrade() -> None:
% if up_revision == "0001":
    triggers.uninstall(op)
% endif
    ${downgrades if downgrades else "pass"}
