"""Data in and out for the ``kam`` command line: input rows, evaluation and rejects files.

* :func:`open_rows` opens CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030/GBK, detected;
  comma, semicolon or tab delimited, sniffed), JSON Lines, JSON or Parquet as a
  :class:`RowSource`, the re-readable row function
  :meth:`Engine.evaluate_stream <kamcore.Engine.evaluate_stream>` takes. A CSV line with fewer
  cells than the header comes out as a :class:`ShortRow`, which the engine rejects on its own.
* :func:`open_evaluation_writer` writes evaluations as JSON Lines, flattened CSV (UTF-8, or the
  ``encoding`` asked for) or Parquet; :func:`open_rejects_writer` writes the rows that could not
  be evaluated. Both stream, and both are atomic: the destination appears complete or not at all.
* :func:`flatten` is the one-row-per-account form of an evaluation; :func:`atomic_path` gives
  any other writer the same all-or-nothing guarantee.

Typical use::

    rows = open_rows("accounts.csv")
    with open_evaluation_writer("out.jsonl") as out, open_rejects_writer("rejects.csv") as bad:
        for evaluation, error in engine.evaluate_stream(rows, as_of="2026-06-30"):
            if evaluation is not None:
                out.write(evaluation)
            else:
                bad.write(error, line=rows.line_of(error["row"]))
"""

from __future__ import annotations

from .atomic import AtomicFile, atomic_path
from .encoding import detect_encoding
from .flatten import HEAD_COLUMNS, Scalar, flatten
from .formats import INPUT_FORMATS, OUTPUT_FORMATS, REJECTS_FORMATS
from .readers import (
    CsvSource,
    JsonLinesSource,
    JsonSource,
    ParquetSource,
    RowSource,
    ShortRow,
    open_rows,
)
from .writers import (
    REJECT_COLUMNS,
    CsvEvaluationWriter,
    EvaluationWriter,
    JsonLinesEvaluationWriter,
    ParquetEvaluationWriter,
    RejectsWriter,
    open_evaluation_writer,
    open_rejects_writer,
)

__all__ = [
    "HEAD_COLUMNS",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "REJECTS_FORMATS",
    "REJECT_COLUMNS",
    "AtomicFile",
    "CsvEvaluationWriter",
    "CsvSource",
    "EvaluationWriter",
    "JsonLinesEvaluationWriter",
    "JsonLinesSource",
    "JsonSource",
    "ParquetEvaluationWriter",
    "ParquetSource",
    "RejectsWriter",
    "RowSource",
    "Scalar",
    "ShortRow",
    "atomic_path",
    "detect_encoding",
    "flatten",
    "open_evaluation_writer",
    "open_rejects_writer",
    "open_rows",
]
