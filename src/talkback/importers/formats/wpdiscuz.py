"""wpDiscuz inline feedback in a WordPress export, turned into anchored comments.

What wpDiscuz stores (read in its source, 7.x):
- an editor wraps a passage of the post in a shortcode,
  `[wpdiscuz-feedback id="k3v9q2x7ma" question="…" opened="0"]passage[/wpdiscuz-feedback]`,
  where `id` is a random string the editor generates, `question` the prompt shown to
  readers (tags stripped), `opened` whether the form starts open;
- on saving the post, wpDiscuz copies each such shortcode into its own table
  (`wp_wc_feedback_forms`: an auto-increment `id`, `post_id`, `unique_id` = the shortcode's
  `id`, `question`, `opened`, `content` = the passage);
- each feedback comment carries the comment meta `wpdiscuz_feedback_form_id`, whose value
  is that table's numeric `id`, not the shortcode's.

A WXR export holds the post content and the comment meta but not that table, so the link
from a comment to its passage is found, surest first:
1. the meta value is the shortcode's own `id` (an export whose meta was rewritten so);
2. the operator gave the table (`ImportOptions.wpdiscuz_forms`, see `read_forms_table`);
3. the post has exactly one form, and its feedback comments all name one form id.
Anything else (a post with several forms and no table, a form no longer in the post, a
blank or over-long passage, a reply) is imported as an ordinary comment and counted
under NOT_PLACED: a guess could pin a reader's words to a passage they never saw.

The anchor is taken from the post's text as a reader sees it: shortcodes removed, HTML
tags dropped, entities decoded. That is not the page's text (a theme adds paragraphs,
titles, bylines), so `start`/`end` are only a hint, and no `text_hash` is set: the widget
finds the passage by its quote and context, as it does after an edit.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from talkback.comments.views import PassageAnchor
from talkback.core.anchoring import utf16_length
from talkback.core.drafts import MAX_ANCHOR_QUOTE_LENGTH, MAX_QUESTION_LENGTH
from talkback.importers.records import CommentRecord, ImportFailed
from talkback.importers.summary import ImportSummary

FORM_META = "wpdiscuz_feedback_form_id"
PLACED = "wpDiscuz feedback placed on its passage"
NOT_PLACED = "wpDiscuz feedback not placed (imported as a plain comment)"
CONTEXT_LENGTH = 32
"""Characters of context on each side, as the widget takes them."""

_OPENING = re.compile(r"(?<!\[)\[wpdiscuz-feedback(?![\w-])([^\]]*)\]")
_CLOSING = re.compile(r"\[/wpdiscuz-feedback\]")
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
)
_INVISIBLE = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass(frozen=True, slots=True)
class FeedbackForm:
    """One form as the post's text places it: offsets in code points into `PostText.text`,
    trimmed of the whitespace around the passage."""

    uid: str
    question: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PostText:
    """The post's text as a reader sees it, and its feedback forms by shortcode id, in
    document order."""

    text: str
    forms: dict[str, FeedbackForm]

    def anchor(self, form: FeedbackForm) -> PassageAnchor | None:
        """The anchor of feedback on `form`, or None when its passage cannot be quoted."""
        exact = self.text[form.start : form.end]
        if not exact.strip() or len(exact) > MAX_ANCHOR_QUOTE_LENGTH:
            return None
        before = utf16_length(self.text[: form.start])
        anchor: PassageAnchor = {
            "exact": exact,
            "prefix": self.text[max(form.start - CONTEXT_LENGTH, 0) : form.start],
            "suffix": self.text[form.end : form.end + CONTEXT_LENGTH],
            "start": before,
            "end": before + utf16_length(exact),
        }
        if form.question:
            anchor["question"] = form.question
        return anchor


def reader_text(markup: str) -> str:
    """What a reader sees of a piece of post HTML: comments, scripts and tags dropped,
    entities decoded; whitespace kept as it is, like the browser's text nodes."""
    return html.unescape(_TAG.sub("", _INVISIBLE.sub("", markup)))


