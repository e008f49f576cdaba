"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

#: What services accept: a plain Session, or Flask-SQLAlchemy's scoped ``db.session``.
SessionLike = Session | scoped_session[Any]


#: Every SQLite connection: write-ahead logging (readers never wait for the writer, nor the
#: writer for readers; the setting is kept in the file, so this is a no-op after the first
#: time), wait up to 5 s for another connection's write instead of failing at once, and
#: sync the log at checkpoints rather than at every commit (safe with WAL: a power cut can
#: lose the last commits, never corrupt the file), and zero what is deleted or overwritten
#: (erasure, app.privacy: an erased value must not survive in free space or freed pages).
#: Keep the pragmas together here.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA secure_delete=ON",
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
