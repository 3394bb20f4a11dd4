"""The SSDA903 return on looked-after children, from the record: its tables with
the Department for Education's column names (`tables`), written as one zip
(`write_zip`), checked with the Department's own rules (`validation`), and a
council's existing return loaded back (`loading`).

`extract` is the older one-file extract of the reunification cohort for a chosen
period, kept for reconciling the cohort with the return.
"""

from .episodes import FIELDS, Episode, episodes, extract, reason_new_episode, write_csv
from .tables import COLUMNS, TABLES, Year, table_rows, write_table, write_zip

__all__ = [
    "COLUMNS",
    "FIELDS",
    "TABLES",
    "Episode",
    "Year",
    "episodes",
    "extract",
    "reason_new_episode",
    "table_rows",
    "write_csv",
    "write_table",
    "write_zip",
]
