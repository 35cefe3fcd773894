"""Progress of a long command: a counter redrawn in place on a terminal, sparse lines in logs.

Shared by the commands that walk every article (import_articles, load_demo,
export_articles). Management commands are found by module name, so the leading underscore
keeps this module from being listed as one.
"""

import time

# Without a terminal (a log, CI, cron), one line per this many articles keeps logs short.
LINE_EVERY = 100
# On a terminal, redraw the counter at most this often (seconds): enough to look alive.
REDRAW_EVERY = 0.1


class Progress:
    """Report ``done/total`` for ``verb`` ("Importing", "Exporting") on a command's stdout.

    Verbosity 0: nothing. 1: the counter (terminal) or a line every ``LINE_EVERY`` articles.
    2 and more: a line per article, with its state.
    """

    def __init__(self, stdout, verb, verbosity):
        self.stdout, self.verb, self.verbosity = stdout, verb, verbosity
        self.terminal = stdout.isatty()
        self.drawn_at = None  # when the counter was last drawn, None before the first time

    def __call__(self, index, total, name, state=None):
        if self.verbosity >= 2:
            self.stdout.write(f"[{index}/{total}] {name}" + (f": {state}" if state else ""))
        elif self.verbosity == 1 and self.terminal:
            now = time.monotonic()
            if index == total or self.drawn_at is None or now - self.drawn_at >= REDRAW_EVERY:
                self.stdout.write(f"\r{self.verb} {index}/{total} articles", ending="")
                self.stdout.flush()
                self.drawn_at = now
        elif (
            self.verbosity == 1
            and (index % LINE_EVERY == 0 or index == total)
            and total >= LINE_EVERY
        ):
            self.stdout.write(f"{self.verb} {index}/{total} articles")

    def finish(self):
        """End the counter's line, so what follows starts on a line of its own."""
        if self.drawn_at is not None:
            self.stdout.write("")
            self.drawn_at = None
