/* The supervisors' signage page: media library, playlists, running texts, SKM publication,
 * maklumat, online complaints and (admins) the Standar Pelayanan. Every write sends the page's
 * CSRF token; everything shown goes in with textContent. */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("signage-admin").textContent);
  var words = S.strings;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var media = [];
  var playlist = [];

  function w(key, params) {
    var text = words["sig." + key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function status(text, error) {
    var box = $("sig-status");
    box.textContent = text;
    box.classList.toggle("is-error", !!error);
  }

  function call(method, url, body, isForm) {
    var headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    if (body !== undefined && !isForm) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : (isForm ? body : JSON.stringify(body)) })
      .then(function (r) {
        if (r.status === 204) { return {}; }
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) { throw new Error(data.message || ("HTTP " + r.status)); }
          return data;
        });
      });
  }

  function fail(err) { status(w("adm.error", { message: err.message }), true); }
  function saved() { status(w("adm.saved")); }

  /* ---------------------------------------------------------------- media */
  function loadMedia() {
    return call("GET", "/api/admin/media").then(function (data) {
      media = data.media;
      var list = $("media-list");
      list.replaceChildren.apply(list, media.map(function (m) {
        var li = el("li");
        var img = el("img");
        img.src = m.thumbnail_url;
        img.alt = "";
        li.appendChild(img);
        li.appendChild(el("span", "#" + m.id + " · " + m.kind + " · " + (m.title || "")));
        var del = el("button", w("adm.delete"));
        del.type = "button";
        del.addEventListener("click", function () {
          call("DELETE", "/api/admin/media/" + m.id).then(function () {
            saved(); loadMedia(); loadPlaylist();
          }).catch(fail);
        });
        li.appendChild(del);
        return li;
      }));
      var select = $("pl-media");
      select.replaceChildren.apply(select, media.map(function (m) {
        var o = el("option", "#" + m.id + " " + m.kind + " · " + (m.title || ""));
        o.value = String(m.id);
        return o;
      }));
    }).catch(fail);
  }

  $("upload-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData(event.target);
    status("…");
    call("POST", "/api/admin/media", form, true).then(function () {
      event.target.reset(); saved(); loadMedia();
    }).catch(fail);
  });

  /* ---------------------------------------------------------------- playlists */
  S.groups.forEach(function (g) { var o = el("option", g); o.value = g; $("pl-group").appendChild(o); });

  function itemName(item) {
    if (item.media !== undefined) {
      var m = media.filter(function (x) { return x.id === item.media; })[0];
      return "#" + item.media + " " + (m ? m.kind + " · " + (m.title || "") : "?");
    }
    return item.slide === "standar" ? "Standar " + item.service : item.slide.toUpperCase();
  }

  function field(item, key, label, type) {
    var l = el("label", label);
    var input = el("input");
    input.type = type || "text";
    input.value = item[key] === undefined ? "" : (Array.isArray(item[key]) ? item[key].join(",") : item[key]);
    input.addEventListener("change", function () {
      var v = input.value.trim();
      if (!v) { delete item[key]; return; }
      if (key === "seconds") { item[key] = Number(v); }
      else if (key === "days") { item[key] = v.split(",").map(function (d) { return d.trim(); }); }
      else { item[key] = v; }
    });
    l.appendChild(input);
    return l;
  }

  function renderPlaylist() {
    var list = $("pl-items");
    list.replaceChildren.apply(list, playlist.map(function (item, i) {
      var li = el("li");
      li.appendChild(el("span", itemName(item), "name"));
      li.appendChild(field(item, "seconds", w("adm.seconds"), "number"));
      li.appendChild(field(item, "from", w("adm.from"), "date"));
      li.appendChild(field(item, "until", w("adm.until"), "date"));
      li.appendChild(field(item, "days", w("adm.days")));
      li.appendChild(field(item, "time", w("adm.time")));
      [["adm.up", -1], ["adm.down", 1], ["adm.remove", 0]].forEach(function (b) {
        var btn = el("button", w(b[0]));
        btn.type = "button";
        btn.addEventListener("click", function () {
          if (b[1] === 0) { playlist.splice(i, 1); }
          else {
            var j = i + b[1];
            if (j < 0 || j >= playlist.length) { return; }
            var tmp = playlist[i]; playlist[i] = playlist[j]; playlist[j] = tmp;
          }
          renderPlaylist();
        });
        li.appendChild(btn);
      });
      return li;
    }));
  }

  function loadPlaylist() {
    return call("GET", "/api/admin/playlists/" + $("pl-group").value).then(function (data) {
      playlist = data.items; renderPlaylist();
    }).catch(fail);
  }
  $("pl-group").addEventListener("change", loadPlaylist);
  $("pl-add-media").addEventListener("click", function () {
    if (!$("pl-media").value) { return; }
    playlist.push({ media: Number($("pl-media").value), seconds: 10 }); renderPlaylist();
  });
  $("pl-add-slide").addEventListener("click", function () {
    var v = $("pl-slide").value.split(":");
    var item = { slide: v[0], seconds: 15 };
    if (v[1]) { item.service = v[1]; }
    playlist.push(item); renderPlaylist();
  });
  $("pl-save").addEventListener("click", function () {
    call("PUT", "/api/admin/playlists/" + $("pl-group").value, { items: playlist })
      .then(function (data) { playlist = data.items; renderPlaylist(); saved(); }).catch(fail);
  });

  /* ---------------------------------------------------------------- running texts */
  function loadTexts() {
    return call("GET", "/api/supervisor/running-texts").then(function (data) {
      var list = $("text-list");
      list.replaceChildren.apply(list, data.texts.map(function (t) {
        var bits = [t.zone, t.from && t.from + "…" + (t.until || ""), (t.days || []).join(","), t.time]
          .filter(Boolean).join(" · ");
        var li = el("li", t.text + (bits ? "  (" + bits + ")" : ""));
        var del = el("button", w("adm.delete"));
        del.type = "button";
        del.addEventListener("click", function () {
          call("DELETE", "/api/supervisor/running-texts/" + t.id).then(function () { saved(); loadTexts(); }).catch(fail);
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(del);
        return li;
      }));
    }).catch(fail);
  }
  $("text-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = new FormData(event.target);
    var body = { text: f.get("text") };
    ["zone", "from", "until", "time"].forEach(function (k) { if (f.get(k)) { body[k] = f.get(k); } });
    if (f.get("days")) { body.days = String(f.get("days")).split(",").map(function (d) { return d.trim(); }); }
    call("POST", "/api/supervisor/running-texts", body).then(function () {
      event.target.reset(); saved(); loadTexts();
    }).catch(fail);
  });

  /* ---------------------------------------------------------------- SKM, maklumat */
  function loadPublic() {
    return call("GET", "/api/signage/state").then(function (state) {
      var skm = state.skm;
      var form = $("skm-form");
      form.elements.from.value = skm.period.from;
      form.elements.to.value = skm.period.to;
      form.elements.follow_up.value = skm.follow_up.notes || "";
      var mk = $("maklumat-form");
      mk.elements.text.value = (state.maklumat && state.maklumat.text) || "";
      mk.elements.media.value = (state.maklumat && state.maklumat.media) || "";
      standar = state.standar;
      showStandar();
    }).catch(fail);
  }
  $("skm-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target.elements;
    call("PUT", "/api/supervisor/skm-public", { from: f.from.value, to: f.to.value, follow_up: f.follow_up.value })
      .then(saved).catch(fail);
  });
  $("maklumat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target.elements;
    var id = f.media.value.trim();
    call("PUT", "/api/admin/maklumat", { text: f.text.value, media: id ? Number(id) : null })
      .then(saved).catch(fail);
  });

  /* ---------------------------------------------------------------- complaints */
  function loadComplaints() {
    return call("GET", "/api/supervisor/pengaduan").then(function (data) {
      var list = $("complaint-list");
      var items = data.complaints.map(function (c) {
        var li = el("li");
        li.appendChild(el("strong", (c.kind === "saran" ? "Saran" : "Pengaduan") + " · " + c.at.slice(0, 16).replace("T", " ") +
          (c.service ? " · " + c.service : "") + (c.ticket ? " · " + c.ticket : "")));
        li.appendChild(el("p", c.comment));
        if (c.contact) { li.appendChild(el("p", c.contact, "muted")); }
        var label = el("label", w("adm.answer"));
        var area = el("textarea");
        area.rows = 2;
        area.maxLength = 2000;
        label.appendChild(area);
        li.appendChild(label);
        var send = el("button", w("adm.answer"));
        send.type = "button";
        send.addEventListener("click", function () {
          call("POST", "/api/supervisor/pengaduan/" + c.id + "/answer", { answer: area.value })
            .then(function () { saved(); loadComplaints(); }).catch(fail);
        });
        li.appendChild(send);
        return li;
      });
      if (!items.length) { items = [el("li", w("adm.no_complaints"), "muted")]; }
      list.replaceChildren.apply(list, items);
    }).catch(fail);
  }

  /* ---------------------------------------------------------------- standar pelayanan */
  var standar = {};
  function showStandar() {
    var entry = standar[$("std-service").value];
    var form = $("std-form");
    S.standar_keys.forEach(function (k) { form.elements[k].value = entry ? entry.standar[k] || "" : ""; });
  }
  $("std-service").addEventListener("change", showStandar);
  $("std-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    S.standar_keys.forEach(function (k) { body[k] = event.target.elements[k].value; });
    var prefix = $("std-service").value;
    call("PUT", "/api/admin/standar/" + prefix, body).then(function (data) {
      standar[prefix] = standar[prefix] || {};
      standar[prefix].standar = data.standar;
      saved();
    }).catch(fail);
  });

  loadMedia().then(loadPlaylist);
  loadTexts();
  loadPublic();
  loadComplaints();
}());
