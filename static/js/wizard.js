/* Progressive enhancement for the screening: reveal follow-up questions as answers change,
   show crisis resources the moment a risk answer is chosen, and focus the error summary.
   Everything here is also done by the server on Next, so the form works without it. */
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
})();
