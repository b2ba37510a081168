"""The qualification framework: units, learning outcomes and assessment criteria, as data."""
