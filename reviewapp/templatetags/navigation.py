"""`{% review_nav %}`: the review's grouped navigation and review switcher (see reviewapp/navigation.py)."""

from django import template

from reviewapp.navigation import other_reviews, review_menu

register = template.Library()


@register.inclusion_tag("reviewapp/_review_menu.html", takes_context=True)
def review_nav(context):
    request = context["request"]
    review = context["review"]
    membership = context.get("membership")
    if membership is None or membership.review_id != review.pk:
        from reviewapp.models import Membership

        membership = Membership.objects.filter(review=review, user=request.user).first()
    if membership is None:
        return {"menu": [], "review": review, "others": []}
    return {
        "menu": review_menu(review, membership, request.path),
        "review": review,
        "membership": membership,
        "others": other_reviews(request.user, review),
    }
