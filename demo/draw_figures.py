"""Draw the figures of the demo articles, in English and in Japanese.

    .venv/bin/python demo/draw_figures.py            # writes demo/figures/*.png
    .venv/bin/python demo/draw_figures.py --out DIR  # writes them elsewhere

Every figure of KB 1008 is a simplified browser window with its developer tools open:
the labels are the ones the browser shows in that language (the same labels the steps
quote), and the orange callout says what to do. The Japanese figures are named like the
English ones with ``-ja`` added and are set as each step's ``figure: {ja: ...}``.

Both languages use Noto Sans CJK JP (Debian's ``fonts-noto-cjk``): one font for Latin and
Japanese text keeps the two versions alike. Pillow and the font alone decide every pixel,
so the same versions draw the same files. The files are palette PNGs (a few KB each).

This script lives beside ``figures/`` rather than in it: ``export_articles --replace``
rewrites ``figures/`` with what the database holds and would delete it from there.
"""

import argparse
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
FONT_INDEX = 0  # "Noto Sans CJK JP" in both collections (fc-query lists it first)
FIGURES = Path(__file__).resolve().parent / "figures"

WIDTH, HEIGHT = 720, 405

WINDOW_BAR = (236, 237, 240)
PAGE = (246, 247, 249)
PANEL = (255, 255, 255)
ROW = (255, 255, 255)
ROWS_BACKGROUND = (241, 242, 244)
LINE = (200, 202, 207)
TEXT = (32, 33, 36)
MUTED = (110, 114, 120)
PAGE_TEXT = (150, 154, 160)
RED = (217, 48, 37)
ERROR_TEXT = (197, 34, 31)
HIGHLIGHT = (255, 214, 0)
HIGHLIGHT_EDGE = (204, 102, 0)
CALLOUT = (204, 102, 0)
BLUE = (26, 115, 232)
TAB_STRIP = (241, 243, 244)
SHADOW = (170, 172, 178)
MENU_EDGE = (150, 152, 158)


# Text is anti-aliased against its background: the palette holds every colour used and the
# shades between each text colour and the backgrounds it is drawn on. A fixed palette keeps
# small areas (the red record button, a "500") their own colour, which an adaptive one
# would merge into their neighbours.
SHADES = 6
INKS_ON = {
    TEXT: (PANEL, TAB_STRIP, HIGHLIGHT, ROWS_BACKGROUND),
    MUTED: (PANEL, ROWS_BACKGROUND),
    PAGE_TEXT: (PAGE,),
    CALLOUT: (PAGE, PANEL, ROWS_BACKGROUND),
    RED: (PANEL,),
    ERROR_TEXT: (PANEL,),
    HIGHLIGHT_EDGE: (PANEL, HIGHLIGHT, TAB_STRIP),
    BLUE: (PANEL, HIGHLIGHT),
    WINDOW_BAR: (PANEL,),
    LINE: (PANEL,),
}


def _palette():
    colours = []
    for ink, grounds in INKS_ON.items():
        for ground in grounds:
            for step in range(SHADES + 2):
                mix = tuple(
                    round(g + (i - g) * step / (SHADES + 1))
                    for i, g in zip(ink, ground, strict=True)
                )
                if mix not in colours:
                    colours.append(mix)
    extra = [
        (237, 106, 94),
        (245, 191, 79),
        (98, 197, 84),
        (120, 20, 20),
        (160, 162, 168),
        SHADOW,
        MENU_EDGE,
    ]
    colours += [c for c in extra if c not in colours]
    assert len(colours) <= 256, len(colours)
    image = Image.new("P", (1, 1))
    image.putpalette([v for c in colours for v in c] + [0, 0, 0] * (256 - len(colours)))
    return image


PALETTE = _palette()


class FontMissing(SystemExit):
    """The Japanese font is not installed: say which package provides it."""


