"""Every CSV file the service writes goes through `writer`, so a cell of free text
cannot be read as a formula when the file is opened in a spreadsheet (CSV, or
formula, injection)."""

import csv
import re

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Plain numbers, which may start with a sign, stay numbers.
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def safe_cell(value):
    """The value, with a leading apostrophe if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream) -> _SafeWriter:
    """A csv.writer whose cells are made safe to open in a spreadsheet."""
    return _SafeWriter(stream)
