"""What the search matches: folded keys kept beside a record, and a query read the same way.

Pure (no Flask, SQLAlchemy or models). A record keeps two columns the app writes with every
change (``app.models`` for the ORM, ``app.spreadsheets.writer`` for the import's bulk rows):

* ``search_key``: the name, email, postcode and reference, each *compacted* (accents and
  case folded, spaces and hyphens dropped: ``Zoë Smith-Reynolds`` → ``zoesmithreynolds``),
  joined by ``|``. A compacted query never holds ``|``, so a match never spans two fields.
* ``phone_digits``: the phone's national digits (``+44 7700 900-123`` and ``07700900123``
  → ``7700900123``).

A query matches where its compact form is inside ``search_key`` (``reyn``, ``zoe rey``,
``sw1a 1aa``, ``br-0185``, ``@example.org``), where its digits are inside ``phone_digits``
(a query that looks like a phone number, at least ``MIN_PHONE_DIGITS`` digits; a whole
number, ``WHOLE_PHONE_DIGITS`` or more, must equal them), or where it names a case by its
reference (``C-00185``, ``c185``, ``185``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SEPARATOR = "|"
#: Letters that do not fall apart into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "\u0131": "i"}
)
#: Dropped from compact forms: spaces, hyphens, apostrophes, dots between initials.
_DROPPED = re.compile("[\\s\\-\u2010-\u2015'\u2018\u2019`.|]+")
_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-]+$")
_CASE_REF = re.compile(r"^c?0*(\d{1,9})$")
MIN_PHONE_DIGITS = 5
#: A query with this many digits is a whole number: matched whole (a btree lookup), not inside.
WHOLE_PHONE_DIGITS = 10
MAX_QUERY = 100


def fold(text: str | None) -> str:
    """Lower case without accents: ``Zoë ŁUKASZ`` → ``zoe lukasz``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_LETTERS)


def compact(text: str | None) -> str:
    """Folded; spaces, hyphens, apostrophes and dots dropped: ``O'Brien-Hall`` → ``obrienhall``."""
    return _DROPPED.sub("", fold(text))


def search_key(*parts: str | None) -> str:
    """The compacted parts joined by ``|`` (an empty part stays empty)."""
    return SEPARATOR.join(compact(part) for part in parts)


def parent_search_key(
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    postcode: str | None,
    ref: str | None,
) -> str:
    return search_key(f"{first_name or ''} {last_name or ''}", email, postcode, ref)


def user_search_key(first_name: str | None, last_name: str | None, email: str | None) -> str:
    return search_key(f"{first_name or ''} {last_name or ''}", email)


def phone_digits(phone: str | None) -> str | None:
    """The national digits of a phone number: ``+44 (0)7700 900123`` → ``7700900123``."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    plus = phone.strip().startswith("+")
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and (plus or len(digits) >= 12):
        digits = digits[2:]
    digits = digits.removeprefix("0")
    return digits or None


def like_inside(text: str) -> str:
    """A LIKE pattern (escape character ``/``) matching ``text`` anywhere in a value."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class SearchTerms:
    """A query read every way it can match (empty fields match nothing)."""

    text: str  # the query as typed, trimmed (shown back to the user)
    key: str  # compact form, matched inside search_key
    digits: str | None  # phone digits, matched inside phone_digits
    case_id: int | None  # a case reference: C-00185, c185, 185

    @property
    def empty(self) -> bool:
        return not self.key


def parse_query(raw: str | None) -> SearchTerms:
    """Read what someone typed into a search box."""
    text = " ".join((raw or "").split())[:MAX_QUERY]
    key = compact(text)
    digits = None
    if _PHONE_SHAPE.match(text):
        found = phone_digits(text)
        if found and len(found) >= MIN_PHONE_DIGITS:
            digits = found
    match = _CASE_REF.match(key)
    case_id = int(match.group(1)) if match and int(match.group(1)) > 0 else None
    return SearchTerms(text, key, digits, case_id)
