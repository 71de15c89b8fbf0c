/* A staff session ends after SESSION_IDLE_MINUTES without a request, and a screening closes
   for privacy after DRAFT_IDLE_MINUTES without a change. Warn before that, with a button that
   keeps it (WCAG 2.2.1), and count typing as activity, so what is being written is not lost to
   the timer. Once the time has passed, say so: what was typed is still on the page. */
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idleMs = Number(box.getAttribute("data-idle-seconds")) * 1000;
  var leadMs = Math.min(120000, idleMs / 2);
  var token = document.querySelector('input[name="csrf_token"]');
  var button = box.querySelector("button");
  var text = box.querySelector("p");
  var lastSent = Date.now();  // the request that brought this page counted as activity
  var warnTimer = null;
  var endTimer = null;
  var returnFocus = null;

  function warn() {
    returnFocus = document.activeElement;
    box.hidden = false;
    button.focus();
  }

  function expired() {
    clearTimeout(warnTimer);
    text.textContent = box.getAttribute("data-expired");
    button.hidden = true;
    box.hidden = false;
  }

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, idleMs - leadMs);
    endTimer = setTimeout(expired, idleMs);
  }

  function keepAlive() {
    lastSent = Date.now();
    return fetch(box.getAttribute("data-keepalive"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      if (response.status === 204) {
        box.hidden = true;
        arm();
      } else {
        expired();
      }
    }).catch(function () { return null; });
  }

  button.addEventListener("click", function () {
    keepAlive().then(function () {
      if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
    });
  });
  // Typing reaches the server only when a form is sent: tell it now and then meanwhile.
  document.addEventListener("input", function () {
    if (Date.now() - lastSent > idleMs / 3) { keepAlive(); }
  });
  arm();
})();
