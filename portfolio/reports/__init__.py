"""Reports for centres: the cohort tracking grid (screen, CSV, spreadsheet) and the decision
log as CSV."""
