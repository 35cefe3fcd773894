"""What the write path's tests do as staff: post admin forms as a browser would, and read
an article's whole graph to check that nothing else changed."""

import io

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from reversion.models import Version

from articles import revisions
from articles.models import Article, Step, Variant
from tests.formfields import FormFields


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def history_url(object_id, version):
    return f"/admin/articles/article/{object_id}/history/{version.pk}/"


def graph(article):
    """Everything an editor can change in ``article``, with its rows' ids."""
    article = Article.objects.get(pk=article.pk)
    rows = [
        (v.pk, v.platform_id, v.order, v.intro_en, v.intro_ja)
        for v in Variant.objects.filter(article=article).order_by("pk")
    ]
    steps = [
        (s.pk, s.variant_id, s.order, s.body_en, s.body_ja, s.figure_en.name)
        for s in Step.objects.filter(variant__article=article).order_by("pk")
    ]
    links = (
        sorted(article.prerequisites.values_list("pk", flat=True)),
        sorted(article.related.values_list("pk", flat=True)),
    )
    return (
        revisions.flatten(revisions.current_state(article)),
        rows,
        steps,
        article.status,
        links,
    )


def post(client, url, data):
    """Post like a browser: a server error is an answer (500), not an exception."""
    client.raise_request_exception = False
    return client.post(url, data)


def form_from(html):
    parser = FormFields()
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), colour).save(buffer, "PNG")
    return SimpleUploadedFile(f"{colour}.png", buffer.getvalue(), "image/png")


def version_of(model_obj, **wanted):
    for version in Version.objects.get_for_object(model_obj):
        if all(version.field_dict.get(k) == v for k, v in wanted.items()):
            return version
    raise AssertionError(f"no version with {wanted}")


def superuser(name):
    client = Client()
    client.force_login(User.objects.create_superuser(name, "", "x"))
    return client


def move_step(data, source, index, target):
    """Move step ``index`` of variant form ``source`` to the end of variant form ``target``
    in admin form ``data``, as dragging it there in the browser would post it."""
    data = {k: list(v) if isinstance(v, list) else v for k, v in data.items()}
    src = f"variants-{source}-steps-"
    dst = f"variants-{target}-steps-"
    moved = {
        k[len(f"{src}{index}-") :]: v for k, v in data.items() if k.startswith(f"{src}{index}-")
    }
    total_src = int(data[f"{src}TOTAL_FORMS"][0])
    # Shift the following forms of the source down by one.
    for i in range(index + 1, total_src):
        for key in [k for k in data if k.startswith(f"{src}{i}-")]:
            data[f"{src}{i - 1}-{key[len(f'{src}{i}-') :]}"] = data.pop(key)
    for key in [k for k in data if k.startswith(f"{src}{total_src - 1}-")]:
        del data[key]
    data[f"{src}TOTAL_FORMS"] = [str(total_src - 1)]
    data[f"{src}INITIAL_FORMS"] = [str(int(data[f"{src}INITIAL_FORMS"][0]) - 1)]
    total_dst = int(data[f"{dst}TOTAL_FORMS"][0])
    initial_dst = int(data[f"{dst}INITIAL_FORMS"][0])
    assert total_dst == initial_dst, "helper: no new rows in the target"
    for name, value in moved.items():
        data[f"{dst}{total_dst}-{name}"] = value
    # nested-admin's drag also points the row's hidden parent field at its new variant.
    data[f"{dst}{total_dst}-variant"] = list(data[f"variants-{target}-id"])
    data[f"{dst}TOTAL_FORMS"] = [str(total_dst + 1)]
    data[f"{dst}INITIAL_FORMS"] = [str(initial_dst + 1)]
    return data


def get(client, url, data=None):
    """Get like a browser: a server error is an answer (500), not an exception."""
    client.raise_request_exception = False
    return client.get(url, data)


def list_action(client, action, pks):
    return post(
        client,
        "/admin/articles/article/",
        {"action": action, "_selected_action": [str(pk) for pk in pks], "index": 0, "post": "yes"},
    )
