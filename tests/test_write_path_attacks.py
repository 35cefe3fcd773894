"""Attacks on the one write path (articles/editing.py), as a hostile or hurried staff member.

Each test posts the admin's forms directly with the test client. The first group
reproduces attacks a review found breaking the rules of editing.py (each failed before it
was fixed: reversion's history views reverted other articles, restores outran the role's
rights, stale forms moved, deleted or cleared what someone else had just changed, and
malformed ids or platform swaps answered 500); ``test_held_*`` are attacks that were
refused from the start, kept so they stay refused.
"""

import re

import pytest
import reversion
from reversion.models import Version

from articles.models import Article, Step, Variant
from tests.editors import (
    change_url,
    form_from,
    graph,
    history_url,
    move_step,
    png,
    post,
    superuser,
    version_of,
)
from tests.formfields import add_variants, admin_form, form_errors

pytestmark = pytest.mark.django_db


# === Findings: restore and recover ==============================================================


def test_a_history_url_with_a_step_version_reverts_no_article(
    login_as, make_article, platforms, client
):
    """reversion's revision_view looks the version up by pk and object_id only, not by
    content type: a Step version's object_id is the step's pk. When no article has that pk,
    changeform_view answers a redirect (302), and reversion keeps (commits) the revert of
    the step's whole revision: article, variants, steps, status, English text. No rights
    are checked, no version raised. One empty POST by a Translator."""
    victim = make_article(number=2101, slug="victim", status="published")
    with reversion.create_revision():
        step = Step.objects.create(
            pk=987654,
            variant=Variant.objects.get(article=victim),
            order=1,
            body_en="Old English step.",
            body_ja="古い手順。",
        )
        reversion.add_to_revision(victim)
    assert not Article.objects.filter(pk=step.pk).exists()
    step_version = Version.objects.get_for_object(step).get()
    # Since then the publisher unpublished it and an editor rewrote its English title.
    Article.objects.filter(pk=victim.pk).update(
        status="draft", title_en="New English title", version=7
    )
    Step.objects.filter(pk=step.pk).delete()
    before = graph(victim)

    translator = login_as("Translator")
    response = post(translator, history_url(step.pk, step_version), {})

    assert response.status_code in (200, 302, 403, 404)
    after = graph(victim)
    assert after == before, "a translator's empty POST reverted another article"
    assert Article.objects.get(pk=victim.pk).version >= 7


def test_recover_with_a_step_version_republishes_nothing(login_as, make_article):
    """recover_view accepts any Version id (not only a deleted article's): a Step version
    whose pk names no article makes changeform_view redirect (302), so reversion commits
    the revert of the whole revision. An Editor (no publish right) publishes again an
    article the publisher unpublished, with its old texts, in one empty POST."""
    victim = make_article(number=2102, slug="victim", status="published")
    with reversion.create_revision():
        step = Step.objects.create(
            pk=876543,
            variant=Variant.objects.get(article=victim),
            order=1,
            body_en="Old step.",
            body_ja="古い手順。",
        )
        reversion.add_to_revision(victim)
    step_version = Version.objects.get_for_object(step).get()
    publisher = login_as("Publisher")
    publisher.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [victim.pk], "index": 0},
    )
    assert Article.objects.get(pk=victim.pk).status == "draft"
    before = graph(victim)

    editor = login_as("Editor")
    response = post(editor, f"/admin/articles/article/recover/{step_version.pk}/", {})

    assert response.status_code in (200, 302, 403, 404)
    assert Article.objects.get(pk=victim.pk).status == "draft", "an Editor published"
    assert graph(victim) == before


def test_a_restore_through_one_articles_url_never_writes_another(login_as, make_article, platforms):
    """/admin/articles/article/<A>/history/<version of B's step whose pk equals A's pk>/:
    the restore reverts B's revision (B's English text and status), then saves A's form;
    keep_within_rights only looks at A. Ids of articles and steps overlap in every real
    database (article 1, step 1)."""
    a = make_article(number=2103, slug="a", id=4242, status="draft")
    b = make_article(number=2104, slug="b", status="published")
    with reversion.create_revision():
        step = Step.objects.create(
            pk=a.pk,
            variant=Variant.objects.get(article=b),
            order=1,
            body_en="B old.",
            body_ja="B古い。",
        )
        reversion.add_to_revision(b)
    step_version = Version.objects.get_for_object(step).get()
    # Later: B unpublished and rewritten by someone else.
    Article.objects.filter(pk=b.pk).update(status="draft", title_en="B rewritten", version=9)
    before_b = graph(b)

    translator = login_as("Translator")
    url = history_url(a.pk, step_version)
    response = post(translator, url, admin_form(translator, url))

    assert response.status_code in (200, 302, 404), form_errors(response)
    assert graph(b) == before_b, "restoring A's URL changed article B"
    assert Article.objects.get(pk=b.pk).version >= 9


