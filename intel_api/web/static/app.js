// Keyboard shortcuts on the flag page: c confirm, d dismiss, e escalate, p plate, r reason.
// Nothing is submitted by a shortcut: it chooses the action and moves focus to the reason.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("review-form");
    if (!form || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var choose = { c: "act-confirm", d: "act-dismiss", e: "act-escalate" }[event.key];
    if (choose) {
      var radio = document.getElementById(choose);
      if (radio) { radio.checked = true; document.getElementById("reason").focus(); event.preventDefault(); }
    } else if (event.key === "p") {
      document.getElementById("act-confirm").checked = true;
      document.getElementById("corrected_plate").focus(); event.preventDefault();
    } else if (event.key === "r") {
      document.getElementById("reason").focus(); event.preventDefault();
    }
  });
})();
