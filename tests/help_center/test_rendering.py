from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from help_center.rendering import html_to_text, markdown_to_html


class _Elements(HTMLParser):
    """The real elements of a piece of HTML (escaped text is not one)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(value: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(value)
    return parser.found


def runs_code(value: str) -> bool:
    for tag, attrs in elements(value):
        if tag in {"script", "iframe", "object", "embed", "style"}:
            return True
        if any(name.startswith("on") for name in attrs):
            return True
        for name in ("href", "src"):
            if (attrs.get(name) or "").strip().lower().startswith(("javascript:", "data:")):
                return True
    return False


def test_script_in_markdown_is_inert():
    rendered = markdown_to_html(
        "# Title\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) and [ok](https://example.com)\n\n"
        '<a href="#" onclick="alert(4)">x</a>\n\n![pic](javascript:alert(5))'
    )
    assert not runs_code(rendered)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown as text
    assert "img" not in [tag for tag, _ in elements(rendered)]  # neither raw nor javascript:
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in rendered


def test_markdown_renders_headings_lists_tables_and_attachment_images():
    rendered = markdown_to_html(
        "## Passos\n\n1. Abra\n2. Envie\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "![Tela](attachment:tela.png) ![Outra](attachment:missing.png)",
        attachments={"tela.png": "/help/images/1/tela.png"},
    )
    assert "<h2>Passos</h2>" in rendered
    assert "<ol>" in rendered and "<table>" in rendered
    assert '<img src="/help/images/1/tela.png" alt="Tela">' in rendered
    assert 'alt="Outra"' in rendered and "missing.png" not in rendered


PIECES = [*"<>\"'=/ ()[]!:#*`\n", "script", "onerror", "javascript", "img", "a href", "src"]


@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_no_markdown_renders_to_something_that_runs(text):
    assert not runs_code(markdown_to_html(text))


def test_text_of_html_keeps_words_apart():
    assert html_to_text("<p>Um</p><p>dois &amp; três</p>") == "Um dois & três"
