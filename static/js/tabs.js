/*
 * Platform tabs for article pages (WAI-ARIA tabs pattern), with no framework.
 *
 * The server renders complete, readable HTML: every variant stacked under its heading and
 * the tabs as links to those sections, so the page works with JavaScript off and prints
 * in full. This script, loaded synchronously in <head>, first marks <html> as scripted
 * (CSS then shows only the server-selected panel, so nothing flashes), and once the
 * document is parsed turns each tabset into real tabs:
 *
 * - the tab opened is, in order: ?platform=<slug> in the URL; the reader's stored choice
 *   for that platform family (os / browser / app); the reader's own OS or browser, detected
 *   here in the browser so cached HTML never varies by User-Agent (a computer's browser
 *   only: never on a phone or tablet); the server's choice.
 * - a choice the reader makes is stored per family and applied to every tabset of that
 *   family, on this page and every other; a ?platform= link wins without overwriting it.
 * - inactive panels are hidden="until-found", so find-in-page reaches them and selects
 *   their tab (beforematch).
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  var STORAGE_PREFIX = "kb.platform.";

  function stored(family) {
    try {
      return window.localStorage.getItem(STORAGE_PREFIX + family);
    } catch (error) {
      return null; // Storage disabled (private mode, policy): behave as a first visit.
    }
  }

  function store(family, slug) {
    try {
      window.localStorage.setItem(STORAGE_PREFIX + family, slug);
    } catch (error) {
      /* Nothing to remember with; the choice still applies to this page. */
    }
  }

  // An iPad asks for desktop pages, introducing itself as a Mac's Safari; but no Mac has
  // a touch screen.
  function touchMac(ua) {
    return /Macintosh/.test(ua) && navigator.maxTouchPoints > 0;
  }

  function handheld(ua) {
    return /iPhone|iPad|iPod|Android|Mobi|Tablet|Silk|Kindle/.test(ua) || touchMac(ua);
  }

  function detect(family) {
    var ua = navigator.userAgent || "";
    if (family === "browser") {
      // Browser tabs hold a computer's steps (developer tools, menus, shortcuts): a phone's
      // or tablet's Safari is not the Safari they are for, so nothing is chosen for its
      // reader, and nothing claims it was.
      if (handheld(ua)) return null;
      if (/Edg(e|A|iOS)?\//.test(ua)) return "edge";
      if (/Firefox\/|FxiOS\//.test(ua)) return "firefox";
      if (/Chrome\/|CriOS\/|Chromium\//.test(ua)) return "chrome";
      if (/Safari\//.test(ua)) return "safari";
    } else if (family === "os") {
      if (/Android/.test(ua)) return "android";
      if (/iPhone|iPad|iPod/.test(ua) || touchMac(ua)) return "ios";
      if (/Windows/.test(ua)) return "windows";
      if (/Macintosh|Mac OS X/.test(ua)) return "macos";
      if (/Linux|X11|CrOS/.test(ua)) return "linux";
    }
    return null;
  }

  function urlPlatform() {
    return new URLSearchParams(window.location.search).get("platform");
  }

  function withPlatform(href, slug) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("platform", slug);
    url.hash = "";
    return url.pathname + url.search;
  }

  function Tabset(element) {
    this.element = element;
    this.family = element.getAttribute("data-family");
    this.tabs = Array.prototype.slice.call(element.querySelectorAll('[role="tab"]'));
    this.panels = this.tabs.map(function (tab) {
      return document.getElementById(tab.getAttribute("aria-controls"));
    });
    this.hint = element.querySelector("[data-detected-hint]");
  }

  Tabset.prototype.find = function (slug) {
    for (var i = 0; i < this.tabs.length; i += 1) {
      if (this.tabs[i].getAttribute("data-platform") === slug) return i;
    }
    return -1;
  };

  Tabset.prototype.select = function (index, options) {
    options = options || {};
    this.tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.setAttribute("tabindex", selected ? "0" : "-1");
      var panel = this.panels[i];
      panel.classList.toggle("is-selected", selected);
      if (selected) {
        panel.removeAttribute("hidden");
      } else {
        panel.setAttribute("hidden", "until-found");
      }
    }, this);
    if (options.focus) this.tabs[index].focus();
    if (this.hint) {
      if (options.detected) {
        var name = this.tabs[index].textContent.trim();
        this.hint.textContent = this.hint.getAttribute("data-template").replace("{platform}", name);
        this.hint.hidden = false;
      } else {
        this.hint.hidden = true;
      }
    }
  };

  Tabset.prototype.selectedSlug = function () {
    for (var i = 0; i < this.tabs.length; i += 1) {
      if (this.tabs[i].getAttribute("aria-selected") === "true") {
        return this.tabs[i].getAttribute("data-platform");
      }
    }
    return null;
  };

  Tabset.prototype.initialChoice = function () {
    var candidates = [
      { slug: urlPlatform() },
      { slug: stored(this.family) },
      { slug: detect(this.family), detected: true },
    ];
    for (var i = 0; i < candidates.length; i += 1) {
      var index = candidates[i].slug ? this.find(candidates[i].slug) : -1;
      if (index >= 0) return { index: index, detected: !!candidates[i].detected };
    }
    var server = this.find(this.selectedSlug());
    return { index: server >= 0 ? server : 0, detected: false };
  };

  var tabsets = [];

  function updateLanguageLinks(slug) {
    var links = document.querySelectorAll("[data-language-link]");
    Array.prototype.forEach.call(links, function (link) {
      link.setAttribute("href", withPlatform(link.getAttribute("href"), slug));
    });
  }

  // The reader chose: remember per family, apply everywhere, make the URL shareable.
  function choose(tabset, index, focus) {
    var slug = tabset.tabs[index].getAttribute("data-platform");
    store(tabset.family, slug);
    tabsets.forEach(function (other) {
      if (other === tabset) {
        other.select(index, { focus: focus });
      } else if (other.family === tabset.family && other.find(slug) >= 0) {
        other.select(other.find(slug));
      }
    });
    window.history.replaceState(window.history.state, "", withPlatform(window.location.href, slug));
    updateLanguageLinks(slug);
  }

  function onKeydown(tabset, event) {
    var current = tabset.tabs.indexOf(event.target);
    if (current < 0) return;
    var last = tabset.tabs.length - 1;
    var next = null;
    if (event.key === "ArrowRight") next = current === last ? 0 : current + 1;
    else if (event.key === "ArrowLeft") next = current === 0 ? last : current - 1;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = last;
    if (next === null) return;
    event.preventDefault();
    choose(tabset, next, true);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabset]"), function (element) {
      var tabset = new Tabset(element);
      if (!tabset.tabs.length) return;
      tabsets.push(tabset);
      var initial = tabset.initialChoice();
      tabset.select(initial.index, { detected: initial.detected });
      element.setAttribute("data-ready", "");

      tabset.tabs.forEach(function (tab, index) {
        tab.addEventListener("click", function (event) {
          event.preventDefault();
          choose(tabset, index, false);
        });
      });
      element.querySelector('[role="tablist"]').addEventListener("keydown", function (event) {
        onKeydown(tabset, event);
      });
      tabset.panels.forEach(function (panel, index) {
        // Find-in-page found text in a hidden panel: show its tab (not a stored choice).
        panel.addEventListener("beforematch", function () {
          tabset.select(index);
        });
      });
    });
    if (tabsets.length) {
      var slug = tabsets[0].selectedSlug();
      if (slug) updateLanguageLinks(slug);
    }

    // An explicit language choice is remembered for the next visit to "/".
    Array.prototype.forEach.call(document.querySelectorAll("[data-language-link]"), function (link) {
      link.addEventListener("click", function () {
        document.cookie =
          "django_language=" + link.getAttribute("data-language-link") +
          "; path=/; max-age=31536000; samesite=lax" +
          (window.location.protocol === "https:" ? "; secure" : "");
      });
    });
  }

  // Printing shows every platform's steps.
  window.addEventListener("beforeprint", function () {
    tabsets.forEach(function (tabset) {
      tabset.panels.forEach(function (panel) {
        panel.removeAttribute("hidden");
      });
    });
  });
  window.addEventListener("afterprint", function () {
    tabsets.forEach(function (tabset) {
      tabset.panels.forEach(function (panel) {
        if (!panel.classList.contains("is-selected")) panel.setAttribute("hidden", "until-found");
      });
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
