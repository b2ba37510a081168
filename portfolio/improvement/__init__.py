"""Repeated-complaint analysis and recommendations (learning outcome 3).

The learner builds analyses of the scenario's complaint log with ``portfolio.analysis``, saves
them with the computed figures and a commentary (``SavedAnalysis``), and writes SMART
recommendations, each resting on one of those analyses and on the case's root cause
(``Recommendation``). Knowledge answers and the reflective account (learning outcome 4) are
case records of kinds ``knowledge`` and ``reflection`` (see ``portfolio.casework.records``).
"""
