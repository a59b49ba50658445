"""Relevance ranking for screening: model, simulation metrics, stopping rules (pure Python)."""