def read_post(content: str) -> PostText:
    """The post's reader text with every feedback shortcode taken out, and where each
    form's passage lies in it. A shortcode without an id, a question or a closing tag is
    no form (wpDiscuz skips it too); its tags are still kept out of the text."""
    pieces: list[str] = []
    forms: dict[str, FeedbackForm] = {}
    length = 0
    position = 0
    while (opening := _OPENING.search(content, position)) is not None:
        closing = _CLOSING.search(content, opening.end())
        outside = reader_text(_without_tags(content[position : opening.start()]))
        pieces.append(outside)
        length += len(outside)
        if closing is None:
            position = opening.end()
            continue
        passage = reader_text(_without_tags(content[opening.end() : closing.start()]))
        attributes = _attributes(opening.group(1))
        uid = attributes.get("id", "").strip()
        question = reader_text(attributes.get("question", "")).strip()[:MAX_QUESTION_LENGTH]
        if uid and question and uid not in forms:
            lead = len(passage) - len(passage.lstrip())
            forms[uid] = FeedbackForm(uid, question, length + lead, length + len(passage.rstrip()))
        pieces.append(passage)
        length += len(passage)
        position = closing.end()
    pieces.append(reader_text(_without_tags(content[position:])))
    return PostText("".join(pieces), forms)


def _without_tags(markup: str) -> str:
    """Stray feedback shortcode tags (unclosed, or nested in a passage) left out."""
    return _CLOSING.sub("", _OPENING.sub("", markup))


def _attributes(source: str) -> dict[str, str]:
    """Shortcode attributes, as WordPress parses them: double, single or no quotes; the
    block editor writes `"`, `[` and `]` in values as entities."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(source):
        name = match.group(1) or match.group(3) or match.group(5)
        value = match.group(2) if match.group(1) else match.group(4) or match.group(6) or ""
        found[name.lower()] = html.unescape(value)
    return found


def place_feedback(
    content: str,
    feedback: list[tuple[CommentRecord, str]],
    forms_table: Mapping[str, str],
    summary: ImportSummary,
) -> None:
    """Set the anchor of each (comment, form id) of one post whose passage can be found,
    counting those placed and those not; the records are otherwise left as they are."""
    if not feedback:
        return
    post = read_post(content)
    named = {form_id for record, form_id in feedback if record.parent_key is None}
    only = next(iter(post.forms.values())) if len(post.forms) == 1 and len(named) == 1 else None
    for record, form_id in feedback:
        form = _form_of(post, form_id, forms_table, only) if record.parent_key is None else None
        anchor = post.anchor(form) if form is not None else None
        if anchor is None:
            summary.note(NOT_PLACED)
            continue
        record.anchor = anchor
        summary.note(PLACED)


def _form_of(
    post: PostText, form_id: str, forms_table: Mapping[str, str], only: FeedbackForm | None
) -> FeedbackForm | None:
    """The form a comment names, surest first: a table that names another form (one no
    longer in the post) wins over the post having a single form."""
    if form_id in post.forms:
        return post.forms[form_id]
    if form_id in forms_table:
        return post.forms.get(forms_table[form_id])
    return only


def read_forms_table(path: Path) -> dict[str, str]:
    """wpDiscuz's form table as an operator can dump it (tab- or comma-separated, e.g.
    `wp db query "SELECT id, unique_id FROM wp_wc_feedback_forms"`): table id → the
    shortcode's id. A header naming `id` and `unique_id` picks those columns (others
    are ignored); without one, the first two columns are read."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path}: cannot read the wpDiscuz forms table ({exc})") from exc
    tabs = bool(lines) and "\t" in lines[0]
    # `wp db query` (MySQL's batch output) quotes nothing; a CSV export may.
    reader = (
        csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE) if tabs else csv.reader(lines)
    )
    rows = [row for row in reader if any(row)]
    id_column, uid_column = 0, 1
    if rows and {"id", "unique_id"} <= {cell.strip().lower() for cell in rows[0]}:
        header = [cell.strip().lower() for cell in rows.pop(0)]
        id_column, uid_column = header.index("id"), header.index("unique_id")
    table: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) <= max(id_column, uid_column) or not row[id_column].strip().isdigit():
            raise ImportFailed(f"{path}: row {number} is not a form id and its unique_id")
        table[row[id_column].strip()] = row[uid_column].strip()
    return table
