/* The article's change page, made compact and navigable (no framework, no inline code):
   - each variant folds to one line (platform, number of steps, translation state), with an
     index of variants and their steps at the top that opens and jumps to any step;
   - a step without a figure shows an "Add figure" button instead of six empty inputs;
   - a figure can be pasted from the clipboard or dropped onto the field (the file goes into
     the ordinary file input: the server checks it exactly as an upload through the dialog);
   - the line beside the Save buttons says whether saving makes the article public;
   - leaving the page with unsaved changes asks first.
   Strings come from #kb-editor-strings (translated by Django). */
(function () {
  "use strict";

  var strings = {};
  var form = null;
  var dirty = false;
  var submitting = false;

  function text(key, values) {
    var value = strings[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      value = value.replace("{" + name + "}", values[name]);
    });
    return value;
  }

  function el(tag, attributes, content) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (content !== undefined) node.textContent = content;
    return node;
  }

  /* Rows of the page. */

  /* The rows of one inline group, without its template for new rows. */
  function rowsOf(group) {
    if (!group) return [];
    return Array.prototype.filter.call(group.querySelectorAll(".djn-inline-form"), function (node) {
      return node.closest(".djn-group") === group && !node.classList.contains("djn-empty-form");
    });
  }

  function variantForms() {
    return rowsOf(document.getElementById("variants-group"));
  }

  function stepForms(variant) {
    return rowsOf(variant.querySelector(".djn-group-nested"));
  }

  function variantOf(node) {
    var group = document.getElementById("variants-group");
    var row = node.closest(".djn-inline-form");
    while (row && row.closest(".djn-group") !== group) {
      row = row.parentElement.closest(".djn-inline-form");
    }
    return row;
  }

  function platformName(variant) {
    var select = variant.querySelector("select[name$='-platform']");
    if (select) {
      if (!select.value) return text("shared");
      return select.options[select.selectedIndex].textContent.trim();
    }
    var readonly = variant.querySelector(".field-platform .readonly");
    var name = readonly ? readonly.textContent.trim() : "";
    return name && name !== "-" ? name : text("shared");
  }

  function translationState(variant) {
    var seen = [];
    variant.querySelectorAll(".kb-status").forEach(function (badge) {
      var label = badge.textContent.trim();
      if (seen.indexOf(label) < 0) seen.push(label);
    });
    return seen.length ? seen.join(" · ") : "";
  }

  function summary(variant) {
    var count = stepForms(variant).length;
    var steps = count === 1 ? text("step-count-one") : text("step-count-many", { count: count });
    var parts = [platformName(variant), steps];
    var state = translationState(variant);
    if (state) parts.push(state);
    return parts.join(" · ");
  }

  /* Folding variants. */

  function setCollapsed(variant, collapsed) {
    variant.classList.toggle("kb-collapsed", collapsed);
    var button = variant.querySelector(":scope > h3 .kb-toggle");
    if (button) {
      button.setAttribute("aria-expanded", collapsed ? "false" : "true");
      button.textContent = collapsed ? text("expand") : text("collapse");
    }
  }

  function decorateVariant(variant) {
    var heading = variant.querySelector(":scope > h3");
    if (!heading || heading.querySelector(".kb-toggle")) return;
    var field = variant.querySelector(":scope > fieldset > .form-row.field-translation");
    if (field) field.classList.add("kb-moved");  // its badges are in the summary line
    var button = el("button", { type: "button", class: "kb-toggle", "aria-expanded": "true" });
    button.textContent = text("collapse");
    button.addEventListener("mousedown", function (event) { event.stopPropagation(); });
    button.addEventListener("click", function () {
      setCollapsed(variant, !variant.classList.contains("kb-collapsed"));
    });
    var line = el("span", { class: "kb-variant-summary" });
    heading.insertBefore(button, heading.firstChild);
    heading.appendChild(line);
  }

  function refreshSummaries() {
    variantForms().forEach(function (variant) {
      decorateVariant(variant);
      var line = variant.querySelector(":scope > h3 .kb-variant-summary");
      if (line) line.textContent = summary(variant);
    });
    buildIndex();
  }

  /* The index: one line per variant, a link per step. */

  function open(target) {
    var variant = variantOf(target);
    if (variant) setCollapsed(variant, false);
    target.scrollIntoView({ block: "start" });
    var field = target.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus({ preventScroll: true });
  }

  function buildIndex() {
    var group = document.getElementById("variants-group");
    if (!group) return;
    var nav = document.getElementById("kb-variant-index");
    if (!nav) {
      nav = el("nav", { id: "kb-variant-index", class: "kb-index", "aria-label": text("index-label") });
      // At the top of the form, under the Save buttons.
      var first = form && form.querySelector(":scope > div > fieldset");
      if (first) first.parentNode.insertBefore(nav, first);
      else group.parentNode.insertBefore(nav, group);
      nav.addEventListener("click", function (event) {
        var link = event.target.closest("a[data-target]");
        if (link) {
          var target = document.getElementById(link.getAttribute("data-target"));
          if (target) {
            event.preventDefault();
            open(target);
          }
          return;
        }
        var all = event.target.closest("button[data-all]");
        if (all) {
          var collapse = all.getAttribute("data-all") === "collapse";
          variantForms().forEach(function (variant) { setCollapsed(variant, collapse); });
        }
      });
    }
    var list = el("ol", { class: "kb-index__variants" });
    variantForms().forEach(function (variant) {
      var item = el("li");
      var link = el("a", { href: "#" + variant.id, "data-target": variant.id, class: "kb-index__variant" });
      link.textContent = summary(variant);
      item.appendChild(link);
      var steps = stepForms(variant);
      if (steps.length) {
        var stepList = el("span", { class: "kb-index__steps" });
        steps.forEach(function (step, position) {
          var stepLink = el("a", {
            href: "#" + step.id,
            "data-target": step.id,
            title: text("step", { number: position + 1 }),
            "aria-label": platformName(variant) + " — " + text("step", { number: position + 1 }),
          });
          stepLink.textContent = String(position + 1);
          stepList.appendChild(stepLink);
        });
        item.appendChild(stepList);
      }
      list.appendChild(item);
    });
    var buttons = el("p", { class: "kb-index__all" });
    var expandAll = el("button", { type: "button", "data-all": "expand" }, text("expand-all"));
    var collapseAll = el("button", { type: "button", "data-all": "collapse" }, text("collapse-all"));
    buttons.appendChild(expandAll);
    buttons.appendChild(collapseAll);
    nav.replaceChildren(el("h2", {}, text("index-label")), list, buttons);
    // One variant needs no index (a new article starts with one).
    nav.hidden = variantForms().length < 2;
  }

  /* Figures: "Add figure", paste and drop. */

  function figureRows(step) {
    return Array.prototype.filter.call(step.querySelectorAll(".form-row"), function (row) {
      return /(^|\s)field-figure/.test(row.className);
    });
  }

  function hasFigure(step) {
    return figureRows(step).some(function (row) {
      if (row.querySelector(".errorlist, .errors")) return true;
      if (row.querySelector("a[href]")) return true;  // "Currently: figures/…"
      return Array.prototype.some.call(row.querySelectorAll("input[type=text], input:not([type])"), function (input) {
        return input.value.trim() !== "";
      });
    });
  }

  /* The translation state of a row goes into its heading: a row of its own, mostly "—",
     would add a line to every step. */
  function badgeToHeading(row) {
    var field = row.querySelector(":scope > fieldset > .form-row.field-translation");
    var heading = row.querySelector(":scope > h3");
    if (!field || !heading) return;
    field.classList.add("kb-moved");
    var badges = field.querySelectorAll(".kb-status");
    if (badges.length && !heading.querySelector(".kb-heading-status")) {
      var holder = el("span", { class: "kb-heading-status" });
      badges.forEach(function (badge) { holder.appendChild(badge.cloneNode(true)); });
      var remove = heading.querySelector(".delete, .djn-remove-handler");
      heading.insertBefore(holder, remove ? remove.parentNode === heading ? remove : null : null);
    }
  }

  function decorateStep(step) {
    if (step.getAttribute("data-kb-step")) return;
    step.setAttribute("data-kb-step", "1");
    badgeToHeading(step);
    step.querySelectorAll("input[type=file][name*='figure']").forEach(makeDropZone);
    if (hasFigure(step)) return;
    var rows = figureRows(step);
    if (!rows.length || step.querySelector("input[type=file]") === null) return;
    step.classList.add("kb-no-figure");
    var button = el("button", { type: "button", class: "kb-add-figure" }, text("add-figure"));
    button.addEventListener("click", function () {
      step.classList.remove("kb-no-figure");
      button.remove();
      var zone = step.querySelector(".kb-dropzone");
      if (zone) zone.focus();
    });
    rows[0].parentNode.insertBefore(button, rows[0]);
  }

  function chooseFile(input, file) {
    if (!file) return;
    var named = file;
    if (!file.name || /^image\.\w+$/.test(file.name)) {
      var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
      var stamp = new Date().toISOString().replace(/[^0-9]/g, "").slice(0, 14);
      named = new File([file], "screenshot-" + stamp + "." + extension, { type: file.type });
    }
    var transfer = new DataTransfer();
    transfer.items.add(named);
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showChosen(input, zone) {
    var file = input.files && input.files[0];
    var old = zone.querySelector(".kb-dropzone__chosen");
    if (old) old.remove();
    if (!file) return;
    var chosen = el("span", { class: "kb-dropzone__chosen" });
    chosen.appendChild(el("span", {}, text("chosen") + " " + file.name));
    if (/^image\//.test(file.type)) {
      var reader = new FileReader();
      reader.onload = function () {
        if (typeof reader.result === "string" && reader.result.indexOf("data:image/") === 0) {
          chosen.appendChild(el("img", { src: reader.result, alt: "" }));
        }
      };
      reader.readAsDataURL(file);
    }
    zone.appendChild(chosen);
  }

  function makeDropZone(input) {
    if (input.getAttribute("data-kb-drop")) return;
    input.setAttribute("data-kb-drop", "1");
    var zone = el("div", { class: "kb-dropzone", tabindex: "0", role: "button" });
    zone.appendChild(el("span", { class: "kb-dropzone__hint" }, text("drop-zone")));
    input.insertAdjacentElement("afterend", zone);
    zone.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      var file = data && data.files && data.files[0];
      if (!file && data && data.items) {
        for (var i = 0; i < data.items.length; i += 1) {
          if (data.items[i].kind === "file") { file = data.items[i].getAsFile(); break; }
        }
      }
      if (file) {
        event.preventDefault();
        chooseFile(input, file);
      }
    });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("is-over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("is-over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files[0]) chooseFile(input, files[0]);
    });
    zone.addEventListener("keydown", function (event) {
      if (event.key === "Enter") input.click();
    });
    input.addEventListener("change", function () { showChosen(input, zone); });
  }

  /* A new variant gets an empty step, as the first one does. */

  function onAdded(event) {
    var added = event.target;
    var prefix = (event.detail && event.detail.formsetName) || "";
    // After django-nested-admin has finished setting up the new row and its nested rows.
    window.setTimeout(function () {
      if (prefix === "variants" && !stepForms(added).length) {
        var add = added.querySelector(".djn-group-nested .djn-add-handler");
        if (add) add.click();
      }
      if (prefix === "variants") stepForms(added).forEach(decorateStep);
      if (/-steps$/.test(prefix)) decorateStep(added);
      refreshSummaries();
    }, 0);
  }

  /* Whether saving makes the article public. */

  function publicness() {
    var status = document.getElementById("id_status");
    var lines = document.querySelectorAll("[data-kb-publicness]");
    if (!status || !lines.length) return;
    status.addEventListener("change", function () {
      lines.forEach(function (line) {
        var message = line.getAttribute("data-status-" + status.value);
        if (message) line.textContent = message;
      });
    });
  }

  /* Unsaved changes. */

  function guardUnsaved() {
    form = document.getElementById("article_form");
    if (!form) return;
    // A refused form shown again holds typing that is not saved yet.
    dirty = document.querySelector(".errornote") !== null;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.name !== "_preview_language") submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function start() {
    var holder = document.getElementById("kb-editor-strings");
    if (!holder) return;
    Object.keys(holder.dataset).forEach(function (key) {
      strings[key.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); })] = holder.dataset[key];
    });
    publicness();
    guardUnsaved();
    var variants = variantForms();
    var existing = document.querySelector("#article_form input[name=loaded_version]");
    var isChange = existing && existing.value !== "";
    variants.forEach(function (variant) {
      decorateVariant(variant);
      stepForms(variant).forEach(decorateStep);
      var hasErrors = variant.querySelector(".errorlist, .errors") !== null;
      setCollapsed(variant, isChange && variants.length > 1 && !hasErrors);
    });
    refreshSummaries();
    document.addEventListener("formset:added", onAdded);
    document.addEventListener("formset:removed", refreshSummaries);
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select[name$='-platform']")) refreshSummaries();
    });
    if (window.location.hash) {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target) open(target);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
