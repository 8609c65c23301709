"""``--schema auto``: pick each document's schema among the known ones with one short,
constrained request on its first pages, then extract with the schema it names.

The classifier answers ``{"schema": "<name>"}`` with the name constrained to the known schemas
and ``none``; ``none`` (or an answer that names nothing after the retries) makes the document an
error row ``unclassified`` that keeps the answer. Documents that never get a schema (render
failures too) land in the ``schema_name=auto`` partition of ``errors``; the others in their
schema's partitions, as if each had been run with its own ``--schema``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

from .engines.base import Message
from .prompt import page_content
from .render import RenderedDocument
from .schemas import SCHEMA_DIR, DocumentSchema, SchemaError, load_schema

AUTO = "auto"
NONE = "none"
CLASSIFY_MAX_TOKENS = 64
CLASSIFY_TEXT_CHARS = 4000  # of the first pages' text layer: enough to tell an invoice from a contract


@dataclass(frozen=True)
class SchemaChoice:
    """The schemas a document may be routed to, and the classification request for them."""

    schemas: tuple[DocumentSchema, ...]
    name: str = AUTO

    @cached_property
    def by_name(self) -> dict[str, DocumentSchema]:
        return {s.name: s for s in self.schemas}

    @cached_property
    def version(self) -> str:
        """Changes with the set of schemas and their versions: a rerun then classifies again what
        was unclassified before."""
        listing = json.dumps(sorted((s.name, s.version) for s in self.schemas))
        return hashlib.sha256(listing.encode()).hexdigest()[:12]

    @cached_property
    def answer_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": ["schema"],
                "properties": {"schema": {"enum": [*self.by_name, NONE]}}}

    def messages(self, doc: RenderedDocument, pages: range) -> list[Message]:
        """The classification request: the choices with their descriptions, then the first pages."""
        lines = [f"Which kind of document is this? The first {len(pages)} of its {len(doc.pages)} page"
                 f"{'s' if len(doc.pages) != 1 else ''} are shown below. The kinds:"]
        lines += [f"- {s.name}: {_first_sentence(s.schema.get('description', ''))}" for s in self.schemas]
        lines.append(f"- {NONE}: none of these.")
        lines.append('Answer with {"schema": "<kind>"} only.')
        content = [{"type": "text", "text": "\n".join(lines)}, *page_content(doc, pages, CLASSIFY_TEXT_CHARS)]
        return [{"role": "user", "content": content}]

    @staticmethod
    def named(answer: str) -> str | None:
        """The kind the classifier's answer names (a schema's name or ``none``); None when it
        names nothing (not JSON, no ``schema`` string)."""
        try:
            named = json.loads(answer, strict=False).get("schema")
        except (json.JSONDecodeError, AttributeError):
            return None
        return named if isinstance(named, str) else None


def choose_schema(name_or_path: str, schema_dirs: Sequence[str | Path] = ()) -> DocumentSchema | SchemaChoice:
    """What ``--schema`` names: ``auto`` (every known schema, see :func:`known_schemas`), a
    schema in ``schemas/`` or a JSON Schema file."""
    return known_schemas(schema_dirs) if name_or_path == AUTO else load_schema(name_or_path)


def known_schemas(schema_dirs: Sequence[str | Path] = ()) -> SchemaChoice:
    """Every schema in ``schemas/`` and in ``schema_dirs`` (a later file of the same name wins),
    each loaded and checked as ``--schema`` would."""
    paths: dict[str, Path] = {}
    for folder in (SCHEMA_DIR, *map(Path, schema_dirs)):
        if not folder.is_dir():
            raise SchemaError(f"--schema-dir {folder}: not a folder")
        for path in sorted(folder.glob("*.json")):
            paths[path.stem] = path
    schemas = {s.name: s for s in map(load_schema, paths.values())}
    if not schemas:
        raise SchemaError("no schemas to choose from")
    return SchemaChoice(tuple(schemas.values()))


def _first_sentence(text: str) -> str:
    text = " ".join(str(text).split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]