def load_fonts(font_dir=FONT_DIR):
    """Return a function giving the font of a weight and size; stop clearly if missing."""
    missing = [name for name in FONT_FILES.values() if not (font_dir / name).is_file()]
    if missing:
        raise FontMissing(
            f"draw_figures.py: font not found: {', '.join(str(font_dir / m) for m in missing)}\n"
            "The figures are drawn with Noto Sans CJK JP from Debian's fonts-noto-cjk "
            "package: sudo apt-get install fonts-noto-cjk"
        )
    cache = {}

    def font(weight, size):
        key = (weight, size)
        if key not in cache:
            path = font_dir / FONT_FILES[weight]
            cache[key] = ImageFont.truetype(str(path), size, index=FONT_INDEX)
        return cache[key]

    return font


# --- what each browser shows, in each language ---------------------------------------------

TABS = {
    "chrome": {
        "en": ["Elements", "Console", "Sources", "Network", "Performance"],
        "ja": ["要素", "コンソール", "ソース", "ネットワーク", "パフォーマンス"],
    },
    "firefox": {
        "en": ["Inspector", "Console", "Debugger", "Network", "Storage"],
        "ja": ["インスペクター", "コンソール", "デバッガー", "ネットワーク", "ストレージ"],
    },
    "edge": {
        "en": ["Elements", "Console", "Sources", "Network", "Application"],
        "ja": ["要素", "コンソール", "ソース", "ネットワーク", "アプリケーション"],
    },
    "safari": {
        "en": ["Elements", "Console", "Sources", "Network", "Storage"],
        "ja": ["エレメント", "コンソール", "ソース", "ネットワーク", "ストレージ"],
    },
}
NETWORK = 3  # position of the Network tab in every list above

WORDS = {
    "en": {
        "page": "Web page with the problem",
        "name": "Name",
        "status": "Status",
        "record": "Record (red)",
        "clear": "Clear",
    },
    "ja": {
        "page": "問題が起きているページ",
        "name": "名前",
        "status": "ステータス",
        "record": "記録（赤）",
        "clear": "クリア",
    },
}

REQUESTS = [("login", "200"), ("session", "200"), ("api/account", "500"), ("app.js", "200")]


# --- drawing ------------------------------------------------------------------------------