def test_restoring_a_list_action_revision_writes_only_this_article(login_as, make_article):
    """A list action saves every selected article in ONE revision. Restoring article A to
    that revision reverts every article in it: B's later edits are silently lost, B's
    version goes back, and an Editor (no publish right) publishes B again."""
    a = make_article(number=2105, slug="a", status="draft")
    b = make_article(number=2106, slug="b", status="draft", title=("B title", "B題名"))
    publisher = login_as("Publisher")
    publisher.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [a.pk, b.pk], "index": 0},
    )
    in_bulk = version_of(a, status="published")
    # Later: B is unpublished alone and an editor rewrites its title.
    publisher.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [b.pk], "index": 0},
    )
    editor = login_as("Editor")
    data = admin_form(editor, change_url(b))
    data["title_en"] = ["B's new title"]
    assert editor.post(change_url(b), data).status_code == 302
    before_b = graph(b)
    version_b = Article.objects.get(pk=b.pk).version

    url = history_url(a.pk, in_bulk)
    response = post(editor, url, admin_form(editor, url))

    assert response.status_code == 302, form_errors(response)
    after_b = Article.objects.get(pk=b.pk)
    assert (after_b.status, after_b.title_en) == ("draft", "B's new title")
    assert graph(b) == before_b
    assert after_b.version >= version_b


def test_a_deleted_article_is_not_restored_through_its_history_url(login_as, make_article, client):
    """Recover needs the add permission (a Translator has none) but the history URL of the
    deleted article's pk reverts and re-creates it the same way: a Translator adds an
    article (rows added), only its status is put back to draft."""
    article = make_article(number=2107, slug="gone", status="published")
    version = Version.objects.get_for_object(article).get()
    publisher = login_as("Publisher")
    assert (
        publisher.post(change_url(article).replace("change", "delete"), {"post": "yes"}).status_code
        == 302
    )
    assert not Article.objects.filter(number=2107).exists()

    translator = login_as("Translator")
    assert translator.get(f"/admin/articles/article/recover/{version.pk}/").status_code == 403
    url = history_url(article.pk, version)
    response = post(translator, url, admin_form(translator, url))

    assert response.status_code in (302, 403, 404)
    assert not Article.objects.filter(number=2107).exists(), "a translator re-created an article"


def test_recover_of_an_existing_published_article_unpublishes_nothing(
    login_as, make_article, client
):
    """recover/<version of an article that still exists>: runs as a restore without the
    article's state before it (before=None), so keep_within_rights sets any non-draft
    status to draft: an Editor, who may not publish or unpublish, unpublishes."""
    article = make_article(number=2108, slug="live", status="published")
    version = Version.objects.get_for_object(article).get()

    editor = login_as("Editor")
    url = f"/admin/articles/article/recover/{version.pk}/"
    response = post(editor, url, admin_form(editor, url))

    assert response.status_code in (200, 302, 403, 404), form_errors(response)
    assert Article.objects.get(pk=article.pk).status == "published"
    assert client.get("/en/articles/2108/live/").status_code == 200


def test_recover_of_an_existing_article_is_not_found(make_article):
    """recover/ is for deleted articles only: with a version of an article that exists it
    answers 404 and writes nothing (it once wrote the old revision over the article and
    lowered its version)."""
    article = make_article(number=2109, slug="recovered", summary_en="First summary.")
    first = Version.objects.get_for_object(article).get()
    aiko, chika = superuser("aiko"), superuser("chika")
    url = change_url(article)
    data = admin_form(aiko, url)
    data["summary_en"] = ["Aiko's summary."]
    assert aiko.post(url, data).status_code == 302
    version_before = Article.objects.get(pk=article.pk).version

    recover = f"/admin/articles/article/recover/{first.pk}/"
    assert chika.get(recover).status_code == 404
    assert chika.post(recover, {}).status_code == 404
    after = Article.objects.get(pk=article.pk)
    assert (after.summary_en, after.version) == ("Aiko's summary.", version_before)


