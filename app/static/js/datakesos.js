/* Datakesos console behaviour: server-side search selects for regions. */
(function ($) {
  "use strict";
  function regionSearch(element) {
    var el = $(element);
    el.select2({
      width: "100%",
      allowClear: true,
      placeholder: el.data("placeholder") || "",
      minimumInputLength: 2,
      ajax: {
        url: el.data("url"),
        dataType: "json",
        delay: 250,
        data: function (params) { return { q: params.term }; },
        processResults: function (data) { return { results: data.results }; }
      }
    });
  }
  $(function () {
    $("select.region-search").each(function () { regionSearch(this); });
  });
  window.datakesosRegionSearch = regionSearch;
})(jQuery);

/* Province → regency → district → village: each select searches under the one before. */
(function ($) {
  "use strict";
  $(function () {
    var form = $("#region-cascade");
    if (!form.length) { return; }
    var url = form.data("url");
    var selects = form.find("select.cascade-level");
    selects.each(function (index) {
      var el = $(this);
      el.select2({
        width: "100%", allowClear: true, placeholder: el.data("placeholder"),
        ajax: {
          url: url, dataType: "json", delay: 200,
          data: function (params) {
            var parent = index > 0 ? $(selects[index - 1]).val() : "";
            return { q: params.term || "", level: el.data("level"), under: parent || "" };
          },
          processResults: function (data) { return { results: data.results }; }
        }
      });
      el.on("change", function () {
        selects.slice(index + 1).val(null).trigger("change.select2");
        var chosen = "";
        selects.each(function () { if ($(this).val()) { chosen = $(this).val(); } });
        $("#cascade-value").val(chosen);
      });
    });
  });
})(jQuery);

/* Date fields: Indonesian calendar words, ISO dates, and a typed or pasted date is kept (the
   picker otherwise rereads the field only on a key press and clears it when it closes). Date
   filters of list searches get the same picker: Flask-AppBuilder's filters script calls a
   `datetimepicker` plugin that the bundled date picker does not provide. */
(function ($) {
  "use strict";
  if (!$.fn.datepicker) { return; }
  $.fn.datepicker.dates.id = {
    days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    daysShort: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    daysMin: ["Mg", "Sn", "Sl", "Rb", "Km", "Jm", "Sb"],
    months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember"],
    monthsShort: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    today: "Hari ini", clear: "Kosongkan", format: "yyyy-mm-dd", titleFormat: "MM yyyy", weekStart: 1
  };
  function dateOptions() {
    var language = (document.documentElement.lang || "id").slice(0, 2) === "en" ? "en" : "id";
    return { format: "yyyy-mm-dd", language: language, autoclose: true, forceParse: false };
  }
  if (!$.fn.datetimepicker) {
    $.fn.datetimepicker = function () { return this.datepicker(dateOptions()); };
  }
  $(function () {
    $(".appbuilder_date, .appbuilder_datetime").each(function () {
      var picker = $(this);
      picker.datepicker("destroy").datepicker($.extend(dateOptions(), { todayHighlight: true }));
      picker.find("input").on("input change", function () { picker.datepicker("update"); });
    });
  });
})(jQuery);

/* Select2 4.0 gives the shown value role="textbox" without a name (axe: aria-input-field-name;
   Select2 4.1 dropped that role), and puts its "×" among a multiple select's list items (axe:
   list; the keyboard clears with Backspace). Every later select2() call (Flask-AppBuilder's
   ab.js among them) and every change (Select2 draws the "×" again) repairs both. */
(function ($) {
  "use strict";
  var select2 = $.fn.select2;
  if (!select2) { return; }
  function repair(select) {
    var box = $(select).next(".select2-container");
    box.find(".select2-selection__rendered[role=textbox]").removeAttr("role aria-readonly");
    box.find(".select2-selection__clear").attr("aria-hidden", "true");
  }
  $.fn.select2 = $.extend(function () {
    var result = select2.apply(this, arguments);
    this.each(function () { repair(this); });
    return result;
  }, select2);
  $(document).on("change", "select", function () { repair(this); });
})(jQuery);