class Canvas:
    """A figure being drawn in one language."""

    def __init__(self, font, language, browser):
        self.font, self.language, self.browser = font, language, browser
        self.words = WORDS[language]
        self.image = Image.new("RGB", (WIDTH, HEIGHT), PAGE)
        self.draw = ImageDraw.Draw(self.image)

    def text(self, xy, text, size=15, weight="regular", fill=TEXT, anchor="lm"):
        self.draw.text(xy, text, font=self.font(weight, size), fill=fill, anchor=anchor)

    def width(self, text, size=15, weight="regular"):
        return self.draw.textlength(text, font=self.font(weight, size))

    def highlight(self, box, radius=3):
        self.draw.rounded_rectangle(
            box, radius=radius, fill=HIGHLIGHT, outline=HIGHLIGHT_EDGE, width=2
        )

    def checkbox(self, x, y, checked):
        """Draw a 14 px checkbox whose left edge is x and vertical centre y."""
        self.draw.rectangle((x, y - 7, x + 14, y + 7), fill=PANEL, outline=TEXT, width=2)
        if checked:
            self.draw.line(
                [(x + 3, y), (x + 6, y + 4), (x + 12, y - 6)], fill=BLUE, width=3, joint="curve"
            )

    def record_button(self, x, y, ring=False):
        if ring:
            self.draw.ellipse((x - 13, y - 13, x + 13, y + 13), outline=HIGHLIGHT_EDGE, width=3)
        self.draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=RED, outline=(120, 20, 20))

    def clear_button(self, x, y):
        self.draw.ellipse((x - 8, y - 8, x + 8, y + 8), outline=MUTED, width=2)
        self.draw.line([(x - 5, y + 5), (x + 5, y - 5)], fill=MUTED, width=2)

    def gear(self, x, y, teeth=8):
        """Draw a gear icon centred on (x, y) (the font has no gear glyph)."""
        points = []
        for i in range(teeth * 4):
            angle = 2 * math.pi * (i - 0.5) / (teeth * 4)
            radius = 10 if i % 4 in (0, 1) else 7
            points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
        self.draw.polygon(points, fill=TEXT)
        self.draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=HIGHLIGHT)

    def window(self):
        """Draw the window bar, the page above the developer tools and the request list."""
        d = self.draw
        d.rectangle((0, 0, WIDTH, 34), fill=WINDOW_BAR)
        for i, colour in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
            d.ellipse((12 + i * 20, 11, 24 + i * 20, 23), fill=colour)
        d.rounded_rectangle((90, 7, 700, 27), radius=10, fill=PANEL)
        title = self.browser.capitalize()
        self.text((102, 17), f"{title}  -  https://portal.example/…", size=13, fill=MUTED)
        self.text((24, 100), self.words["page"], size=16, weight="bold", fill=PAGE_TEXT)
        # Developer tools: tab strip, toolbar, request list.
        d.rectangle((0, 170, WIDTH, HEIGHT), fill=ROWS_BACKGROUND)
        d.line((0, 170, WIDTH, 170), fill=(160, 162, 168), width=2)
        d.rectangle((0, 171, WIDTH, 203), fill=TAB_STRIP)
        x = 12
        for position, label in enumerate(TABS[self.browser][self.language]):
            w = self.width(label)
            if position == NETWORK:
                self.highlight((x - 2, 174, x + w + 18, 201), radius=2)
            self.text((x + 8, 187), label)
            x += w + 26
        d.rectangle((0, 204, WIDTH, 236), fill=PANEL)
        d.line((0, 236, WIDTH, 236), fill=LINE)
        self.text((20, 254), self.words["name"], size=13, fill=MUTED)
        self.text((300, 254), self.words["status"], size=13, fill=MUTED)
        for i, (name, status) in enumerate(REQUESTS):
            top = 268 + i * 27
            d.rectangle((12, top, 708, top + 24), fill=ROW)
            self.text((20, top + 12), name, size=14)
            self.text(
                (300, top + 12), status, size=14, fill=ERROR_TEXT if status != "200" else TEXT
            )

    def callout(self, text, xy, anchor="rm"):
        self.text(xy, text, size=16, weight="bold", fill=CALLOUT, anchor=anchor)

    def menu(self, box, items, chosen):
        """Draw a menu at ``box`` with ``items`` (label, checkbox or None), ``chosen`` lit."""
        left, top, right, _bottom = box
        self.draw.rectangle((left + 3, top + 3, right + 3, box[3] + 3), fill=SHADOW)
        self.draw.rectangle(box, fill=PANEL, outline=MENU_EDGE)
        for i, (label, check, muted) in enumerate(items):
            y = top + 20 + i * 32
            x = left + 12
            if i == chosen:
                self.highlight((left + 4, y - 14, right - 4, y + 14))
            if check is not None:
                self.checkbox(x, y, check)
                x += 22
            self.text((x, y), label, fill=MUTED if muted else TEXT)


def chrome_network_tab(c):
    c.record_button(24, 220)
    c.clear_button(52, 220)
    c.callout(
        {"en": "Open the Network tab", "ja": "「ネットワーク」タブを開く"}[c.language], (628, 148)
    )


def chrome_toolbar(c, ring):
    c.record_button(24, 220, ring=ring)
    c.clear_button(58, 220)
    x = 76
    for key in ("record", "clear"):
        c.text((x, 221), c.words[key], size=13, fill=MUTED)
        x += c.width(c.words[key], size=13) + 14
    return x


def chrome_preserve_log(c):
    x = chrome_toolbar(c, ring=True) + 20
    label = {"en": "Preserve log", "ja": "ログを保持"}[c.language]
    w = c.width(label) + 34
    c.highlight((x, 207, x + w, 233))
    c.checkbox(x + 6, 220, True)
    c.text((x + 27, 220), label)
    x += w + 28
    c.checkbox(x, 220, False)
    c.text((x + 21, 220), {"en": "Disable cache", "ja": "キャッシュを無効化"}[c.language])
    c.callout(
        {
            "en": "Recording on (red) + Preserve log selected",
            "ja": "記録中（赤）＋「ログを保持」にチェック",
        }[c.language],
        (696, 148),
    )


