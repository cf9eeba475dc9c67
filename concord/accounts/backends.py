from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first of the backends: a locked account name is refused before
    its password is even looked at.

    `authenticate()` without a request comes from code (a shell, a test client's `login`),
    never from a visitor: there is nobody to lock out, and axes would raise instead."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
