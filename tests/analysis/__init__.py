"""Tests for portfolio.analysis: pure functions, no app needed."""