def chrome_save_all(c):
    c.record_button(24, 220)
    c.clear_button(52, 220)
    items = {
        "en": ["Copy", "Clear browser cache", "Save all as HAR with content", "Block request URL"],
        "ja": [
            "コピー",
            "ブラウザのキャッシュをクリア",
            "コンテンツを含むすべてを HAR として保存",
            "リクエスト URL をブロック",
        ],
    }[c.language]
    c.menu((330, 238, 670, 376), [(label, None, False) for label in items], chosen=2)
    c.callout(
        {"en": "Right-click the request list", "ja": "通信の一覧を右クリック"}[c.language],
        (20, 384),
        "lm",
    )


def firefox_persist_logs(c):
    c.highlight((670, 207, 698, 233))
    c.gear(684, 220)
    items = {
        "en": [("Persist Logs", True, False), ("Disable Cache", False, False)],
        "ja": [("ログを保持", True, False), ("キャッシュを無効化", False, False)],
    }[c.language]
    items.append(({"en": "Save All As HAR", "ja": "すべて HAR として保存"}[c.language], None, True))
    c.menu((446, 240, 706, 372), items, chosen=0)
    c.callout(
        {"en": "Gear icon > Persist Logs", "ja": "歯車アイコン ＞「ログを保持」"}[c.language],
        (696, 148),
    )


def edge_export(c):
    c.record_button(24, 220)
    c.clear_button(52, 220)
    c.highlight((113, 207, 147, 234))
    c.draw.line((130, 212, 130, 226), fill=TEXT, width=2)
    c.draw.line([(124, 220), (130, 226), (136, 220)], fill=TEXT, width=2)
    c.draw.line((122, 229, 138, 229), fill=TEXT, width=2)
    c.callout(
        {"en": "← Export HAR (Ctrl+S)", "ja": "←「HAR をエクスポート」（Ctrl+S）"}[c.language],
        (160, 220),
        "lm",
    )


def safari_preserve_log(c):
    label = {"en": "Preserve Log", "ja": "ログを保持"}[c.language]
    w = c.width(label) + 34
    c.highlight((14, 207, 14 + w, 233))
    c.checkbox(20, 220, True)
    c.text((41, 220), label)
    x = 14 + w + 28
    c.checkbox(x, 220, False)
    c.text((x + 21, 220), {"en": "Disable Caches", "ja": "キャッシュを無効にする"}[c.language])
    export = {"en": "Export", "ja": "書き出す"}[c.language]
    w = c.width(export) + 28
    c.draw.rounded_rectangle(
        (700 - w, 208, 700, 232), radius=5, fill=PANEL, outline=HIGHLIGHT_EDGE, width=2
    )
    c.text((700 - w / 2, 220), export, anchor="mm")
    c.callout(
        {
            "en": "Select Preserve Log, then click Export",
            "ja": "「ログを保持」にチェックを入れてから「書き出す」",
        }[c.language],
        (696, 148),
    )


FIGURE_LIST = [
    ("har-chrome-network-tab", "chrome", chrome_network_tab),
    ("har-chrome-preserve-log", "chrome", chrome_preserve_log),
    ("har-chrome-save-all", "chrome", chrome_save_all),
    ("har-firefox-persist-logs", "firefox", firefox_persist_logs),
    ("har-edge-export", "edge", edge_export),
    ("har-safari-preserve-log", "safari", safari_preserve_log),
]
LANGUAGES = ("en", "ja")


def file_name(name, language):
    """Return the file a figure has in a language: the English name, ``-ja`` for Japanese."""
    return f"{name}.png" if language == "en" else f"{name}-{language}.png"


def render(font, name, browser, draw, language):
    """Return the figure ``name`` drawn in ``language`` as a palette image."""
    canvas = Canvas(font, language, browser)
    canvas.window()
    draw(canvas)
    return canvas.image.quantize(palette=PALETTE, dither=Image.Dither.NONE)


def draw_all(out=FIGURES, font_dir=FONT_DIR):
    """Write every figure in every language into ``out``; return the paths written."""
    font = load_fonts(font_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, browser, draw in FIGURE_LIST:
        for language in LANGUAGES:
            path = out / file_name(name, language)
            render(font, name, browser, draw, language).save(path, optimize=True)
            written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder to write into")
    parser.add_argument("--font-dir", type=Path, default=FONT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for path in draw_all(args.out, args.font_dir):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    sys.exit(main())
