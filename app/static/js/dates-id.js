/* Dates in forms as Indonesians write them — 09/04/2000, typed or picked from the Indonesian
   calendar — while the form still sends ISO 8601 (2000-04-09), which the server and the API
   read: the field people see is a copy, and the original, hidden beside it, carries the ISO
   date. Without JavaScript, or in English, the ISO field (or the browser's own) shows itself. List search filters keep
   the ISO field (the audit trail's filters read both ways of writing a date). Loaded after
   datakesos.js, which sets the calendar's Indonesian words. */
(function ($) {
  "use strict";
  if (!$.fn.datepicker) { return; }
  if ((document.documentElement.lang || "id").slice(0, 2) !== "id") { return; }
  var ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
  var WRITTEN = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/;

  function twoDigits(number) { return (Number(number) < 10 ? "0" : "") + Number(number); }

  function toIso(text) {
    var written = WRITTEN.exec($.trim(text || ""));
    // Anything else (ISO already, empty, not a date) goes as typed: the server says what's wrong.
    return written ? written[3] + "-" + twoDigits(written[2]) + "-" + twoDigits(written[1]) : $.trim(text || "");
  }

  function toWritten(text) {
    var iso = ISO.exec($.trim(text || ""));
    return iso ? twoDigits(iso[3]) + "/" + twoDigits(iso[2]) + "/" + iso[1] : (text || "");
  }

  function localise(picker) {
    var original = picker.find("input").first();
    if (!original.length || !original.attr("name")) { return; }
    var shown = original.clone().removeAttr("name").val(toWritten(original.val())).attr({
      placeholder: "hh/bb/tttt", inputmode: "numeric", autocomplete: "off"
    });
    shown.removeAttr("data-format");
    original.attr("id", (original.attr("id") || original.attr("name")) + "-iso")
      .attr("type", "hidden").removeAttr("required");
    original.replaceWith(shown);
    picker.after(original);
    function carry() { original.val(toIso(shown.val())); }
    shown.on("input change keyup blur", carry);
    picker.datepicker("destroy").datepicker({
      format: "dd/mm/yyyy", language: "id", autoclose: true, forceParse: false, todayHighlight: true
    }).on("changeDate clearDate", carry);
    shown.closest("form").on("submit", carry);
    picker.addClass("localised");
  }

  // A browser's own date field (type=date) shows the browser's language, not the page's:
  // it becomes the same typed field with the Indonesian calendar.
  function pickerAround(input) {
    input.attr("type", "text").wrap('<div class="input-group date appbuilder_date"></div>');
    input.before('<span class="input-group-addon"><i class="fa fa-calendar" aria-hidden="true"></i></span>');
    return input.parent();
  }

  $(function () {
    $("input[type=date]").each(function () { localise(pickerAround($(this))); });
    $(".appbuilder_date").not(".localised").each(function () {
      var picker = $(this);
      if (!picker.closest(".filters, #filter_form, .filter_val").length) { localise(picker); }
    });
  });
  window.datakesosDates = { toIso: toIso, toWritten: toWritten };
})(jQuery);
