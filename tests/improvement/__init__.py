"""Tests for portfolio.improvement: saved analyses, recommendations, knowledge and reflection."""
