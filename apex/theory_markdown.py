"""Theory documents written in Markdown: safe HTML to read, and a title from the text.

Pure (no Flask, no I/O). An uploaded ``.md`` file is untrusted: markdown-it-py parses
it with raw HTML off (a ``<script>`` in the file is shown as text), and nh3 (the
ammonia sanitiser) then keeps only the tags and attributes listed here, links only
to http(s) and mailto, each with ``rel="noopener noreferrer"``. Images are shown as
their alt text (the page loads nothing from elsewhere). The document's own headings
go one level down (the page's title is its ``h1``), and a first heading that repeats
the title is left out. With search terms, the words whose stem is a term are marked
(``<mark>``), as the plain-text reading page marks them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from apex import theory

EXTENSIONS = (".md", ".markdown")
TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "ul", "ol", "li",
        "blockquote", "code", "pre", "hr", "br", "a", "table", "thead", "tbody", "tr",
        "th", "td", "mark"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
TITLE_SCAN = 20_000  # the title is the first heading in the first this-many characters
TITLE_CHARS = 120


def is_markdown(filename: str) -> bool:
    return (filename or "").lower().endswith(EXTENSIONS)


def _text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    content = tokens[idx].content
    terms = env.get("terms")
    if not terms:
        return str(escape(content))
    return "".join(f"<mark>{escape(t)}</mark>" if hit else str(escape(t))
                   for t, hit in theory.mark(content, terms))


def _heading(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return str(escape(tokens[idx].content))  # the alt text


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("text", _text)
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    md.add_render_rule("image", _image)
    return md


_MD = _parser()


def _first_heading(tokens: Sequence[Token]) -> int | None:
    """The index of the first heading's ``heading_open``, if a heading comes first."""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            return i
        if token.block and token.nesting != -1 and token.type != "heading_open":
            return None
    return None


def render(text: str, *, title: str = "", terms: frozenset[str] = frozenset()) -> Markup:
    """``text`` (Markdown) as sanitised HTML, hits of ``terms`` marked."""
    env: dict[str, Any] = {"terms": terms}
    tokens = _MD.parse(text, env)
    first = _first_heading(tokens)
    if first is not None and title and tokens[first + 1].content.strip() == title.strip():
        tokens = tokens[:first] + tokens[first + 3:]
    html = _MD.renderer.render(tokens, _MD.options, env)
    return Markup(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel="noopener noreferrer"))


def first_heading(text: str) -> str:
    """The text of the document's first heading (any level, markup left out), or ""."""
    tokens = _MD.parse(text[:TITLE_SCAN])
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            words = "".join(child.content for child in inline.children or ()
                            if child.type in ("text", "code_inline"))
            return theory.clean_text(" ".join(words.split()))[:TITLE_CHARS]
    return ""
