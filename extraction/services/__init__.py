"""Writes of the extraction app: typed, keyword-only, atomic. Views, the API and the
demo call these; nothing else writes extraction models.

- studies.py: one study per included report by default; link, unlink, rename.
- forms.py: settings and the extraction form (a new version for every change).
- sheets.py: assessors' values (autosave, done, reopen), slots, consensus.
"""
