from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Knowledge base")

    def ready(self):
        import reversion
        from django.contrib import admin
        from django.utils.functional import lazy
        from django.utils.text import format_lazy

        from .context_processors import site_name

        # The admin is the help center's, not "Django administration", in the staff
        # member's language: evaluated per request, like the name on the public pages.
        name = lazy(site_name, str)()
        admin.site.site_header = format_lazy(_("{site} administration"), site=name)
        admin.site.site_title = admin.site.site_header
        admin.site.index_title = _("Manage articles and staff")

        from . import signals  # noqa: F401 - keeps search, cache and translation state in step
        from .models import Article, Step, Variant

        # Every save of an article records it with its variants and steps. Registered
        # here, not with the decorator: modeltranslation adds the _en/_ja fields when the
        # apps are ready, and reversion must see them to store both languages. The admin's
        # VersionAdmin may have registered the models already (admin loads first), with
        # defaults; ours replace them. translation_state is derived, so not stored.
        for model, options in (
            (Article, {"follow": ("variants",), "exclude": ("translation_state",)}),
            (Variant, {"follow": ("steps",)}),
            (Step, {}),
        ):
            if reversion.is_registered(model):
                reversion.unregister(model)
            reversion.register(model, **options)
