"""What the relevance model reads, for the Ranking page's plain-words explanation."""

from django import template

register = template.Library()


@register.simple_tag
def ranking_uses_semantic() -> bool:
    """Whether the models also read the meaning of each abstract (the semantic block)."""
    from screening.services.embeddings import semantic_on

    return semantic_on()
