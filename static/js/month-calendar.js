// Progressive enhancement of the booking page's month calendar, after the WAI-ARIA date grid:
// one Tab stop for the month, the arrow keys move between the days with free times (left and
// right a day, up and down a week), Home and End go to the month's first and last of them,
// Page Up and Page Down open the month before or after. Without JavaScript every day is a link.
(function () {
  var calendar = document.querySelector("[data-month-calendar]");
  if (!calendar) return;
  var days = Array.prototype.slice.call(calendar.querySelectorAll("a[data-date]"));
  if (!days.length) return;
  var hint = calendar.querySelector(".calendar-keys");
  if (hint) hint.hidden = false;

  var current = calendar.querySelector('a[data-date][aria-current="date"]') || days[0];
  days.forEach(function (day) {
    day.tabIndex = day === current ? 0 : -1;
  });

  function moveTo(day) {
    if (!day) return;
    current.tabIndex = -1;
    day.tabIndex = 0;
    current = day;
    day.focus();
  }

  function shifted(isoDate, days) {
    var moment = new Date(isoDate + "T12:00:00Z");
    moment.setUTCDate(moment.getUTCDate() + days);
    return moment.toISOString().slice(0, 10);
  }

  // The first free day on or after `isoDate`, or the last on or before it when going back.
  function nearest(isoDate, forward) {
    var found = null;
    days.forEach(function (day) {
      var date = day.dataset.date;
      if (forward && date >= isoDate && !found) found = day;
      if (!forward && date <= isoDate) found = day;
    });
    return found;
  }

  function followMonth(rel) {
    var link = calendar.querySelector('.month-nav a[rel="' + rel + '"]');
    if (link) window.location.assign(link.href);
  }

  calendar.addEventListener("keydown", function (event) {
    var day = event.target.closest("a[data-date]");
    if (!day || event.altKey || event.ctrlKey || event.metaKey) return;
    var date = day.dataset.date;
    var steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 7, ArrowUp: -7 };
    if (event.key in steps) {
      var step = steps[event.key];
      moveTo(nearest(shifted(date, step), step > 0));
    } else if (event.key === "Home") {
      moveTo(days[0]);
    } else if (event.key === "End") {
      moveTo(days[days.length - 1]);
    } else if (event.key === "PageUp") {
      followMonth("prev");
    } else if (event.key === "PageDown") {
      followMonth("next");
    } else {
      return;
    }
    event.preventDefault();
  });
})();
