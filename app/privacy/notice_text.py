"""The privacy notice as text: the default words, and plain text read into blocks (pure).

An admin edits the notice as plain text, never HTML: a blank line starts a new paragraph,
a line starting with ``# `` is a heading, lines starting with ``- `` are a list (an
indented line carries the item above on). The
template escapes every word. ``[retention months]`` stands for the retention setting, so
the notice always says the period Corner really applies.
"""

from __future__ import annotations

import re
from typing import NamedTuple

RETENTION_PLACEHOLDER = "[retention months]"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

DEFAULT_NOTICE = """\
We are a peer support charity for parents during pregnancy and the first years after birth. \
This notice explains what we keep about you, why, who sees it, how long we keep it, and \
what you can ask us to do.

# What we keep

- Your name, phone number, email address and postcode, and the languages you speak.
- Your due date or your baby's date of birth, and what you tell us about your experience.
- How and when you agreed to our support.
- Notes our volunteers write after they talk to you: how you are feeling, what you talked \
about, and any worries they have.
- If you choose to answer them, equality questions (such as your ethnic group). They help \
us show funders who we reach; your volunteer does not see them.

# Why we keep it

We keep your details to give you the peer support you asked for. We do this with your \
consent, and you can take it back at any time.

Some of what we keep is about your health and your family's safety. If a volunteer is \
worried about your safety or a child's, we keep a record of the worry and what we did \
about it. We do this because we have a duty to keep people safe (our legitimate interests \
and our safeguarding duties), so we may keep that record even after you take back consent.

# Who sees it

- Your coordinator, who arranges your support, and our administrators.
- The trained volunteer who supports you. They see what they need to support you, not \
the equality answers.
- We do not share your details with anyone else without asking you first, unless we are \
worried about someone's safety. Then we may tell your GP, midwife, health visitor or \
social care.

# How long we keep it

We keep your details for [retention months] months after your support ends. After that \
we remove your name, contact details and notes, and keep only numbers we use to report \
on our work.

# Your rights

- You can ask to see everything we hold about you. We will give you a copy, free.
- You can ask us to correct anything that is wrong.
- You can ask us to delete your details. We will remove your name, contact details and \
notes. If there was a safeguarding worry, we keep a record that it happened and what we \
did, without your details.
- You can stop your support or take back your consent at any time.

# How to ask

Tell your coordinator or your volunteer, or contact us by phone or email. Your coordinator \
can do it for you in our system straight away. You do not need to fill in a form or say why.

If you are unhappy with how we use your information, you can complain to the Information \
Commissioner's Office (ico.org.uk, 0303 123 1113).
"""


class Block(NamedTuple):
    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]


def with_retention(text: str, months: int) -> str:
    return text.replace(RETENTION_PLACEHOLDER, str(months))


def _chunk_blocks(lines: list[str]) -> list[Block]:
    """One blank-line-separated chunk: headings, then runs of list items or paragraph lines."""
    result: list[Block] = []
    kind = ""
    run: list[str] = []
    for raw in lines:
        line = raw.strip()
        if line.startswith("# "):
            line_kind, words = "heading", line[2:].strip()
        elif line.startswith("- "):
            line_kind, words = "list", line[2:].strip()
        elif kind == "list" and raw[:1].isspace():  # an item carried on, indented
            run[-1] = f"{run[-1]} {line}"
            continue
        else:
            line_kind, words = "paragraph", line
        if run and (line_kind != kind or kind == "heading"):
            result.append(_block(kind, run))
            run = []
        kind = line_kind
        run.append(words)
    if run:
        result.append(_block(kind, run))
    return result


def _block(kind: str, run: list[str]) -> Block:
    return Block(kind, tuple(run) if kind == "list" else (" ".join(run),))


def blocks(text: str) -> list[Block]:
    """Plain text as headings, paragraphs and lists (the words as they are: never markup)."""
    result: list[Block] = []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        result.extend(_chunk_blocks([line for line in chunk.split("\n") if line.strip()]))
    return result
