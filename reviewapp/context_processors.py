from django.conf import settings


def site(request):
    return {"OPEN_SIGNUP": settings.OPEN_SIGNUP}
