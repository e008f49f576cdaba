"""Alembic environment for Flask-Migrate: uses the app's engine and metadata."""

import logging
import warnings
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url() -> str:
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def only_for_this_dialect(dialect_name):
    """An ``include_object`` hook: leave out what the model creates on other dialects only.

    An object declared with ``.ddl_if(dialect="postgresql")`` (the scan's covering index) is
    created by its migration on PostgreSQL alone; on SQLite autogenerate and ``flask db check``
    must not see it as missing.
    """

    def include_object(obj, name, type_, reflected, compare_to):
        if dialect_name == "sqlite" and type_ == "index" and _on_expressions(obj):
            return False  # SQLite's reflection cannot read these back (see run_migrations_online)
        ddl_if = getattr(obj, "_ddl_if", None)
        if reflected or ddl_if is None or ddl_if.dialect is None:
            return True
        wanted = ddl_if.dialect
        return dialect_name == wanted if isinstance(wanted, str) else dialect_name in wanted

    return include_object


def _on_expressions(index) -> bool:
    """An index on expressions (``lower(email)``), not only on columns."""
    return any(not hasattr(expression, "table") for expression in index.expressions)


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    engine = get_engine()
    if conf_args.get("include_object") is None:
        conf_args["include_object"] = only_for_this_dialect(engine.dialect.name)

    # SQLite's reflection skips indexes on expressions (migration 0016's lower(email)) with a
    # warning; include_object leaves them out of the comparison there, PostgreSQL compares them
    with warnings.catch_warnings():
        for message in (
            "Skipped unsupported reflection of expression-based index",
            "autogenerate skipping metadata-specified expression-based index",
        ):
            warnings.filterwarnings("ignore", message=message)
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