/* Search selects: screen readers announce the field's label, not only the chosen value. */
(function ($) {
  "use strict";
  $(function () {
    $("select.select2-hidden-accessible, select[data-select2-id]").each(function () {
      var select = $(this);
      var box = select.next(".select2-container").find(".select2-selection");
      var label = select.attr("id") ? $("label[for='" + select.attr("id") + "']").first() : $();
      if (label.length) {
        // The label first, then the chosen value (Select2's own aria-labelledby).
        if (!label.attr("id")) { label.attr("id", select.attr("id") + "-label"); }
        box.attr("aria-labelledby", $.trim(label.attr("id") + " " + (box.attr("aria-labelledby") || "")));
      } else if (select.attr("aria-label") || select.data("placeholder")) {
        box.attr("aria-label", select.attr("aria-label") || select.data("placeholder"));
      }
    });
  });
})(jQuery);

/* List search rows (added by Flask-AppBuilder's filters script): each operator and value field
   is named after its column for screen readers. */
(function ($) {
  "use strict";
  function nameRow(row) {
    var column = $.trim($(row).children("td").first().text().replace("\u00d7", ""));
    if (!column) { return; }
    var cells = $(row).children("td.filter");
    var comparison = column + " (" + ($(document.body).data("comparison-label") || "") + ")";
    cells.eq(0).find("select").attr("aria-label", comparison);
    cells.eq(0).find(".select2-selection").attr("aria-label", comparison);
    cells.eq(1).find("input, select, textarea").attr("aria-label", column);
    cells.eq(1).find(".select2-selection").attr("aria-label", column);
  }
  $(function () {
    var table = document.querySelector("#filter_form table.filters tbody");
    if (!table || !window.MutationObserver) { return; }
    $(table).children("tr").each(function () { nameRow(this); });
    new MutationObserver(function () {
      $(table).children("tr").each(function () { nameRow(this); });
    }).observe(table, { childList: true, subtree: true });
  });
})(jQuery);

/* Multiple-choice search selects: the typing field inside them carries the field's name too. */
(function ($) {
  "use strict";
  function nameSearchField(element) {
    var select = $(element);
    var label = select.attr("id") ? $.trim($("label[for='" + select.attr("id") + "']").first().text()) : "";
    if (label) {
      select.next(".select2-container").find(".select2-search__field").attr("aria-label", label.replace(/\s*\*$/, ""));
    }
  }
  // Select2 draws the typing field again when it opens and after each choice.
  $(document).on("select2:open select2:select select2:unselect", "select[multiple]", function () {
    nameSearchField(this);
  });
  $(function () {
    $("select[multiple]").each(function () { nameSearchField(this); });
  });
})(jQuery);

/* A page that follows a running job (a close, a duplicate scan): the parts its
   [data-live-parts] element names ("selector|selector") are fetched again every 5 seconds and
   replaced in place while the fresh page still matches data-live-busy — once more after it no
   longer does. Not a page that reloads itself (<meta refresh>), which would move a screen
   reader's or a typing user's place. */
(function () {
  "use strict";
  function follow(config) {
    var parts = config.getAttribute("data-live-parts").split("|");
    var busy = config.getAttribute("data-live-busy");
    function replace(fresh, selector) {
      var now = document.querySelector(selector), next = fresh.querySelector(selector);
      if (now && next) { now.replaceWith(document.importNode(next, true)); }
    }
    function poll() {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          parts.forEach(function (selector) { replace(fresh, selector); });
          if (fresh.querySelector(busy)) { window.setTimeout(poll, 5000); }
        }, function () { window.setTimeout(poll, 10000); });
    }
    if (document.querySelector(busy)) { window.setTimeout(poll, 5000); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-parts][data-live-busy]").forEach(follow);
  });
})();

/* Bootstrap 3 marks the folding menu itself aria-expanded, which a <div> may not carry (axe:
   aria-allowed-attr); its toggle button keeps the state for screen readers. */
(function ($) {
  "use strict";
  $(document).on("shown.bs.collapse hidden.bs.collapse", ".navbar-collapse", function () {
    this.removeAttribute("aria-expanded");
  });
})(jQuery);

/* A table box that scrolls sideways (narrow screens) must be reachable with the keyboard, and
   named for screen readers (axe: scrollable-region-focusable): whichever template drew it. */
(function () {
  "use strict";
  function nameOf(box) {
    var section = box.closest("section, .panel, main");
    var heading = section && section.querySelector("h1, h2, h3, .panel-title, caption");
    return heading ? heading.textContent.trim() : document.title;
  }
  function reachScrollingTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", nameOf(box)); }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", reachScrollingTables);
  window.addEventListener("resize", reachScrollingTables);
})();
