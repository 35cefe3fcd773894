// Counts this search, and the result a reader opens, for the editors' "What readers look
// for" report (insights/). Nothing about the reader is sent: only what the page shows
// (query, number of results, the result and its position) and the server's signature of
// it. Links stay the articles' own URLs; the count goes by navigator.sendBeacon, which the
// browser delivers even as it leaves the page. No cookie is read or written.
(function () {
  "use strict";
  var log = document.getElementById("search-log");
  if (!log || !navigator.sendBeacon) {
    return;
  }
  var data = log.dataset;
  function send(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) {
      body.append(name, fields[name]);
    });
    navigator.sendBeacon(url, body);
  }
  if (data.signature) {
    send(data.seen, { q: data.query, n: data.results, d: data.day, s: data.signature });
  }
  function opened(event) {
    var link = event.target.closest ? event.target.closest("a[data-position]") : null;
    if (!link || (event.type === "auxclick" && event.button !== 1)) {
      return;
    }
    send(data.opened, {
      q: data.query,
      a: link.dataset.article,
      p: link.dataset.position,
      d: data.day,
      s: link.dataset.signature,
    });
  }
  document.addEventListener("click", opened);
  document.addEventListener("auxclick", opened);
})();