def test_a_recovered_article_counts_its_version_on_from_its_history(make_article):
    """A recovered article's version comes after every version it ever had, so a form
    loaded before the deletion is still seen as stale (and merged, not written over)."""
    article = make_article(number=2112, slug="recovered", summary_en="First summary.")
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(article)
    ben_form = admin_form(ben, url)  # loaded at version 1
    for summary in ("Second summary.", "Third summary."):
        data = admin_form(aiko, url)
        data["summary_en"] = [summary]
        assert aiko.post(url, data).status_code == 302
    highest = Article.objects.get(pk=article.pk).version
    assert aiko.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Article).get()
    recover = f"/admin/articles/article/recover/{deleted.pk}/"
    assert aiko.post(recover, admin_form(aiko, recover)).status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    assert recovered.version > highest
    assert recovered.summary_en == "Third summary."

    ben_form["title_en"] = ["Ben's title"]
    response = post(ben, url, ben_form)
    assert response.status_code == 302, form_errors(response)
    after = Article.objects.get(pk=article.pk)
    assert (after.title_en, after.summary_en) == ("Ben's title", "Third summary.")


# === Findings: the change form ==================================================================


def test_a_translator_cannot_move_a_step_to_another_variant(login_as, browsers):
    """A Translator may not change structure, but a step posted under another variant of the
    same article is moved there (save_existing_objects saves a 'moved' row; the translator
    check only looks at DELETE and new rows)."""
    before = graph(browsers)
    translator = login_as("Translator")
    url = change_url(browsers)
    data = move_step(admin_form(translator, url), source=0, index=1, target=1)

    response = post(translator, url, data)

    assert response.status_code in (200, 302), form_errors(response)
    step = Step.objects.get(body_en="Chrome two.")
    assert step.variant.platform.slug == "chrome", "a translator moved a step"
    assert graph(browsers)[1:] == before[1:]


def test_a_stale_form_leaves_a_step_where_someone_moved_it(browsers):
    """Aiko drags step 'Chrome two.' into the Edge variant. Ben's form, loaded before, only
    changes the summary; merging it must keep Aiko's move, but the step formset it is
    posted under sets the variant back: Aiko's work is silently reverted."""
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    response = aiko.post(url, move_step(aiko_form, source=0, index=1, target=1))
    assert response.status_code == 302, form_errors(response)
    assert Step.objects.get(body_en="Chrome two.").variant.platform.slug == "edge"

    ben_form["summary_en"] = ["Ben's summary."]
    response = post(ben, url, ben_form)

    assert response.status_code in (200, 302), form_errors(response)
    assert Step.objects.get(body_en="Chrome two.").variant.platform.slug == "edge"


def test_a_stale_form_clearing_a_figure_someone_replaced_is_refused(staff_client, make_article):
    """A figure conflict: Aiko replaced the figure, Ben's stale form ticked "Clear". An
    upload or a clear cannot be carried to the next form, so there is no choice to make:
    refused, with what happened, and Aiko's figure stays."""
    article = make_article(number=2110, slug="figure")
    url = change_url(article)
    data = admin_form(staff_client, url)
    data["variants-0-steps-0-figure_en"] = png("red")
    assert staff_client.post(url, data).status_code == 302
    aiko, ben = superuser("aiko"), superuser("ben")
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-0-figure_en"] = png("blue")
    assert aiko.post(url, aiko_form).status_code == 302
    blue = Step.objects.get(variant__article=article).figure_en.name
    assert "blue" in blue

    ben_form["variants-0-steps-0-figure_en-clear"] = ["on"]
    refused = post(ben, url, ben_form)
    assert refused.status_code == 200
    assert "Someone else replaced" in refused.content.decode()
    again = post(ben, url, form_from(refused.content.decode()))
    assert again.status_code == 200
    assert Step.objects.get(variant__article=article).figure_en.name == blue


