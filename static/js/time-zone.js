// Progressive enhancement: preselect the browser's time zone on the booking page.
// Without JavaScript the list works as it is.
(function () {
  var select = document.querySelector("select[data-detect-zone]");
  if (!select || new URLSearchParams(window.location.search).has("tz")) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || select.value === zone) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      select.form.submit();
      return;
    }
  }
})();
