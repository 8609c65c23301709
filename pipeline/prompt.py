"""Turn a rendered document and a schema into one chat request: every page as an image, the PDF
text layer when there is one, and instructions derived from the schema's field descriptions.

Bump PROMPT_VERSION whenever the wording changes: it is stored with every result, and a rerun
re-extracts only for a new (schema version, model, prompt version)."""

from __future__ import annotations

from typing import Any

from .engines.base import Message
from .render import RenderedDocument
from .schemas import DocumentSchema

PROMPT_VERSION = "1"


def build_messages(doc: RenderedDocument, schema: DocumentSchema, max_text_chars: int) -> list[Message]:
    """One user turn: instructions, page images in order, then the text layer (capped)."""
    content: list[dict[str, Any]] = [{"type": "text", "text": instructions(schema, len(doc.pages))}]
    for number, page in enumerate(doc.pages, start=1):
        content.append({"type": "text", "text": f"Page {number}:"})
        content.append({"type": "image_pil", "image_pil": page.image})
    text = text_layer(doc, max_text_chars)
    if text:
        content.append({"type": "text", "text": "Text layer of the PDF (may be incomplete; the images are authoritative):\n" + text})
    content.append({"type": "text", "text": "Answer with the JSON object only."})
    return [{"role": "user", "content": content}]


def instructions(schema: DocumentSchema, page_count: int) -> str:
    """The task, the schema's own description and one line per field."""
    lines = [
        f"Extract a '{schema.name}' record from the document below ({page_count} page"
        f"{'s' if page_count != 1 else ''}).",
        str(schema.schema.get("description", "")).strip(),
        "Copy values exactly as printed; never invent a value: use null when a field is absent.",
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


def text_layer(doc: RenderedDocument, max_chars: int) -> str:
    """The PDF text layer page by page, cut at max_chars (the images carry the rest)."""
    if not doc.has_text_layer or max_chars <= 0:
        return ""
    text = "\n".join(f"--- page {i} ---\n{p.text.strip()}" for i, p in enumerate(doc.pages, 1))
    return text if len(text) <= max_chars else text[:max_chars] + "\n[text layer truncated]"
