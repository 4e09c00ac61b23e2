/* The satisfaction survey: nine answers 1-4 and a comment, sent to POST /api/survey. The page
 * validates in its own language (no browser bubbles), marks each unanswered question, moves
 * focus to the first one, and announces the thank-you in a status region. */
"use strict";
(function (L) {
  var idle = document.getElementById("survey-idle") || document.getElementById("survey-not-yet");
  if (idle && idle.dataset.reload) {  // a counter's tablet waits for the next citizen
    setTimeout(function () { window.location.reload(); }, 1000 * parseInt(idle.dataset.reload, 10));
  }
  var form = document.getElementById("survey-form");
  if (!form) return;
  var t = L.strings("svy-strings");
  var message = document.getElementById("survey-message");
  var done = document.getElementById("survey-done");

  function mark(fieldset, wrong) {
    var error = document.getElementById("q" + fieldset.dataset.element + "-error");
    fieldset.classList.toggle("invalid", wrong);
    error.hidden = !wrong;
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (wrong) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest(".survey-q");
    if (fieldset) { mark(fieldset, false); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var scores = [], firstWrong = null;
    var tokenInput = form.querySelector("#survey-token");
    if (tokenInput) {
      var missing = !tokenInput.value.trim();
      document.getElementById("survey-token-error").hidden = !missing;
      if (missing) { tokenInput.setAttribute("aria-invalid", "true"); firstWrong = tokenInput; }
      else { tokenInput.removeAttribute("aria-invalid"); }
    }
    for (var i = 1; i <= 9; i++) {
      var fieldset = form.querySelector('[data-element="' + i + '"]');
      var checked = form.querySelector('input[name="u' + i + '"]:checked');
      mark(fieldset, !checked);
      if (!checked) { firstWrong = firstWrong || fieldset.querySelector("input"); }
      else { scores.push(parseInt(checked.value, 10)); }
    }
    if (firstWrong) {
      message.textContent = tokenInput && firstWrong === tokenInput ? t["svy.token_missing"] : t["svy.incomplete"];
      message.className = "sup-message error";
      firstWrong.focus();
      firstWrong.scrollIntoView({ block: "center" });
      return;
    }
    var body = { scores: scores, comment: form.elements.comment.value };
    if (form.elements.survey_token) body.survey_token = form.elements.survey_token.value;
    else body.status_token = form.elements.status_token.value.trim();
    form.querySelector("button[type=submit]").disabled = true;
    L.post("/api/survey", body).then(function () {
      form.hidden = true;
      done.textContent = t["svy.thanks"];
      done.focus();
      if (form.dataset.reload) {  // ready for the next citizen at this counter
        setTimeout(function () { window.location.reload(); }, 1000 * parseInt(form.dataset.reload, 10));
      }
    }).catch(function (error) {
      message.textContent = error.message;
      message.className = "sup-message error";
      form.querySelector("button[type=submit]").disabled = false;
    });
  });
})(window.Loket);
