"""Extraction pages: studies.py (overview, study management, settings), forms.py (the
form builder), sheets.py (an assessor's sheet, the comparison, consensus) and
evidence.py (the evidence table, its exports, the risk-of-bias figures)."""
