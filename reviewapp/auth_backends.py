"""Login protection: django-axes in front of Django's own password check."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginProtectionBackend(AxesStandaloneBackend):
    """Axes' lockout (per username and IP, see settings) for logins that come with a
    request: the log-in page, the API's token requests. A password check without one
    (a management command, the shell) has no IP to count and nothing to brute-force."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
