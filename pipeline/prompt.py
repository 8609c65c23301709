"""Turn a rendered document and a schema into one chat request: every page as an image, the PDF
text layer when there is one, and instructions derived from the schema's field descriptions.

Bump PROMPT_VERSION whenever the wording changes: it is stored with every result, and a rerun
re-extracts only for a new (schema version, model, prompt version)."""

from __future__ import annotations

from typing import Any

from .engines.base import Message
from .render import RenderedDocument
from .schemas import DocumentSchema

PROMPT_VERSION = "2"


def build_messages(doc: RenderedDocument, schema: DocumentSchema, max_text_chars: int,
                   pages: range | None = None) -> list[Message]:
    """One user turn: instructions, page images in order, then the text layer (capped). With
    ``pages`` (a window of a longer document), only those pages, numbered as in the document."""
    pages = range(len(doc.pages)) if pages is None else pages
    content: list[dict[str, Any]] = [{"type": "text", "text": instructions(schema, len(doc.pages), pages)}]
    content += page_content(doc, pages, max_text_chars)
    content.append({"type": "text", "text": "Answer with the JSON object only."})
    return [{"role": "user", "content": content}]


def page_content(doc: RenderedDocument, pages: range, max_text_chars: int) -> list[dict[str, Any]]:
    """Each page of ``pages`` as a label and its image, then their text layer (capped)."""
    content: list[dict[str, Any]] = []
    for index in pages:
        content.append({"type": "text", "text": f"Page {index + 1}:"})
        content.append({"type": "image_pil", "image_pil": doc.pages[index].image})
    text = text_layer(doc, max_text_chars, pages)
    if text:
        content.append({"type": "text", "text": "Text layer of the PDF (may be incomplete; the images are authoritative):\n" + text})
    return content


def instructions(schema: DocumentSchema, page_count: int, pages: range | None = None) -> str:
    """The task, the schema's own description and one line per field; for a window, which pages
    of how many it shows and what to do with fields printed elsewhere."""
    whole = pages is None or len(pages) == page_count
    scope = (f"the document below ({page_count} page{'s' if page_count != 1 else ''})" if whole else
             f"pages {pages.start + 1} to {pages.stop} of a {page_count}-page document, shown below")
    lines = [
        f"Extract a '{schema.name}' record from {scope}.",
        str(schema.schema.get("description", "")).strip(),
        "Copy values exactly as printed; never invent a value: use null when a field is absent.",
        "" if whole else ("Only these pages are shown: give what they print, null for a field printed on other "
                          "pages, and only the list entries these pages contain."),
        "Fields:",
    ]
    lines += [f"- {path}: {text}" for path, text in field_descriptions(schema.schema)]
    return "\n".join(line for line in lines if line)


def field_descriptions(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, description) for every described property, following local $refs."""
    defs = schema.get("$defs", {}) | schema.get("definitions", {})
    out: list[tuple[str, str]] = []

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref", "")
        if ref.startswith(("#/$defs/", "#/definitions/")):
            target = defs.get(ref.rsplit("/", 1)[1], {})
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def visit(node: dict[str, Any], path: str, depth: int) -> None:
        node = resolve(node)
        if path and node.get("description"):
            out.append((path, node["description"]))
        if depth > 4:  # recursive schemas: describe the first levels only
            return
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            if isinstance(branch, dict) and resolve(branch).get("type") != "null":
                visit({k: v for k, v in resolve(branch).items() if k != "description"}, path, depth + 1)
        for name, child in node.get("properties", {}).items():
            visit(child, f"{path}.{name}" if path else name, depth + 1)
        if isinstance(node.get("items"), dict):
            visit({k: v for k, v in resolve(node["items"]).items() if k != "description"}, f"{path}[]", depth + 1)

    visit(schema, "", 0)
    return out


def text_layer(doc: RenderedDocument, max_chars: int, pages: range | None = None) -> str:
    """The PDF text layer of ``pages`` (default all) page by page, cut at max_chars (the images
    carry the rest)."""
    if not doc.has_text_layer or max_chars <= 0:
        return ""
    pages = range(len(doc.pages)) if pages is None else pages
    text = "\n".join(f"--- page {i + 1} ---\n{doc.pages[i].text.strip()}" for i in pages)
    return text if len(text) <= max_chars else text[:max_chars] + "\n[text layer truncated]"
