"""Figure uploads: only real PNG, JPEG, GIF or WebP images of bounded size are accepted."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Step
from tests.formfields import admin_form, form_errors

pytestmark = pytest.mark.django_db


def image_bytes(kind="PNG", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def upload(staff_client, make_article, settings):
    article = make_article(slug="with-figure")
    url = f"/admin/articles/article/{article.pk}/change/"

    def post(name, content, content_type="image/png"):
        data = admin_form(staff_client, url)
        data["variants-0-steps-0-figure_en"] = SimpleUploadedFile(name, content, content_type)
        data["variants-0-steps-0-figure_alt_en"] = ["The menu"]
        return staff_client.post(url, data)

    return post


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_real_png_is_stored(upload, settings):
    response = upload("menu.png", image_bytes())
    assert response.status_code == 302, form_errors(response)
    assert Step.objects.get().figure_en.name.startswith("figures/menu")
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"this is a text file, not a picture", "Upload a valid image"),
        ("script.png", b"<script>alert(1)</script>", "Upload a valid image"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "Upload a valid image"),
        ("photo.bmp", None, "not allowed"),
        ("renamed.png", "BMP", "image"),
    ],
)
def test_what_is_not_an_accepted_image_is_refused_and_nothing_is_written(
    upload, settings, name, content, message
):
    if content is None or content == "BMP":
        content = image_bytes("BMP")
    response = upload(name, content)
    assert response.status_code == 200
    assert message in " ".join(form_errors(response))
    assert stored_files(settings) == []
    assert not Step.objects.get().figure_en


def test_a_too_large_image_is_refused_with_its_size(upload, settings):
    settings.KB_MAX_FIGURE_BYTES = 1000
    content = image_bytes(size=(400, 400))
    assert len(content) > 1000
    response = upload("big.png", content)
    errors = " ".join(form_errors(response))
    assert "figures may be at most 1000" in errors
    assert stored_files(settings) == []


def test_the_format_is_checked_by_content_not_by_name():
    from django.core.exceptions import ValidationError

    from articles.uploads import validate_figure

    validate_figure(SimpleUploadedFile("ok.png", image_bytes("PNG")))
    validate_figure(SimpleUploadedFile("ok.webp", image_bytes("WEBP")))
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        validate_figure(SimpleUploadedFile("renamed.png", image_bytes("BMP")))
