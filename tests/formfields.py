"""Read an HTML form's fields as a browser would submit them, for the tests (and the
benchmarks that post admin forms: the load test, the admin save timing)."""

import re
from html.parser import HTMLParser


class FormFields(HTMLParser):
    """Collect the fields of the admin change form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(attrs.get("value", default))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            # Like a browser: the newline right after <textarea> is not part of the value.
            value = self.data[self._textarea][0]
            self.data[self._textarea][0] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def admin_form(client, url):
    """Return the fields of the admin form at ``url`` as a browser would submit them."""
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    # Drop the templates for new inline rows (their prefix contains __prefix__).
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def add_variants(data, variants):
    """Add new variants with steps to admin form ``data`` as the "Add" buttons would.

    ``variants``: a list of ``(platform_pk_or_empty, [ {"body_en": ..., ...}, ... ])``.
    """
    first = int(data["variants-TOTAL_FORMS"][0])
    for offset, (platform, steps) in enumerate(variants):
        prefix = f"variants-{first + offset}"
        data[f"{prefix}-platform"] = [str(platform or "")]
        data[f"{prefix}-order"] = [str(first + offset)]
        data[f"{prefix}-steps-TOTAL_FORMS"] = [str(len(steps))]
        data[f"{prefix}-steps-INITIAL_FORMS"] = ["0"]
        data[f"{prefix}-steps-MIN_NUM_FORMS"] = ["0"]
        data[f"{prefix}-steps-MAX_NUM_FORMS"] = ["1000"]
        for index, fields in enumerate(steps):
            data[f"{prefix}-steps-{index}-order"] = [str(index)]
            for name, value in fields.items():
                data[f"{prefix}-steps-{index}-{name}"] = [value]
    data["variants-TOTAL_FORMS"] = [str(first + len(variants))]
    return data


def form_errors(response):
    """Return the error messages an admin form page shows (for assertion messages)."""
    return re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
