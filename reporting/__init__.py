"""Reports: caseload and drift, outcomes, and an SSDA903-style extract. It reads
every other app and is read by none."""
