"""Draw the figures of the demo articles, in English and in Japanese.

    .venv/bin/python demo/draw_figures.py            # writes demo/figures/*.png
    .venv/bin/python demo/draw_figures.py --out DIR  # writes them elsewhere

Every figure of KB 1008 is a simplified browser window with its developer tools open;
those of KB 1003, 1004 and 1009 are simplified windows of GPA (Windows), GPG Keychain and
the Finder (macOS). The labels are the ones the program shows in that language (the same
labels the steps quote: GPA and GPG Keychain keep their English ones in the Japanese
figures, as the steps do), and the orange callout says what to do. The Japanese figures
are named like the English ones with ``-ja`` added and are set as each step's
``figure: {ja: ...}``.

Longer than 400 lines because every figure of the demo is drawn here, from one set of
colours, fonts and shapes: one command redraws them all alike.

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
SELECTED = (210, 227, 252)  # a selected row or an open submenu's item


# Text is anti-aliased against its background: the palette holds every colour used and the
# shades between each text colour and the backgrounds it is drawn on. A fixed palette keeps
# small areas (the red record button, a "500") their own colour, which an adaptive one
# would merge into their neighbours.
SHADES = 6
INKS_ON = {
    TEXT: (PANEL, TAB_STRIP, HIGHLIGHT, ROWS_BACKGROUND, WINDOW_BAR, SELECTED),
    MUTED: (PANEL, ROWS_BACKGROUND, WINDOW_BAR),
    PANEL: (BLUE,),
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
        SELECTED,
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

    def triangle(self, x, y, pointing="right", fill=TEXT):
        """Draw a small disclosure triangle centred on (x, y) (the font has no ▸ or ▾)."""
        if pointing == "right":
            points = [(x - 3, y - 5), (x + 4, y), (x - 3, y + 5)]
        else:
            points = [(x - 5, y - 3), (x + 5, y - 3), (x, y + 4)]
        self.draw.polygon(points, fill=fill)

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


def down_arrow(c, x, y):
    """Draw the downward arrow over a line that browsers use for Export HAR."""
    c.draw.line((x, y - 8, x, y + 6), fill=TEXT, width=2)
    c.draw.line([(x - 6, y), (x, y + 6), (x + 6, y)], fill=TEXT, width=2)
    c.draw.line((x - 8, y + 9, x + 8, y + 9), fill=TEXT, width=2)


def chrome_export(c):
    c.record_button(24, 220)
    c.clear_button(52, 220)
    x = 80
    c.checkbox(x, 220, True)
    label = {"en": "Preserve log", "ja": "ログを保持"}[c.language]
    c.text((x + 21, 220), label)
    x += c.width(label) + 50
    c.checkbox(x, 220, False)
    label = {"en": "Disable cache", "ja": "キャッシュを無効化"}[c.language]
    c.text((x + 21, 220), label)
    x += c.width(label) + 50
    label = {"en": "No throttling", "ja": "スロットリングなし"}[c.language]
    c.text((x, 220), label)
    c.triangle(x + c.width(label) + 10, 220, "down")
    # Import (up) and Export (down) HAR, side by side; Export lit.
    c.draw.line((612, 214, 612, 228), fill=MUTED, width=2)
    c.draw.line([(606, 220), (612, 214), (618, 220)], fill=MUTED, width=2)
    c.draw.line((604, 231, 620, 231), fill=MUTED, width=2)
    c.highlight((631, 207, 665, 234))
    down_arrow(c, 648, 218)
    c.callout(
        {"en": "Export HAR (downward arrow)", "ja": "HARのエクスポート（下向き矢印）"}[c.language],
        (696, 148),
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


# --- the key managers and the Finder -------------------------------------------------------

KEY_ID = "E5F60718"
USER = "Alex Sample"
EMAIL = "alex@example.com"
ENCRYPTED = "statement-2026-10.pdf.gpg"


class AppWindow:
    """A desktop program's window filling the figure above a strip for the callout."""

    BOTTOM = 360  # the callout goes below, on the page colour

    def __init__(self, c, title, mac=False, menus=()):
        self.c, d = c, c.draw
        d.rectangle((0, 0, WIDTH, self.BOTTOM), fill=PANEL, outline=LINE)
        d.rectangle((0, 0, WIDTH, 30), fill=WINDOW_BAR)
        if mac:
            for i, colour in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
                d.ellipse((12 + i * 20, 9, 24 + i * 20, 21), fill=colour)
            c.text((WIDTH / 2, 15), title, size=13, weight="bold", anchor="mm")
        else:
            c.text((12, 15), title, size=13)
            for i in range(3):  # minimise, maximise, close
                x = WIDTH - 90 + i * 30
                if i == 0:
                    d.line((x - 5, 15, x + 5, 15), fill=TEXT)
                elif i == 1:
                    d.rectangle((x - 5, 10, x + 5, 20), outline=TEXT)
                else:
                    d.line((x - 5, 10, x + 5, 20), fill=TEXT)
                    d.line((x - 5, 20, x + 5, 10), fill=TEXT)
        self.top = 31
        self.menu_x = {}
        if menus:
            d.rectangle((0, 31, WIDTH, 55), fill=PANEL)
            x = 12
            for label in menus:
                self.menu_x[label] = x
                c.text((x, 43), label, size=13)
                x += c.width(label, size=13) + 22
            self.top = 56
        d.line((0, self.top, WIDTH, self.top), fill=LINE)

    def toolbar(self, labels, lit=None, height=40):
        """Draw a row of labelled buttons; return the y under it."""
        c, top = self.c, self.top
        c.draw.rectangle((1, top + 1, WIDTH - 1, top + height), fill=TAB_STRIP)
        x = 14
        for label in labels:
            w = c.width(label, size=13) + 20
            box = (x, top + 7, x + w, top + height - 7)
            if label == lit:
                c.highlight(box)
            else:
                c.draw.rounded_rectangle(box, radius=4, fill=PANEL, outline=LINE)
            c.text(((box[0] + box[2]) / 2, top + height / 2), label, size=13, anchor="mm")
            x += w + 8
        self.top = top + height + 1
        c.draw.line((0, self.top, WIDTH, self.top), fill=LINE)
        return self.top

    def table(self, columns, rows, selected=0, top=None, left=0, right=WIDTH):
        """Draw a list with ``columns`` [(label, x)] and ``rows``; return the y under it."""
        c, top = self.c, self.top if top is None else top
        for label, x in columns:
            c.text((left + x, top + 14), label, size=13, fill=MUTED)
        c.draw.line((left, top + 27, right, top + 27), fill=LINE)
        y = top + 28
        for index, row in enumerate(rows):
            if index == selected:
                c.draw.rectangle((left + 1, y, right - 1, y + 26), fill=SELECTED)
            for (_label, x), cell in zip(columns, row, strict=True):
                c.text((left + x, y + 13), cell, size=14)
            y += 27
        return y

    def dialog(self, box, title):
        """Draw a dialog (a sheet on a Mac) over the window; return its inner top."""
        d = self.c.draw
        d.rectangle((box[0] + 4, box[1] + 4, box[2] + 4, box[3] + 4), fill=SHADOW)
        d.rectangle(box, fill=PANEL, outline=MENU_EDGE)
        self.c.text((box[0] + 20, box[1] + 24), title, size=15, weight="bold")
        return box[1] + 48

    def button(self, box, label, lit=False, default=False):
        c = self.c
        if lit:
            c.highlight(box, radius=5)
            fill = TEXT
        elif default:
            c.draw.rounded_rectangle(box, radius=5, fill=BLUE)
            fill = PANEL
        else:
            c.draw.rounded_rectangle(box, radius=5, fill=PANEL, outline=MENU_EDGE)
            fill = TEXT
        c.text(
            ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), label, size=13, fill=fill, anchor="mm"
        )

    def field(self, x, y, label, value, width=360):
        c = self.c
        c.text((x, y), label, size=13, fill=MUTED)
        c.draw.rectangle((x + 90, y - 12, x + 90 + width, y + 12), fill=PANEL, outline=LINE)
        c.text((x + 98, y), value, size=14)


