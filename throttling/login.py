"""Login throttling: failures from one address lock that address out, whoever logs in.

django-axes counts failed logins per client address (``AXES_LOCKOUT_PARAMETERS``) in the
database. Its reset on success deletes every failure of the address, so anyone with a
valid account could clear their guesses at another account by logging in with their own
between guesses. Here a good login forgives only the failures at its own account from
that address (a user's own typos); guesses at any other account keep counting.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class AddressLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with a good login clearing its own account's failures only."""

    def reset_user_attempts(self, request, credentials=None):
        """Delete the failed logins at this account from this address; return how many."""
        count, _deleted = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            username=get_client_username(request, credentials),
        ).delete()
        return count
