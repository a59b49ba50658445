"""Reads of the screening app: QuerySets and small functions returning plain data."""