def callout_below(c, text):
    c.callout(text, (20, 383), "lm")


GPA_MENUS = ("File", "Edit", "Keys", "Windows", "Help")
GPA_TOOLBAR = ("Edit", "Delete", "Sign", "Import", "Export", "Keyring", "Files")
GPA_KEYS_MENU = (
    "New Key",
    "Delete Keys",
    "Sign Keys",
    "Set Owner Trust",
    "Edit Private Key",
    "Import Keys",
    "Export Keys",
    "Send Keys",
    "Backup",
)
GPA_COLUMNS = [("Key ID", 16), ("User Name", 130)]
GPA_KEYS = [(KEY_ID, f"{USER} <{EMAIL}>"), ("9C0D1E2F", "Statements <statements@example.com>")]


def gpa_key_manager(c):
    window = AppWindow(c, "GPA: Key Manager", menus=GPA_MENUS)
    window.toolbar(GPA_TOOLBAR)
    window.table(GPA_COLUMNS, GPA_KEYS)
    return window


def gpa_keys_menu(c, chosen):
    window = gpa_key_manager(c)
    left = window.menu_x["Keys"] - 6
    c.highlight((left, 33, left + c.width("Keys", size=13) + 12, 53), radius=2)
    c.text((left + 6, 43), "Keys", size=13)
    items = [(label, None, False) for label in GPA_KEYS_MENU]
    c.menu((left, 56, left + 230, 56 + 32 * len(items) + 8), items, GPA_KEYS_MENU.index(chosen))
    return window


