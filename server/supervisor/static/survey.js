/* The satisfaction survey: nine answers 1-4 and a comment, sent to POST /api/survey. */
"use strict";
(function (L) {
  var idle = document.getElementById("survey-idle");
  if (idle) {  // a counter's tablet waits for the next citizen
    setTimeout(function () { window.location.reload(); }, 1000 * parseInt(idle.dataset.reload, 10));
  }
  var form = document.getElementById("survey-form");
  if (!form) return;
  var t = L.strings("svy-strings");
  var message = document.getElementById("survey-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var scores = [];
    for (var i = 1; i <= 9; i++) {
      var checked = form.querySelector('input[name="u' + i + '"]:checked');
      if (!checked) {
        message.textContent = t["svy.incomplete"];
        message.className = "sup-message error";
        form.querySelector('[data-element="' + i + '"]').scrollIntoView({ block: "center" });
        return;
      }
      scores.push(parseInt(checked.value, 10));
    }
    var body = { scores: scores, comment: form.elements.comment.value };
    if (form.elements.survey_token) body.survey_token = form.elements.survey_token.value;
    else body.status_token = form.elements.status_token.value.trim();
    form.querySelector("button[type=submit]").disabled = true;
    L.post("/api/survey", body).then(function () {
      form.replaceChildren(L.el("p", t["svy.thanks"], "survey-thanks"));
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
