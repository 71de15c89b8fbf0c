/* The saved page's "Copy the link" button. Without JavaScript the button stays hidden and the
   link is selectable text, so this only adds a shortcut. */
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  var status = document.getElementById("copy-status");
  if (!button || !status) { return; }
  var field = document.getElementById(button.getAttribute("data-copies"));
  if (!field) { return; }
  button.parentNode.hidden = false;

  function say(key) { status.textContent = status.getAttribute(key); }

  function copyBySelection() {
    // Older browsers, or a page served without HTTPS, have no async clipboard.
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value.trim()).then(
        function () { say("data-done"); },
        function () { say(copyBySelection() ? "data-done" : "data-failed"); }
      );
    } else {
      say(copyBySelection() ? "data-done" : "data-failed");
    }
  });
}());
