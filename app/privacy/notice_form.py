"""The admin's privacy notice form: one plain-text box."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import CornerForm, strip_filter
from app.privacy.notice import NOTICE_MAX
from app.privacy.notice_text import RETENTION_PLACEHOLDER


class NoticeForm(CornerForm):
    text = TextAreaField(
        "The notice",
        description=(
            "Plain text, not HTML. Leave a blank line between paragraphs. Start a line with "
            '"# " for a heading and with "- " for a list item. Write '
            f"{RETENTION_PLACEHOLDER} where the notice says how many months we keep details: "
            "it shows the retention setting."
        ),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the privacy notice."),
            Length(max=NOTICE_MAX, message=f"Keep the notice under {NOTICE_MAX:,} characters."),
        ],
    )
