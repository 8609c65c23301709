import json
from pathlib import Path

import pytest

from pipeline.schemas import SchemaError, load_schema, unenforceable


@pytest.mark.parametrize("name", ["invoice", "contract"])
def test_shipped_schemas_load_with_name_and_version(name: str) -> None:
    schema = load_schema(name)
    assert schema.name == name
    assert schema.version == "1.0.0"
    assert schema.path.name == f"{name}.json"


def test_any_schema_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps({"title": "receipt", "type": "object", "properties": {"total": {"type": "string"}}}))
    schema = load_schema(path)
    assert (schema.name, schema.version) == ("receipt", "0")


UNENFORCEABLE = [
    ({"type": "number", "multipleOf": 0.01}, "multipleOf"),
    ({"type": "array", "items": {"type": "string"}, "uniqueItems": True}, "uniqueItems"),
    ({"type": "array", "contains": {"type": "string"}}, "contains"),
    ({"type": "string", "format": "iban"}, "format 'iban'"),
    ({"type": "string", "pattern": "^[A-Z]+$", "maxLength": 5}, "'minLength'/'maxLength'"),
    ({"type": "object", "propertyNames": {"pattern": "^a"}, "properties": {"a": {"type": "string"}}}, "propertyNames"),
    ({"type": "object", "patternProperties": {"^a": {}, "^b": {}}}, "patternProperties"),
    ({"allOf": [{"type": "string"}, {"enum": ["x"]}]}, "allOf"),
]


@pytest.mark.parametrize("node,keyword", UNENFORCEABLE)
def test_load_names_the_keyword_its_place_and_a_fix(tmp_path: Path, node: dict, keyword: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"type": "object", "properties": {"field": node}}))
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    message = str(err.value)
    assert keyword in message
    assert "#/properties/field" in message


@pytest.mark.parametrize("node,keyword", UNENFORCEABLE + [({"type": "string", "format": "date"}, None),
                                                          ({"type": ["string", "null"], "pattern": "^x$"}, None)])
def test_checker_agrees_with_vllm_xgrammar_backend(node: dict, keyword: str | None) -> None:
    """Our keyword-level check must flag exactly what vLLM's xgrammar backend refuses."""
    from vllm.v1.structured_output.backend_xgrammar import has_xgrammar_unsupported_json_features

    schema = {"type": "object", "properties": {"field": node}}
    assert bool(unenforceable(schema)) == has_xgrammar_unsupported_json_features(schema)


@pytest.mark.parametrize("text,reason", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be an object"),
    ('{"type": "object", "properties": {"a": {"type": 5}}}', "not a valid JSON Schema"),
    ('{"type": "array"}', "top level"),
])
def test_bad_schema_files_are_refused_with_a_reason(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(SchemaError, match=reason):
        load_schema(path)


def test_unknown_schema_name_lists_the_known_ones() -> None:
    with pytest.raises(SchemaError, match="contract, invoice"):
        load_schema("purchase_order")
