"""Scenario files: the format's schema, validation and loading."""