def test_a_stale_upload_where_someone_uploaded_another_figure_is_refused(
    staff_client, make_article
):
    """Ben's stale form uploads a figure where Aiko uploaded another: refused, Ben is told
    to upload his again after reloading; Aiko's figure stays."""
    article = make_article(number=2111, slug="figure-mine")
    url = change_url(article)
    aiko, ben = superuser("aiko"), superuser("ben")
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-0-figure_en"] = png("blue")
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["variants-0-steps-0-figure_en"] = png("green")
    refused = post(ben, url, ben_form)
    assert refused.status_code == 200
    assert "add your figure again" in refused.content.decode()
    assert "blue" in Step.objects.get(variant__article=article).figure_en.name


def test_swapping_the_platforms_of_two_variants_saves(staff_client, browsers, platforms):
    url = change_url(browsers)
    data = admin_form(staff_client, url)
    data["variants-0-platform"] = [str(platforms["edge"].pk)]
    data["variants-1-platform"] = [str(platforms["chrome"].pk)]
    before = graph(browsers)

    response = post(staff_client, url, data)

    assert response.status_code != 500
    if response.status_code == 200:
        assert graph(browsers) == before


def test_giving_a_deleted_variants_platform_to_another_saves(staff_client, browsers, platforms):
    url = change_url(browsers)
    data = admin_form(staff_client, url)
    data["variants-0-platform"] = [str(platforms["edge"].pk)]
    data["variants-1-DELETE"] = ["on"]

    response = post(staff_client, url, data)

    assert response.status_code != 500


def test_a_stale_platform_change_that_would_duplicate_a_platform_is_a_form_error(
    browsers, platforms
):
    """Aiko gives the Edge variant Safari; Ben's stale form gives Chrome's variant Safari.
    check_platforms looks at the posted (stale) values, the merge then keeps Aiko's: two
    Safari variants, and the unique constraint answers 500."""
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-1-platform"] = [str(platforms["safari"].pk)]
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["variants-0-platform"] = [str(platforms["safari"].pk)]
    response = post(ben, url, ben_form)

    assert response.status_code != 500
    assert "one variant per platform" in response.content.decode()


def test_a_stale_checked_tick_never_approves_a_source_change_nobody_saw(
    login_as, make_article, django_capture_on_commit_callbacks
):
    """The translator's page (version 2) lists 'Step 1: Open → Open the menu' as out of
    date; she ticks it as checked. Meanwhile the editor changes the English again
    ('Close everything.'). Her stale save is merged without a word and mark_current records
    the CURRENT English as checked: a change no translator has seen is flagged as done."""
    from articles import translation_status

    article = make_article(number=2112, slug="checked", steps={None: [("Open.", "開きます。")]})
    editor, translator = login_as("Editor"), login_as("Translator")
    url = change_url(article)
    data = admin_form(editor, url)
    data["variants-0-steps-0-body_en"] = ["Open the menu."]
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(url, data).status_code == 302
    step = Step.objects.get(variant__article=article)
    key = f"step:{step.pk}:body:ja"
    translator_form = admin_form(translator, url)
    assert f'value="{key}"' in translator.get(url).content.decode(), "shown as out of date"

    data = admin_form(editor, url)
    data["variants-0-steps-0-body_en"] = ["Close everything."]
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(url, data).status_code == 302

    translator_form["mark_translated"] = [key]
    response = post(translator, url, translator_form)

    step = Step.objects.get(pk=step.pk)
    assert response.status_code in (200, 302), form_errors(response)
    assert (
        translation_status.field_status(step, "body", "ja", "en") == translation_status.OUTDATED
    ), "an unseen source change was marked as checked"


@pytest.mark.parametrize("group", ["Translator", "superuser"])
@pytest.mark.parametrize(
    "field, value",
    [
        ("variants-0-steps-0-id", "1;DROP"),
        ("variants-0-steps-0-id", "1.0"),
        ("variants-0-steps-0-id", "9" * 40),
        ("variants-0-id", "abc"),
        ("variants-0-id", "9" * 40),
    ],
)
def test_a_malformed_or_huge_row_id_is_refused_without_a_500(
    login_as, browsers, other, group, field, value
):
    """The write path refuses the id (Refused), but showing the refused page again runs
    nested-admin's get_queryset, which filters pk__in the raw posted ids: ValueError for
    '1;DROP' / '1.0', OverflowError for a 40-digit id (SQLite). Answer: 500."""
    client = superuser("root") if group == "superuser" else login_as(group)
    url = change_url(browsers)
    data = admin_form(client, url)
    data[field] = [value]
    before = graph(browsers), graph(other)

    response = post(client, url, data)

    assert response.status_code == 200
    assert (graph(browsers), graph(other)) == before


