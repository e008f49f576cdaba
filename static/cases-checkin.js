// Check-in form: when the volunteer only tried to reach the parent, hide the questions that
// only make sense after a conversation. Without JavaScript everything simply stays visible
// (and the server ignores those answers for an attempt). Also moves focus to the error summary.
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkin]");
  if (!form) { return; }
  var spoke = form.querySelector(".if-spoke");
  var radios = form.querySelectorAll("input[name='successful']");
  function update() {
    var attempt = form.querySelector("input[name='successful'][value='no']:checked");
    if (spoke) { spoke.hidden = Boolean(attempt); }
  }
  for (var i = 0; i < radios.length; i++) { radios[i].addEventListener("change", update); }
  update();
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
