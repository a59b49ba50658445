"""Template helpers for imports: none query (the views pass the figures in)."""

from django import template

register = template.Library()
