/* Select2 in the page's language: every select box, Flask-AppBuilder's (ab.js) and ours
   (datakesos.js), says "Masukkan 2 huruf lagi" or "Tidak ada data yang sesuai", not English.
   Loaded after select2.min.js and the vendored i18n/id.js (app/static/vendor/select2-i18n),
   before the boxes are drawn at document ready. */
(function ($) {
  "use strict";
  if (!$.fn.select2 || !$.fn.select2.amd) { return; }
  var lang = (document.documentElement.lang || "id").slice(0, 2);
  if (lang === "id") { $.fn.select2.defaults.set("language", "id"); }
})(jQuery);
