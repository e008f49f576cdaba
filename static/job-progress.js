// A background job's page (spreadsheet import or export): while the job is waiting or
// running, ask the server for the same page every 2 seconds and update the status in place,
// so a screen reader hears the change (aria-live) and nobody loses their place on the page.
// When the job has finished, the result (the counts, every problem, or the download) is put
// in too and the asking stops. Without JavaScript the page has a "Check again" link instead.
(function () {
  "use strict";
  var live = document.querySelector("[data-job-live]");
  if (!live || !window.fetch || !window.DOMParser) { return; }
  var result = document.querySelector("[data-job-result]");
  var again = document.querySelector("[data-job-again]");
  if (again) { again.hidden = true; }
  function check() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { window.setTimeout(check, 5000); return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var newLive = page.querySelector("[data-job-live]");
        if (!newLive) { return; }
        live.innerHTML = newLive.innerHTML;
        if (newLive.hasAttribute("data-job-working")) {
          window.setTimeout(check, 2000);
          return;
        }
        var newResult = page.querySelector("[data-job-result]");
        if (result && newResult) { result.innerHTML = newResult.innerHTML; }
        document.title = page.title;
        var summary = result && result.querySelector("[data-error-summary]");
        if (summary) { summary.focus(); }
      })
      .catch(function () { window.setTimeout(check, 5000); });
  }
  window.setTimeout(check, 2000);
})();
