"""The README's DuckDB queries, read from README.md and run against a dataset written by the real
sink and commit step. The records come from generated ground truth instead of a model: no real
model extracts perfectly on demand, and the point here is that the queries and the dataset
layout give the right answers, which the truth lets us compute independently."""

import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.dataset import Run, commit_run
from pipeline.samples import invoice_record
from pipeline.schemas import load_schema
from pipeline.sink import ErrorRow, ParquetSink, ResultRow
from pipeline.storage import Store

README = Path(__file__).resolve().parent.parent / "README.md"
T0 = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


def readme_queries(out: Path, heading: str = "### Queries (") -> list[str]:
    """The SQL blocks of the README section under ``heading`` (up to the next heading), on ``out``."""
    section = re.split(r"\n#", README.read_text().split(heading, 1)[1], maxsplit=1)[0]
    return [q.replace("'out/", f"'{out}/") for q in re.findall(r"```sql\n(.*?)```", section, re.S)]


def write_run(store: Store, run_id: str, rows: list[ResultRow], errors: list[ErrorRow], commit: bool) -> None:
    schema = load_schema("invoice")
    run = Run(run_id=run_id, run_date=date(2026, 11, 28), schema_name="invoice", schema_version=schema.version,
              model="m", prompt_version="1", max_soft_tokens=280, fingerprint=run_id, started_at="")
    sink = ParquetSink(store, schema, run)
    sink.write(rows, errors)
    sink.close()
    if commit:
        commit_run(store, run, {}, sink.files)


def result(doc: int, record: dict, at: datetime) -> ResultRow:
    return ResultRow(f"{doc:064x}", f"file:///docs/{doc}.pdf", 1, True, record, [], 1, 10, 10, 0.0, 0.0, at)


def error(doc: int, error_type: str) -> ErrorRow:
    return ErrorRow(f"{doc:064x}", f"file:///docs/{doc}.pdf", "render", error_type, "reason", 0, T0)


def test_readme_queries_answer_from_committed_latest_rows(tmp_path: Path) -> None:
    rng = random.Random(11)
    truth = {doc: invoice_record(rng) for doc in range(30)}
    store = Store(tmp_path)
    # Committed: every invoice, and three bad files.
    write_run(store, "run-a", [result(d, r, T0) for d, r in truth.items()],
              [error(100, "corrupt_file"), error(101, "corrupt_file"), error(102, "encrypted")], commit=True)
    # A later, committed reprocessing of two invoices: these rows must win.
    for doc in (0, 1):
        truth[doc] = {**truth[doc], "total": str(Decimal(truth[doc]["total"]) + 1)}
    write_run(store, "run-b", [result(d, truth[d], T0 + timedelta(days=1)) for d in (0, 1)], [], commit=True)
    # A run that never committed (killed): invisible to the queries.
    write_run(store, "run-c", [result(2, {**truth[2], "total": "999999.00"}, T0 + timedelta(days=2))],
              [error(103, "empty_file")], commit=False)

    create_view, by_seller, by_error = readme_queries(tmp_path)
    db = duckdb.connect()
    db.execute(create_view)
    assert db.execute("SELECT count(*), count(DISTINCT document_id) FROM invoices").fetchall() == [(30, 30)]

    expected: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for record in truth.values():
        issued = date.fromisoformat(record["issue_date"]).replace(day=1)
        key = (record["seller"]["name"], issued, record["currency"])
        expected[key][0] += 1
        expected[key][1] += Decimal(record["total"])
    got = {(seller, month, currency): [n, total]
           for seller, month, currency, n, total in db.execute(by_seller).fetchall()}
    assert {(s, m.date() if isinstance(m, datetime) else m, c): v for (s, m, c), v in got.items()} == dict(expected)

    assert db.execute(by_error).fetchall() == [("invoice", "render", "corrupt_file", 2),
                                               ("invoice", "render", "encrypted", 1)]
