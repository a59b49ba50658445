"""Template helpers for ranking: none query (the views pass the figures in)."""

from django import template

register = template.Library()
