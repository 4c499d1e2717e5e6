// Progressive enhancement: the subscribe form's token, fetched when a reader starts to use it.
// The pages themselves are the same for every reader (so caches can keep them) and carry no
// token. Without this script the form still works: the reader confirms once more on its page.
(function () {
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-token-url]"));
  if (!forms.length) return;
  var pending = null;
  // One token for every copy of the form on the page: each fetch replaces the cookie.
  function fetchToken() {
    if (!pending) {
      pending = fetch(forms[0].getAttribute("data-token-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.token) return;
          forms.forEach(function (form) { form.elements.csrf_token.value = data.token; });
        })
        .catch(function () { pending = null; });
    }
    return pending;
  }
  forms.forEach(function (form) {
    form.addEventListener("focusin", fetchToken);
    form.addEventListener("submit", function (event) {
      if (form.elements.csrf_token.value) return;
      event.preventDefault();
      fetchToken().then(function () { form.submit(); });
    });
  });
})();
