/* Progressive enhancement for the screening: reveal follow-up questions as answers change,
   show crisis resources the moment a risk answer is chosen, keep the page's answers on the
   server as they change, and focus the error summary. Everything else here is also done by
   the server on Next, so the form works without it. */
(function () {
  "use strict";
  var form = document.querySelector(".step-form");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!form) { return; }

  function valuesOf(name) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    fields.forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox")) {
        if (field.checked) { values.push(field.value); }
      } else if (field.value !== "") {
        values.push(field.value);
      }
    });
    return values;
  }

  function compare(value, operator, expected) {
    var a = Number(value), b = Number(expected);
    var numeric = !isNaN(a) && !isNaN(b) && value !== "";
    switch (operator) {
      case "=": return String(value) === String(expected);
      case "!=": return String(value) !== String(expected);
      case ">": return numeric ? a > b : value > expected;
      case "<": return numeric ? a < b : value < expected;
      case ">=": return numeric ? a >= b : value >= expected;
      case "<=": return numeric ? a <= b : value <= expected;
    }
    return false;
  }

  function holds(condition) {
    if (Object.prototype.hasOwnProperty.call(condition, "fixed")) { return condition.fixed; }
    var values = valuesOf(condition.question);
    if (condition.operator === "exists") { return (values.length > 0) === Boolean(condition.answer); }
    if (values.length === 0) { return false; }
    if (condition.operator === "!=") {
      return values.every(function (v) { return compare(v, "!=", condition.answer); });
    }
    return values.some(function (v) { return compare(v, condition.operator, condition.answer); });
  }

  function refresh() {
    form.querySelectorAll("[data-enable-when]").forEach(function (question) {
      var rule = JSON.parse(question.getAttribute("data-enable-when"));
      var results = rule.conditions.map(holds);
      var enabled = rule.behavior === "any" ? results.some(Boolean) : results.every(Boolean);
      question.hidden = !enabled;
    });
    // Crisis resources sit right below the question whose answer raised them.
    form.querySelectorAll(".crisis-inline").forEach(function (panel) {
      var question = panel.closest(".question");
      panel.hidden = !(question && !question.hidden &&
        question.querySelector('[data-risk="true"]:checked'));
    });
  }

  // Questions appear here as soon as they apply: tell the server none was hidden from view.
  var seen = document.createElement("input");
  seen.type = "hidden";
  seen.name = "seen_live";
  seen.value = "1";
  form.appendChild(seen);

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();

  // Keep what is on the page on the server as it changes (a pause in typing, a tap), so a
  // page closed before any button loses nothing. A button pressed while a save is on its way
  // waits for it, so the server never sees the older answers last.
  var AUTOSAVE_DELAY_MS = 800;
  var timer = null;
  var inflight = null;

  function autosave(leaving) {
    timer = null;
    var data = new FormData(form);
    data.set("action", "autosave");
    // The page's own address, as a button would post (form.action is the buttons named
    // "action").
    inflight = fetch(window.location.href.split("#")[0], {
      method: "POST", body: data, credentials: "same-origin", keepalive: leaving
    }).catch(function () { return null; }).then(function () { inflight = null; });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(autosave, AUTOSAVE_DELAY_MS, false);
  }

  // Only an open step keeps its answers so (not the contact-today form, which sends at once,
  // nor a page shown after the screening closed here).
  if (!form.hasAttribute("data-autosave")) { return; }
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
  // A phone may freeze a page once it is out of sight: save what waits now.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) {
      clearTimeout(timer);
      autosave(true);
    }
  });
  form.addEventListener("submit", function (event) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { form.requestSubmit(submitter); });
    }
  });
})();
