"""Accounts: centres, users with roles, allocation of assessors and IQAs, cohorts."""
