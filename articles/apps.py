from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Knowledge base")

    def ready(self):
        import reversion

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
