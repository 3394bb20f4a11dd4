"""The return checked with the Department for Education's own rules (the
`csc-validator-be-903` package, the rules of the collection year), so that
performance staff see what would be rejected before they submit.

The validator reads pandas data frames; it is a test and development dependency,
so the page says so if it is not installed.
"""

import io
import logging
from dataclasses import dataclass, field

from .tables import COLUMNS, FILE_NAMES, TABLES, Year, write_table

# Rules left out, and why: each reads something the return does not carry, so
# what it reports is the validator's fault, not the data's.
EXCLUDED_RULES = {
    "231": "reads a column, DATE_EPISODE_CEASED, that no table of the return has",
    "233": "reads a column, DATE_EPISODE_CEASED, that no table of the return has",
    "SW12STG2": "pairs every social worker episode with every care episode of the child and "
    "fails any episode still open on 31 March that did not start a period of care, and any "
    "social worker episode that began before the period of care, which its own message says "
    "must be reported",
}
LOCAL_AUTHORITY = "E09000027"  # the code the validator's postcode rules compare with


@dataclass
class Failure:
    rule: str
    message: str
    tables: list[str]
    children: list[str] = field(default_factory=list)  # CHILD identifiers, in order


@dataclass
class Result:
    year: Year
    failures: list[Failure]
    crashed: list[str]  # rules that raised on the data (a fault in the validator)
    rules_run: int


def available() -> bool:
    try:
        import lac_validator  # noqa: F401
    except ImportError:
        return False
    return True


def tables_as_csv(year: Year, cases=None) -> dict[str, bytes]:
    files = {}
    for table in TABLES:
        stream = io.StringIO()
        write_table(table, year, stream, cases)
        files[table] = stream.getvalue().encode()
    return files


def check(files: dict[str, bytes], year: Year) -> Result:
    """Run the year's rules over the tables (CSV bytes by table name)."""
    import importlib

    from lac_validator.lac_validator import LacValidator

    logging.getLogger("lac_validator").setLevel(logging.ERROR)
    ruleset = f"lac{year.ending - 1}_{str(year.ending)[2:]}"
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    registry = {code: rule for code, rule in registry.items() if code not in EXCLUDED_RULES}
    uploaded = [
        {"name": FILE_NAMES[table], "file_content": content, "description": "This year"}
        for table, content in files.items()
        if table in COLUMNS
    ]
    validator = LacValidator(
        metadata={"collectionYear": str(year.ending), "localAuthority": LOCAL_AUTHORITY},
        files=uploaded,
        registry=registry,
    )
    failures = []
    for code, rule in registry.items():
        column = f"ERR_{code}"
        children, tables = [], []
        for table, frame in validator.ds_results.items():
            if table == "metadata" or column not in getattr(frame, "columns", ()):
                continue
            failing = frame[frame[column] == True]  # noqa: E712 (a pandas mask)
            if len(failing):
                tables.append(table)
                for child in failing["CHILD"].tolist():
                    if str(child) not in children:
                        children.append(str(child))
        if tables:
            failures.append(Failure(str(code), rule.message, tables, children))
    failures.sort(key=lambda f: f.rule)
    return Result(year, failures, sorted(map(str, validator.fails)), len(registry))