def test_a_stale_form_cannot_delete_a_step_someone_just_rewrote(browsers):
    """Aiko rewrites step 2; Ben's form, loaded before, deletes step 2. Both changed the same
    row differently, but no conflict is shown: Ben never saw Aiko's text, and it is gone."""
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-1-body_en"] = ["Aiko's careful rewrite."]
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["variants-0-steps-1-DELETE"] = ["on"]
    response = post(ben, url, ben_form)

    deleted = not Step.objects.filter(body_en="Aiko's careful rewrite.").exists()
    assert not (response.status_code == 302 and deleted), "Aiko's rewrite deleted unseen"


# === Attacks that held ==========================================================================


@pytest.mark.parametrize("group", ["Editor", "Translator", "superuser"])
@pytest.mark.parametrize(
    "forge",
    [
        "foreign step",
        "foreign variant",
        "duplicate step",
        "duplicate variant",
        "negative step id",
        "deleted step id",
    ],
)
def test_held_forged_row_ids_are_refused_and_nothing_changes(
    login_as, browsers, other, group, forge
):
    client = superuser("root") if group == "superuser" else login_as(group)
    url = change_url(browsers)
    data = admin_form(client, url)
    foreign_step = Step.objects.get(variant__article=other)
    deleted = Step.objects.create(
        variant=Variant.objects.get(article=browsers, order=0), order=9, body_en="x", body_ja="x"
    )
    deleted_pk = deleted.pk
    deleted.delete()
    own_steps = {k: v for k, v in data.items() if re.fullmatch(r"variants-\d+-steps-\d+-id", k)}
    assert own_steps
    value = {
        "foreign step": ("variants-0-steps-0-id", str(foreign_step.pk)),
        "foreign variant": ("variants-1-id", str(foreign_step.variant_id)),
        "duplicate step": ("variants-1-steps-0-id", data["variants-0-steps-0-id"][0]),
        "duplicate variant": ("variants-1-id", data["variants-0-id"][0]),
        "negative step id": ("variants-0-steps-0-id", "-1"),
        "deleted step id": ("variants-0-steps-0-id", str(deleted_pk)),
    }[forge]
    data[value[0]] = [value[1]]
    if "variant" in forge:
        data["variants-1-steps-TOTAL_FORMS"] = ["0"]
        data["variants-1-steps-INITIAL_FORMS"] = ["0"]
    for name in ("variants-0-steps-0-body_ja", "variants-1-steps-0-body_ja"):
        if name in data:
            data[name] = ["書き換え。"]
    before = graph(browsers), graph(other)

    response = post(client, url, data)

    assert response.status_code == 200
    assert (graph(browsers), graph(other)) == before


@pytest.mark.parametrize(
    "counts",
    [
        {"variants-0-steps-TOTAL_FORMS": "-1"},
        {"variants-0-steps-INITIAL_FORMS": "-1"},
        {"variants-TOTAL_FORMS": "-5", "variants-INITIAL_FORMS": "-5"},
        {"variants-0-steps-INITIAL_FORMS": "7"},
        {"variants-INITIAL_FORMS": "9"},
        {"variants-0-steps-TOTAL_FORMS": "abc"},
        {"variants-0-steps-TOTAL_FORMS": None},
        {"variants-TOTAL_FORMS": None},
        {"variants-0-steps-INITIAL_FORMS": "0"},
    ],
)
@pytest.mark.parametrize("group", ["Translator", "superuser"])
def test_held_forged_formset_counts_answer_no_500_and_move_nothing(
    login_as, browsers, other, counts, group
):
    client = superuser("root") if group == "superuser" else login_as(group)
    url = change_url(browsers)
    data = admin_form(client, url)
    for key, value in counts.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = [value]
    before_other = graph(other)
    steps_before = Step.objects.filter(variant__article=browsers).count()

    response = post(client, url, data)

    assert response.status_code in (200, 302)
    assert graph(other) == before_other
    if group == "Translator":
        assert Step.objects.filter(variant__article=browsers).count() == steps_before


