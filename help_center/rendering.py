"""Markdown to HTML safe to show: CommonMark (markdown-it-py), then the sanitiser (nh3)."""

import html
import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the Markdown is shown as text (html=False), and nh3 removes whatever else could
# run or hide (javascript: links, event handlers): an author's mistake never reaches a reader.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
SAFE_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
ATTACHMENT_SCHEME = "attachment:"
_ATTACHMENT_REF = re.compile(r"\]\(attachment:([^)\s]+)\)")


def markdown_to_html(body: str, *, attachments: Mapping[str, str] | None = None) -> str:
    """The body rendered and sanitised; `attachment:name.png` points at the article's image."""
    attachments = attachments or {}

    def resolve(match: re.Match) -> str:
        url = attachments.get(match.group(1))
        return f"]({url})" if url else "]()"

    rendered = _MARKDOWN.render(_ATTACHMENT_REF.sub(resolve, body))
    return nh3.clean(
        rendered,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(value: str) -> str:
    """The words of the rendered body, for search snippets."""
    spaced = re.sub(r"<(/p|br|/li|/h\d|/tr|/td|/th|/pre)\b", r" \g<0>", value)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