def gpa_keys_new_key(c):
    gpa_keys_menu(c, "New Key")
    callout_below(c, {"en": "Keys > New Key", "ja": "「Keys」>「New Key」を選ぶ"}[c.language])


def gpa_keys_backup(c):
    gpa_keys_menu(c, "Backup")
    callout_below(
        c,
        {
            "en": "Keys > Backup: the private key comes along",
            "ja": "「Keys」>「Backup」（秘密鍵も保存される）",
        }[c.language],
    )


def gpa_key_details(c):
    gpa_key_manager(c)
    d, top = c.draw, 190
    d.rectangle((1, top, WIDTH - 1, AppWindow.BOTTOM - 1), fill=ROWS_BACKGROUND)
    d.line((0, top, WIDTH, top), fill=LINE)
    x = 14
    for index, tab in enumerate(("Details", "Signatures", "Subkeys")):
        w = c.width(tab, size=13) + 20
        d.rectangle((x, top + 8, x + w, top + 32), fill=PANEL if index == 0 else ROWS_BACKGROUND)
        c.text((x + 10, top + 20), tab, size=13, weight="bold" if index == 0 else "regular")
        x += w + 4
    lines = [
        ("User name:", f"{USER} <{EMAIL}>"),
        ("Key ID:", KEY_ID),
        ("", "The key has both a private and a public part"),
        ("Fingerprint:", "3A7B 91C2 … 04D6 E5F6 0718"),
    ]
    for index, (label, value) in enumerate(lines):
        y = top + 56 + index * 28
        if not label:
            c.highlight((20, y - 13, 30 + c.width(value, size=14), y + 13))
            c.text((25, y), value, size=14)
        else:
            c.text((25, y), label, size=13, fill=MUTED)
            c.text((130, y), value, size=14)
    callout_below(
        c,
        {
            "en": "Details: the private and the public part are both here",
            "ja": "「Details」欄：秘密鍵と公開鍵の両方がある",
        }[c.language],
    )


def gpa_file_manager_decrypt(c):
    window = AppWindow(c, "GPA: File Manager", menus=("File", "Edit", "Windows", "Help"))
    window.toolbar(("Open", "Sign", "Verify", "Encrypt", "Decrypt", "Keyring"), lit="Decrypt")
    window.table([("File", 16)], [(ENCRYPTED,), ("notes.txt",)])
    callout_below(
        c,
        {"en": "Select the file, then click Decrypt", "ja": "ファイルを選んで「Decrypt」"}[
            c.language
        ],
    )


def gpg_keychain(c):
    window = AppWindow(c, "GPG Keychain", mac=True)
    window.toolbar(("New", "Import", "Export", "Details"))
    columns = [("Type", 16), ("Name", 110), ("Email", 300), ("Key ID", 560)]
    window.table(columns, [("sec/pub", USER, EMAIL, KEY_ID)])
    return window


def gpg_keychain_new_key(c):
    window = gpg_keychain(c)
    top = window.dialog((110, 96, 610, 352), "Generate new key pair")
    window.field(130, top + 8, "Name", USER)
    window.field(130, top + 46, "Email", EMAIL)
    c.highlight((124, top + 70, 470, top + 98))
    c.checkbox(132, top + 84, False)
    c.text((154, top + 84), "Upload public key after generation", size=14)
    c.triangle(136, top + 122, fill=MUTED)
    c.text((146, top + 122), "Advanced options", size=13, fill=MUTED)
    window.button((380, top + 150, 470, top + 180), "Cancel")
    window.button((482, top + 150, 592, top + 180), "Generate key", lit=True)
    callout_below(
        c,
        {
            "en": "Clear the upload box, then click Generate key",
            "ja": "アップロードのチェックを外して「Generate key」",
        }[c.language],
    )


def gpg_keychain_export(c, secret):
    window = gpg_keychain(c)
    top = window.dialog((90, 96, 630, 352), "Export")
    window.field(110, top + 8, "Save As:", f"{USER} ({KEY_ID}).asc", width=400)
    window.field(110, top + 46, "Where:", "USB DRIVE", width=200)
    c.highlight((104, top + 72, 460, top + 100))
    c.checkbox(112, top + 86, secret)
    c.text((134, top + 86), "Include secret key in exported file", size=14)
    c.checkbox(112, top + 118, True)
    c.text((134, top + 118), "ASCII", size=14)
    window.button((410, top + 150, 500, top + 180), "Cancel")
    window.button((512, top + 150, 612, top + 180), "Save", default=True)