@pytest.mark.parametrize("loaded", ["abc", "9" * 30, "-3", "0", None, "1e9"])
def test_held_a_forged_loaded_version_reverts_nobody(browsers, loaded):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    ben_form = admin_form(ben, url)
    aiko_form = admin_form(aiko, url)
    aiko_form["summary_en"] = ["Aiko's summary."]
    aiko_form["variants-0-steps-0-body_en"] = ["Aiko's step."]
    assert aiko.post(url, aiko_form).status_code == 302
    if loaded is None:
        ben_form.pop("loaded_version")
    else:
        ben_form["loaded_version"] = [loaded]
    ben_form["title_en"] = ["Ben's title"]

    response = post(ben, url, ben_form)

    assert response.status_code in (200, 302)
    article = Article.objects.get(pk=browsers.pk)
    assert article.summary_en == "Aiko's summary."
    assert Step.objects.get(pk=int(ben_form["variants-0-steps-0-id"][0])).body_en == "Aiko's step."


@pytest.mark.parametrize("seen", ["current", "garbage", "huge"])
def test_held_forged_resolve_fields_answer_no_500(browsers, seen):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["summary_en"] = ["Aiko's summary."]
    assert aiko.post(url, aiko_form).status_code == 302
    current = Article.objects.get(pk=browsers.pk).version
    ben_form["summary_en"] = ["Ben's summary."]
    ben_form["kb_seen_version"] = [
        {"current": str(current), "garbage": "x'\"<", "huge": "9" * 50}[seen]
    ]
    ben_form[f"kb_resolve_article-{browsers.pk}-summary_en"] = ["theirs"]
    ben_form["kb_resolve_step-999999-body_en"] = ["mine"]
    ben_form["kb_resolve_garbage"] = ["<script>"]

    response = post(ben, url, ben_form)

    assert response.status_code in (200, 302)
    assert Article.objects.get(pk=browsers.pk).summary_en == "Aiko's summary."


def test_held_a_refused_form_saved_again_after_a_third_save_is_refused_again(browsers):
    """Ben's conflict page says 'their text' is Aiko's; before he chooses, Chika saves the
    same field. His choice ('mine') was made against Aiko's text: refused again."""
    aiko, ben, chika = superuser("aiko"), superuser("ben"), superuser("chika")
    url = change_url(browsers)
    aiko_form, ben_form, chika_form = (admin_form(c, url) for c in (aiko, ben, chika))
    aiko_form["summary_en"] = ["Aiko's summary."]
    assert aiko.post(url, aiko_form).status_code == 302
    ben_form["summary_en"] = ["Ben's summary."]
    refused = post(ben, url, ben_form)
    assert refused.status_code == 200
    chika_form = admin_form(chika, url)
    chika_form["summary_en"] = ["Chika's summary."]
    assert chika.post(url, chika_form).status_code == 302

    html = refused.content.decode()
    again = form_from(html)
    (key,) = set(re.findall(r'name="(kb_resolve_[^"]+)" value="mine"', html))
    again[key] = ["mine"]
    response = post(ben, url, again)

    assert response.status_code == 200
    assert Article.objects.get(pk=browsers.pk).summary_en == "Chika's summary."


def test_held_a_stale_form_keeps_a_reordering_made_meanwhile(browsers):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-0-order"] = ["1"]
    aiko_form["variants-0-steps-1-order"] = ["0"]
    assert aiko.post(url, aiko_form).status_code == 302
    ben_form["variants-0-steps-1-body_ja"] = ["ベンの二。"]

    response = post(ben, url, ben_form)

    assert response.status_code == 302, form_errors(response)
    steps = Step.objects.filter(variant__platform__slug="chrome", variant__article=browsers)
    assert [(s.body_en, s.body_ja) for s in steps.order_by("order")] == [
        ("Chrome two.", "ベンの二。"),
        ("Chrome one.", "クローム一。"),
    ]


def test_held_a_stale_form_with_a_row_deleted_meanwhile_is_refused(browsers):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(browsers)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["variants-0-steps-1-DELETE"] = ["on"]
    assert aiko.post(url, aiko_form).status_code == 302
    after_aiko = graph(browsers)
    ben_form["variants-0-steps-1-body_en"] = ["Ben's step two."]
    ben_form["variants-0-steps-1-figure_en"] = png("red")

    response = post(ben, url, ben_form)

    assert response.status_code == 200
    assert "removed" in response.content.decode()
    assert graph(browsers) == after_aiko


