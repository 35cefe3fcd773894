"""Fixtures: small builders for content, and the demo content loaded for real."""

import importlib
import itertools

import pytest
import reversion
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.utils import translation

from articles import search
from articles.models import Article, Category, Platform, Step, Variant
from tests import demo_snapshot

_numbers = itertools.count(5000)

# The test server queues at most 5 pending connections (socketserver's default); the
# concurrency tests open 50 at once, as a burst of real readers would.
ThreadedWSGIServer.request_queue_size = 128


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Give each test its own media folder so figures never leak between tests."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Start each test in the default language.

    The test client runs requests in the test's own thread, and LocaleMiddleware leaves
    the language of the last request active: a test would otherwise build its URLs in
    whatever language the test before it last asked for.
    """
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached page (the database is new, the cache would not be)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_search_index(request):
    """Start transactional tests with an empty search index.

    Django's flush between transactional tests empties the model tables only; the FTS
    tables would otherwise keep the previous test's rows.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional:
        request.getfixturevalue("transactional_db")
        search.clear()
        # The flush also emptied django_content_type; ids cached from before it would
        # make every new revision (django-reversion) point at a missing content type.
        ContentType.objects.clear_cache()


@pytest.fixture
def editor_groups(db):
    """Make sure the groups of migration 0005 exist.

    A transactional test's flush empties every table, data-migration rows included, so
    tests that need the groups recreate them with the migration's own function.
    """
    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0005_editor_groups")
    migration.create_groups(apps, None)


@pytest.fixture
def category(db):
    return Category.objects.create(slug="login", name_en="Login", name_ja="ログイン", order=1)


@pytest.fixture
def platforms(db):
    """Return the four browsers, keyed by slug."""
    data = [("chrome", "Chrome"), ("firefox", "Firefox"), ("edge", "Edge"), ("safari", "Safari")]
    return {
        slug: Platform.objects.create(
            slug=slug, family="browser", name_en=name, name_ja=name, order=index
        )
        for index, (slug, name) in enumerate(data)
    }


@pytest.fixture
def make_article(db, category):
    """Build an article: ``make_article(steps={None: [("en", "ja"), ...]}, ...)``.

    ``steps`` maps a platform (or None for shared steps) to its steps as (English,
    Japanese) pairs, in order.
    """

    def build(
        title=("An article", "記事"),
        steps=None,
        status=Article.Status.PUBLISHED,
        number=None,
        slug="an-article",
        **fields,
    ):
        # Like the importer and the admin: what is written is recorded as a revision.
        with reversion.create_revision():
            return _build(title, steps, status, number, slug, **fields)

    def _build(title, steps, status, number, slug, **fields):
        article = Article.objects.create(
            number=next(_numbers) if number is None else number,
            slug=slug,
            category=category,
            status=status,
            title_en=title[0],
            title_ja=title[1],
            **fields,
        )
        for order, (platform, pairs) in enumerate(
            (steps or {None: [("Do it.", "実行します。")]}).items()
        ):
            variant = Variant.objects.create(article=article, platform=platform, order=order)
            for step_order, (en, ja) in enumerate(pairs):
                Step.objects.create(variant=variant, order=step_order, body_en=en, body_ja=ja)
        return article

    return build


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo as the real management command writes it, loaded once (demo_snapshot.py)."""
    with django_db_blocker.unblock():
        return demo_snapshot.take(tmp_path_factory.mktemp("demo-media"))


@pytest.fixture
def demo(db, _demo_snapshot, settings):
    """The shipped demo content, as ``manage.py load_demo`` writes it (figures included)."""
    demo_snapshot.restore(_demo_snapshot, settings.MEDIA_ROOT)
    return {article.number: article for article in Article.objects.all()}


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "", "pw-for-tests-only")
    client.force_login(user)
    return client


# Staff and articles for the write path's tests (tests/test_write_path*.py).


@pytest.fixture
def login_as(editor_groups):
    counter = iter(range(1000))

    def login(group):
        user = User.objects.create_user(
            f"{group.lower()}-{next(counter)}", password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def browsers(make_article, platforms):
    """A published article with a Chrome variant (two steps) and an Edge variant (one)."""
    return make_article(
        number=2001,
        slug="browsers",
        summary_en="Summary.",
        summary_ja="概要。",
        steps={
            platforms["chrome"]: [("Chrome one.", "クローム一。"), ("Chrome two.", "クローム二。")],
            platforms["edge"]: [("Edge one.", "エッジ一。")],
        },
    )


@pytest.fixture
def other(make_article, platforms):
    """Another published article, the bystander that must never change."""
    return make_article(
        number=2002,
        slug="other",
        title=("Other article", "別の記事"),
        steps={platforms["chrome"]: [("Other step.", "別の手順。")]},
    )


@pytest.fixture
def two_servers(tmp_path):
    """Two gunicorn app servers on this test's database and Redis (the multi-server
    tests); their base URLs."""
    from tests.servers import app_servers, collect_static

    static_root = tmp_path / "static"
    collect_static(static_root, tmp_path / "collect")
    with app_servers(2, static_root, tmp_path) as urls:
        yield urls
