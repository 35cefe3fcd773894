"""What an uploaded figure must be: a real PNG, JPEG, GIF or WebP image of bounded size.

Django's ImageField already refuses a file Pillow cannot open. These checks run in the
form's validation, before anything is written to the media folder, so a refused upload
leaves no file behind. SVG is refused on purpose: it can carry scripts.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

FIGURE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp")
FIGURE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def _image_format(upload):
    """Return the Pillow format name of ``upload`` (a form upload or a stored file)."""
    image = getattr(upload, "image", None)  # set by forms.ImageField after it opened it
    if image is not None and image.format:
        return image.format
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        with Image.open(upload) as opened:
            return opened.format
    except Exception:  # noqa: BLE001 - any failure means "not an image we accept"
        return None
    finally:
        if position is not None:
            upload.seek(position)


def validate_figure(value):
    """Refuse an uploaded figure that is too large or not one of the accepted formats."""
    if getattr(value, "_committed", False):
        return  # a file already stored was checked when it was uploaded
    upload = value.file if hasattr(value, "_committed") else value
    limit = settings.KB_MAX_FIGURE_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; figures may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if _image_format(upload) not in FIGURE_FORMATS:
        raise ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."), code="invalid_image")