def test_held_a_translator_cannot_add_variants_or_steps(login_as, browsers, platforms):
    translator = login_as("Translator")
    url = change_url(browsers)
    data = admin_form(translator, url)
    add_variants(data, [(platforms["safari"].pk, [{"body_en": "S.", "body_ja": "サ。"}])])
    data["variants-0-steps-TOTAL_FORMS"] = ["3"]
    data["variants-0-steps-2-body_ja"] = ["新しい手順。"]
    data["variants-0-steps-2-order"] = ["2"]
    # An existing row's id in a "new" form (past INITIAL_FORMS).
    data["variants-1-steps-INITIAL_FORMS"] = ["0"]
    before = graph(browsers)

    response = post(translator, url, data)

    assert response.status_code in (200, 302)
    assert graph(browsers)[1:] == before[1:]


def test_held_a_translator_cannot_change_status_or_english_through_the_form(login_as, browsers):
    translator = login_as("Translator")
    url = change_url(browsers)
    data = admin_form(translator, url)
    data["status"] = ["archived"]
    data["title_en"] = ["Hacked"]
    data["variants-0-steps-0-body_en"] = ["Hacked"]
    data["variants-0-platform"] = [data.get("variants-1-platform", [""])[0]]
    data["variants-0-steps-0-DELETE"] = ["on"]
    data["number"] = ["1"]
    data["source_language"] = ["ja"]
    before = graph(browsers)

    response = post(translator, url, data)

    assert response.status_code in (200, 302)
    after = graph(browsers)
    assert after[1:] == before[1:]
    assert after[0]["Title (English)"] == before[0]["Title (English)"]
    assert Article.objects.get(pk=browsers.pk).source_language == "en"


@pytest.mark.parametrize("group", ["Editor", "Translator"])
@pytest.mark.parametrize("action", ["publish", "unpublish", "archive", "delete_selected"])
def test_held_list_actions_without_the_permission_change_nothing(
    login_as, browsers, other, group, action
):
    client = login_as(group)
    before = graph(browsers), graph(other)
    response = post(
        client,
        "/admin/articles/article/",
        {"action": action, "_selected_action": [browsers.pk, other.pk], "index": 0, "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert (graph(browsers), graph(other)) == before


def test_held_a_forged_save_as_new_by_an_editor_leaves_the_original_and_publishes_nothing(
    login_as, browsers
):
    editor = login_as("Editor")
    url = change_url(browsers)
    data = admin_form(editor, url)
    data["_saveasnew"] = ["Save as new"]
    data["number"] = ["2999"]
    data["slug"] = ["copy"]
    before = graph(browsers)

    response = post(editor, url, data)

    assert response.status_code in (200, 302)
    assert graph(browsers) == before
    copy = Article.objects.filter(number=2999).first()
    assert copy is None or copy.status == "draft"


def test_held_a_translator_may_not_save_as_new_or_recover(login_as, browsers):
    translator = login_as("Translator")
    url = change_url(browsers)
    data = admin_form(translator, url)
    data["_saveasnew"] = ["Save as new"]
    assert post(translator, url, data).status_code == 403
    version = Version.objects.get_for_object(browsers).first()
    assert post(translator, f"/admin/articles/article/recover/{version.pk}/", {}).status_code == 403


def test_held_a_translator_restore_keeps_english_status_and_structure(login_as, browsers):
    first = Version.objects.get_for_object(browsers).get()
    publisher = login_as("Publisher")
    url = change_url(browsers)
    data = admin_form(publisher, url)
    data["status"] = ["archived"]
    data["title_en"] = ["Publisher's title"]
    data["variants-1-DELETE"] = ["on"]
    assert publisher.post(url, data).status_code == 302
    before = graph(browsers)

    translator = login_as("Translator")
    restore = history_url(browsers.pk, first)
    data = admin_form(translator, restore)
    data["status"] = ["published"]
    data["title_en"] = ["Forged"]
    response = post(translator, restore, data)

    assert response.status_code in (200, 302), form_errors(response)
    after = graph(browsers)
    assert after[1:] == before[1:]
    assert after[0]["Title (English)"] == "Publisher's title"


def test_held_restore_with_a_version_of_another_article_in_the_url_is_404(
    login_as, browsers, other
):
    version = Version.objects.get_for_object(other).first()
    editor = login_as("Editor")
    before = graph(browsers), graph(other)
    response = post(editor, history_url(browsers.pk, version), {})
    assert response.status_code == 404
    assert (graph(browsers), graph(other)) == before
