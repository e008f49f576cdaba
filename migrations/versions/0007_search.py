"""search: folded search keys on parents and users; one case reference

``parents.search_key`` / ``users.search_key`` hold the folded name, email, postcode and
reference (``app.search_keys``) and ``parents.phone_digits`` the phone's national digits; the
app keeps them on every write, this migration fills them for the rows already there. On
PostgreSQL a trigram GIN index on each serves ``LIKE '%…%'`` (``pg_trgm``; where the
extension cannot be created, a ``text_pattern_ops`` btree of the same name serves prefixes);
a btree on ``phone_digits`` (both databases) serves a whole number.

Parents referred in Corner had a reference of their own (``R000227``) beside their case's
(``C-00185``): they now carry their case's reference, so a case has one Corner reference and,
for an imported parent, the charity's own.

Revision ID: 0007_search
Revises: 0006_language_codes
"""

from alembic import op
import sqlalchemy as sa

from app.search_keys import parent_search_key, phone_digits, user_search_key


revision = "0007_search"
down_revision = "0006_language_codes"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_parents_search_key", "parents", "search_key"),
    ("ix_parents_phone_digits_trgm", "parents", "phone_digits"),
    ("ix_users_search_key", "users", "search_key"),
)


def upgrade():
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("phone_digits", sa.String(length=40), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.Text(), server_default="", nullable=False)
        )
    bind = op.get_bind()
    one_reference(bind)
    fill_keys(bind)
    # a whole phone number is looked up, not searched inside: a btree on both databases
    op.create_index("ix_parents_phone_digits", "parents", ["phone_digits"])
    if bind.dialect.name == "postgresql":
        create_search_indexes(bind)


def one_reference(bind):
    """``R`` + the zero-padded id (Corner's old parent reference) → the first case's reference."""
    rows = bind.execute(
        sa.text(
            "SELECT p.id, p.ref, MIN(c.id) FROM parents p JOIN cases c ON c.parent_id = p.id "
            "WHERE p.ref LIKE 'R%' GROUP BY p.id, p.ref"
        )
    ).all()
    taken = {ref for (ref,) in bind.execute(sa.text("SELECT ref FROM parents"))}
    changes = []
    for parent_id, ref, case_id in rows:
        legacy = f"R{parent_id:06d}"
        if ref != legacy and not ref.startswith(legacy + "-"):
            continue  # the charity's own reference that happens to start with R
        new = f"C-{case_id:05d}"
        if new in taken:
            continue
        taken.add(new)
        changes.append({"id": parent_id, "ref": new})
    if changes:
        bind.execute(sa.text("UPDATE parents SET ref = :ref WHERE id = :id"), changes)


def fill_keys(bind):
    parents = bind.execute(
        sa.text("SELECT id, first_name, last_name, email, postcode, ref, phone FROM parents")
    ).all()
    if parents:
        bind.execute(
            sa.text("UPDATE parents SET search_key = :key, phone_digits = :digits WHERE id = :id"),
            [
                {
                    "id": row.id,
                    "key": parent_search_key(
                        row.first_name, row.last_name, row.email, row.postcode, row.ref
                    ),
                    "digits": phone_digits(row.phone),
                }
                for row in parents
            ],
        )
    users = bind.execute(sa.text("SELECT id, first_name, last_name, email FROM users")).all()
    if users:
        bind.execute(
            sa.text("UPDATE users SET search_key = :key WHERE id = :id"),
            [
                {"id": row.id, "key": user_search_key(row.first_name, row.last_name, row.email)}
                for row in users
            ],
        )


def create_search_indexes(bind):
    """Trigram GIN indexes when ``pg_trgm`` can be had, else prefix btrees (same names)."""
    trigram = True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        trigram = False  # not installed on the server, or not allowed for this role
    for name, table, column in INDEXES:
        if trigram:
            op.create_index(
                name,
                table,
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
        else:
            op.create_index(name, table, [column], postgresql_ops={column: "text_pattern_ops"})


def downgrade():
    op.drop_index("ix_parents_phone_digits", table_name="parents")
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _column in INDEXES:
            op.drop_index(name, table_name=table)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("search_key")
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.drop_column("phone_digits")
        batch_op.drop_column("search_key")
