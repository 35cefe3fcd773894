"""Messages django-reversion shows in our admin, listed so `make messages` puts them in
locale/ja: reversion ships no Japanese translation, and ours takes precedence."""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("Initial version."),
    gettext_noop("Reverted to previous version, saved on %(datetime)s"),
    gettext_noop("Could not load %(object_repr)s version - not found"),
    gettext_noop("Recover %(name)s"),
    gettext_noop("Revert %(name)s"),
    gettext_noop("Recover deleted %(name)s"),
)
