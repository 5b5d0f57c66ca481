/* The public pages' region selects: a choice reloads the form with the next level's choices
   (the lower levels are dropped, they belonged to the old choice). Without script, the form's
   button does the same. */
(function () {
  "use strict";
  var levels = ["province", "regency", "district", "village"];
  document.querySelectorAll("[data-reloads]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      var below = levels.slice(levels.indexOf(select.name) + 1);
      below.forEach(function (name) {
        var lower = form.querySelector("[name=" + name + "]");
        if (lower) { lower.disabled = true; }
      });
      var name = form.querySelector("[name=name]");
      if (name && select.name !== "village") { name.required = false; }
      if (form.method.toLowerCase() === "post") {
        // The submission form keeps what was typed: reload by GET with its fields.
        var params = new URLSearchParams(new FormData(form));
        params.delete("csrf_token");
        params.delete("photos");
        window.location.search = params.toString();
        return;
      }
      form.submit();
    });
  });
})();
