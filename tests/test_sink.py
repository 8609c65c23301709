import copy
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schemas import load_schema
from pipeline.dataset import Run
from pipeline.arrow import arrow_column
from pipeline.sink import ErrorRow, ParquetSink, ResultRow
from pipeline.storage import Store
from test_validate import INVOICE


def test_invoice_record_becomes_typed_columns() -> None:
    record_type, convert = arrow_column(load_schema("invoice").schema)
    assert record_type.field("issue_date").type == pa.date32()
    assert record_type.field("due_date").type == pa.date32()
    assert record_type.field("seller").type.field("address").type.field("country").type == pa.string()
    line = record_type.field("line_items").type.value_type
    assert [f.name for f in line] == ["description", "quantity", "unit_price", "amount"]
    assert record_type.field("total").type == pa.decimal128(17, 4)
    assert line.field("amount").type == pa.decimal128(17, 4)
    assert convert(INVOICE)["issue_date"] == date(2026, 3, 1)
    assert convert(INVOICE)["total"] == Decimal("595.00")
    assert convert(INVOICE)["buyer"]["address"] is None


def test_contract_types_cover_enum_integer_boolean() -> None:
    record_type, _ = arrow_column(load_schema("contract").schema)
    assert record_type.field("contract_type").type == pa.string()
    assert record_type.field("term_months").type == pa.int64()
    assert record_type.field("auto_renewal").type == pa.bool_()
    assert record_type.field("parties").type == pa.list_(record_type.field("parties").type.value_type)


def test_free_form_and_union_values_are_kept_as_json() -> None:
    node = {"type": "object", "properties": {"extra": {"type": "object"}, "either": {"type": ["string", "integer"]}}}
    record_type, convert = arrow_column(node)
    assert record_type.field("extra").type == pa.string()
    assert convert({"extra": {"a": [1]}, "either": 3}) == {"extra": '{"a": [1]}', "either": "3"}


def make_run(run_id: str = "run-1", schema_version: str = "1.0.0") -> Run:
    return Run(run_id=run_id, run_date=date(2026, 11, 28), schema_name="invoice", schema_version=schema_version,
               model="tiny", prompt_version="1", max_soft_tokens=280, fingerprint="f", started_at="")


NOW = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


def result_row(record: dict = INVOICE, document_id: str = "ab" * 32) -> ResultRow:
    return ResultRow(document_id, "file:///a.pdf", 1, True, record, ["total_mismatch: x"], 1, 900, 300, 0.1, 2.0, NOW)


def test_rows_are_written_partitioned_and_queryable(tmp_path: Path) -> None:
    sink = ParquetSink(Store(tmp_path), load_schema("invoice"), make_run())
    error = ErrorRow(None, "file:///b.pdf", "render", "empty_file", "the file is empty (0 bytes)", 0, NOW)
    sink.write([result_row()], [error])
    sink.write([result_row()], [])
    assert sink.files == []  # nothing is visible before the files are closed
    sink.close()
    name = f"part-run-1-{sink.writer_id}-0000.parquet"
    assert sink.files == [f"results/schema_name=invoice/run_date=2026-11-28/{name}",
                          f"errors/schema_name=invoice/run_date=2026-11-28/{name}"]
    assert pq.ParquetFile(tmp_path / sink.files[0]).num_row_groups == 1  # windows are buffered into row groups
    rows = duckdb.sql(f"""
        SELECT schema_name, run_date, record.total, record.issue_date, record.line_items[1].amount, flags
        FROM read_parquet('{tmp_path}/results/**/*.parquet', hive_partitioning = true)""").fetchall()
    assert rows == [("invoice", date(2026, 11, 28), Decimal("595"), date(2026, 3, 1), Decimal("450"),
                     ["total_mismatch: x"])] * 2
    # Decimal columns sum exactly: 0.1 + 0.2 style float errors cannot creep into totals.
    [(total,)] = duckdb.sql(f"SELECT sum(record.total) FROM read_parquet('{tmp_path}/results/**/*.parquet')").fetchall()
    assert total == Decimal("1190.0000")
    errors = duckdb.sql(f"SELECT source, stage, error_type, model, max_soft_tokens "
                        f"FROM read_parquet('{tmp_path}/errors/**/*.parquet')").fetchall()
    assert errors == [("file:///b.pdf", "render", "empty_file", "tiny", 280)]


def test_files_roll_at_the_row_limit(tmp_path: Path) -> None:
    sink = ParquetSink(Store(tmp_path), load_schema("invoice"), make_run(), file_rows=2)
    for _ in range(5):
        sink.write([result_row()], [])
    sink.close()
    assert [pq.read_metadata(tmp_path / f).num_rows for f in sink.files] == [2, 2, 1]


def test_a_new_optional_field_does_not_break_reading_older_partitions(tmp_path: Path) -> None:
    schema = load_schema("invoice")
    old = ParquetSink(Store(tmp_path), schema, make_run("old"))
    old.write([result_row(document_id="01" * 32)], [])
    old.close()
    extended = copy.deepcopy(schema.schema)
    extended["properties"]["order_reference"] = {"type": ["string", "null"]}
    path = tmp_path / "invoice-1.1.json"
    path.write_text(json.dumps({**extended, "version": "1.1.0"}))
    new = ParquetSink(Store(tmp_path), load_schema(path), make_run("new", "1.1.0"))
    new.write([result_row({**INVOICE, "order_reference": "PO-7"}, document_id="02" * 32)], [])
    new.close()
    rows = duckdb.sql(f"""
        SELECT schema_version, record.total, record.order_reference
        FROM read_parquet('{tmp_path}/results/**/*.parquet', union_by_name = true) ORDER BY schema_version""").fetchall()
    assert rows == [("1.0.0", Decimal("595"), None), ("1.1.0", Decimal("595"), "PO-7")]


def test_declared_column_types_are_checked_when_the_schema_loads(tmp_path: Path) -> None:
    import pytest

    from pipeline.schemas import SchemaError

    path = tmp_path / "x.json"
    path.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string", "x-arrow-type": "money"}}}))
    with pytest.raises(SchemaError, match="only decimal128"):
        load_schema(path)
