"""Casework: a learner works a simulated referred complaint."""
