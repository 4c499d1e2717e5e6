// Progressive enhancement: save the assessment page while the person answers, so nothing is lost
// if they close the tab. Without JavaScript, every page is saved when they move on.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;

  function save() {
    var data = new FormData(form);
    data.set("go", "autosave");
    fetch(window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (status) status.textContent = response.status === 204 ? "Your answers are saved." : "";
      })
      .catch(function () {
        if (status) status.textContent = "Not saved yet: your answers will be saved when you continue.";
      });
  }

  form.addEventListener("change", save);
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") return;
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
})();
