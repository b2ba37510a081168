"""Exercises: a scenario version assigned to a cohort with open and close dates, and the live
board of who is where."""