def gpg_keychain_export_secret(c):
    gpg_keychain_export(c, secret=True)
    callout_below(
        c,
        {
            "en": "Select it: the private key goes into the file too",
            "ja": "チェックを入れる（秘密鍵もファイルに含まれる）",
        }[c.language],
    )


def gpg_keychain_export_public(c):
    gpg_keychain_export(c, secret=False)
    callout_below(
        c,
        {
            "en": "Leave it cleared: the public key only",
            "ja": "チェックを入れない（公開鍵だけ）",
        }[c.language],
    )


FINDER_WORDS = {
    "en": {
        "title": "Downloads",
        "sidebar": ["Favorites", "Desktop", "Documents", "Downloads"],
        "name": "Name",
        "menu": [
            "Open",
            "Move to Trash",
            "Get Info",
            "Rename",
            "Quick Look",
            "Copy",
            "Services",
        ],
    },
    "ja": {
        "title": "ダウンロード",
        "sidebar": ["よく使う項目", "デスクトップ", "書類", "ダウンロード"],
        "name": "名前",
        "menu": [
            "開く",
            "ゴミ箱に入れる",
            "情報を見る",
            "名称変更",
            "クイックルック",
            "コピー",
            "サービス",
        ],
    },
}
SERVICES = ["OpenPGP: Decrypt File", "OpenPGP: Encrypt File", "OpenPGP: Sign File"]


def finder_services_decrypt(c):
    words = FINDER_WORDS[c.language]
    window = AppWindow(c, words["title"], mac=True)
    d = c.draw
    d.rectangle((1, window.top + 1, 160, AppWindow.BOTTOM - 1), fill=ROWS_BACKGROUND)
    for index, label in enumerate(words["sidebar"]):
        y = window.top + 22 + index * 28
        if index == 0:
            c.text((14, y), label, size=12, fill=MUTED, weight="bold")
        else:
            if index == 3:
                d.rounded_rectangle((8, y - 12, 152, y + 12), radius=5, fill=SELECTED)
            c.text((24, y), label, size=14)
    window.table(
        [(words["name"], 16)], [(ENCRYPTED,), ("report.pdf",)], top=window.top + 6, left=161
    )
    menu = [(label, None, False) for label in words["menu"]]
    box = (250, 96, 440, 96 + 32 * len(menu) + 8)
    c.menu(box, menu, chosen=None)
    services_y = box[1] + 20 + (len(menu) - 1) * 32
    d.rectangle((box[0] + 4, services_y - 14, box[2] - 4, services_y + 14), fill=SELECTED)
    c.text((box[0] + 12, services_y), words["menu"][-1])
    c.triangle(box[2] - 16, services_y)
    items = [(label, None, False) for label in SERVICES]
    # A submenu that would run off the window opens higher up, as macOS does.
    height = 32 * len(items) + 8
    top = min(services_y - 20, AppWindow.BOTTOM - 6 - height)
    c.menu((440, top, 680, top + height), items, chosen=0)
    callout_below(
        c,
        {
            "en": "Right-click the .gpg file > Services > OpenPGP: Decrypt File",
            "ja": ".gpgファイルを右クリック ＞「サービス」＞「OpenPGP: Decrypt File」",
        }[c.language],
    )


# (file name, browser or None for a desktop program's window, drawing)
FIGURE_LIST = [
    ("har-chrome-network-tab", "chrome", chrome_network_tab),
    ("har-chrome-preserve-log", "chrome", chrome_preserve_log),
    ("har-chrome-export", "chrome", chrome_export),
    ("har-firefox-persist-logs", "firefox", firefox_persist_logs),
    ("har-edge-export", "edge", edge_export),
    ("har-safari-preserve-log", "safari", safari_preserve_log),
    ("gpa-keys-new-key", None, gpa_keys_new_key),
    ("gpa-key-details", None, gpa_key_details),
    ("gpa-keys-backup", None, gpa_keys_backup),
    ("gpa-file-manager-decrypt", None, gpa_file_manager_decrypt),
    ("gpgkeychain-new-key", None, gpg_keychain_new_key),
    ("gpgkeychain-export-secret", None, gpg_keychain_export_secret),
    ("gpgkeychain-export-public", None, gpg_keychain_export_public),
    ("finder-services-decrypt", None, finder_services_decrypt),
]
LANGUAGES = ("en", "ja")


def file_name(name, language):
    """Return the file a figure has in a language: the English name, ``-ja`` for Japanese."""
    return f"{name}.png" if language == "en" else f"{name}-{language}.png"


def render(font, name, browser, draw, language):
    """Return the figure ``name`` drawn in ``language`` as a palette image."""
    canvas = Canvas(font, language, browser)
    if browser:
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
