"""demo/draw_figures.py redraws every demo figure, in both languages, as committed."""

import importlib.util
import subprocess
import sys

import pytest
from PIL import Image, ImageChops

from tests.glossary import BASE

SCRIPT = BASE / "demo" / "draw_figures.py"


@pytest.fixture(scope="module")
def draw_figures():
    spec = importlib.util.spec_from_file_location("draw_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def referenced_figures():
    import yaml

    names = set()
    for path in (BASE / "demo" / "articles").glob("*.yaml"):
        for variant in yaml.safe_load(path.read_text(encoding="utf-8"))["variants"]:
            for step in variant["steps"]:
                names.update((step.get("figure") or {}).values())
    return {name.removeprefix("figures/") for name in names}


def test_the_script_draws_exactly_the_figures_the_articles_use(draw_figures, tmp_path):
    if not all(
        (draw_figures.FONT_DIR / name).is_file() for name in draw_figures.FONT_FILES.values()
    ):
        pytest.skip("Debian's fonts-noto-cjk is not installed")
    written = draw_figures.draw_all(tmp_path)
    assert {path.name for path in written} == referenced_figures()
    for path in written:
        committed = Image.open(BASE / "demo" / "figures" / path.name)
        drawn = Image.open(path)
        assert committed.mode == drawn.mode == "P", path.name  # palette PNGs stay small
        difference = ImageChops.difference(committed.convert("RGB"), drawn.convert("RGB"))
        assert difference.getbbox() is None, f"{path.name} differs from the committed file"
        assert path.stat().st_size < 16_000, path.name


def test_a_missing_font_stops_the_script_with_the_package_to_install(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out"), "--font-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "fonts-noto-cjk" in result.stderr and "NotoSansCJK-Regular.ttc" in result.stderr
    assert not (tmp_path / "out").exists()
