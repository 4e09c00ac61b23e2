/* Help requests on the staff pages (officer panel and supervisor dashboard), included with one
 * script tag. Open requests are listed at the top of the page with a "Saya tangani" button
 * until someone takes them; a new one plays a chime and is announced (role=alert). On an
 * officer panel, the call of a ticket marked for help says to fetch the citizen.
 * Pushes: the "assistance" Socket.IO event on /counter or /supervisor (server.assistance). */
(function () {
  "use strict";
  var panel = document.getElementById("counter-panel");
  var counter = panel ? panel.dataset.counter : null;
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  var words = {}, requests = [], fetches = [], audio = null, sounds = 0;

  function w(key, params) {
    var text = words["assist." + key] || key;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(params[k] === null || params[k] === undefined ? "" : String(params[k]));
    });
    return text;
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/assistance/static/assistance-staff.css";
  document.head.appendChild(css);

  var box = document.createElement("section");
  box.className = "assist-box";
  box.id = "assist-box";
  box.hidden = true;
  box.setAttribute("aria-labelledby", "assist-title");
  var title = document.createElement("h2");
  title.id = "assist-title";
  var list = document.createElement("ul");
  list.id = "assist-list";
  list.className = "assist-list";
  box.appendChild(title);
  box.appendChild(list);
  var alertRegion = document.createElement("p");
  alertRegion.id = "assist-alert";
  alertRegion.className = "assist-alert";
  alertRegion.setAttribute("role", "alert");
  var main = document.querySelector("main") || document.body;
  main.insertBefore(alertRegion, main.firstChild);
  main.insertBefore(box, alertRegion.nextSibling);

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function chime() {
    sounds += 1;
    document.body.dataset.assistSounds = String(sounds);
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      if (!audio) { audio = new Ctx(); }
      if (audio.state === "suspended") { audio.resume(); }
      [0, 0.3, 0.6].forEach(function (offset, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        var at = audio.currentTime + offset;
        osc.frequency.value = i === 1 ? 660 : 880;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
        osc.connect(gain).connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.27);
      });
    } catch (e) { /* no sound: the alert is still shown and announced */ }
  }

  function item(text, buttonText, onClick, cls) {
    var li = document.createElement("li");
    li.className = "assist-item " + (cls || "");
    var span = document.createElement("span");
    span.className = "assist-text";
    span.textContent = text;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "assist-take";
    button.textContent = buttonText;
    button.addEventListener("click", function () { onClick(button); });
    li.appendChild(span);
    li.appendChild(button);
    return li;
  }

  function draw() {
    title.textContent = w("title");
    var items = [];
    fetches.forEach(function (f, index) {
      var li = item(w("fetch", { ticket: f.ticket, where: f.where || w("fetch_here") }), w("taken"),
        function () { fetches.splice(index, 1); draw(); }, "assist-fetch");
      li.dataset.ticket = f.ticket;
      items.push(li);
    });
    requests.forEach(function (r) {
      var minutes = Math.floor((r.waited_s || 0) / 60);
      var text = r.text + " · " + (minutes ? w("waited", { min: minutes }) : w("just_now"));
      var li = item(text, w("take"), function (button) { take(r.id, button); });
      li.dataset.id = String(r.id);
      items.push(li);
    });
    list.replaceChildren.apply(list, items);
    box.hidden = !items.length;
  }

  function load() {
    var url = "/api/assistance?lang=" + lang + (counter ? "&counter=" + encodeURIComponent(counter) : "");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        words = data.words || words;
        requests = data.requests || [];
        draw();
      })
      .catch(function () { /* shown again on the next push */ });
  }

  function take(id, button) {
    button.disabled = true;
    fetch("/api/supervisor/assistance/" + encodeURIComponent(id) + "/taken", {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() }
    }).then(function (r) {
      if (r.ok || r.status === 409) {
        requests = requests.filter(function (x) { return x.id !== id; });
        draw();
      } else {
        button.disabled = false;
      }
    }).catch(function () { button.disabled = false; });
  }

  function onPush(data) {
    if (!data) { return; }
    if (data.action === "open") {
      load().then(function () {
        var found = requests.filter(function (r) { return r.id === data.id; })[0];
        alertRegion.textContent = found ? found.text : "";
      });
      chime();
    } else if (data.action === "taken") {
      requests = requests.filter(function (r) { return r.id !== data.id; });
      draw();
    } else if (data.action === "fetch") {
      fetches = [data];
      draw();
      alertRegion.textContent = w("fetch", { ticket: data.ticket, where: data.where || w("fetch_here") });
      chime();
    }
  }

  ["pointerdown", "keydown"].forEach(function (name) {  // browsers allow sound after a gesture
    document.addEventListener(name, function () {
      try {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (Ctx && !audio) { audio = new Ctx(); }
        if (audio && audio.state === "suspended") { audio.resume(); }
      } catch (e) { audio = null; }
    }, { once: true });
  });

  if (typeof io === "function") {
    var socket = counter
      ? io("/counter", { auth: { counter: counter }, transports: ["websocket"] })
      : io("/supervisor", { transports: ["websocket"] });
    socket.on("assistance", onPush);
    socket.on("connect", function () { document.body.dataset.assistLive = "1"; load(); });
  }
  load();
}());
