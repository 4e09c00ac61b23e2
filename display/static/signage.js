/* Loket wall screens: the media area (playlists of images, videos and information slides), the
 * layouts (calls only, calls + media, portrait) and the scheduled running texts.
 *
 * Content arrives with the `signage` event (pushed on every change, and asked for on every
 * (re)connect). What plays when is worked out from the clock, so every screen of a group shows
 * the same slide and a screen that reconnects resumes where the group is. The call panel always
 * wins: while calls flash, the media steps back and videos are paused and muted. */
(function (global) {
  "use strict";

  var D = global.LoketDisplay;
  var S = D.settings;
  var WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  var DEFAULT_SECONDS = 10;
  var HOLD_AFTER_CALLS_MS = 1500;

  /* ------------------------------------------------------------------ hall time & schedules */
  var partsFmt = null;
  function hallNow() {
    if (!partsFmt) {
      var options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
                      minute: "2-digit", weekday: "short", hourCycle: "h23" };
      try {
        partsFmt = new Intl.DateTimeFormat("en-US", Object.assign(
          { timeZone: (S.hall && S.hall.timezone) || "Asia/Jakarta" }, options));
      } catch (err) {
        partsFmt = new Intl.DateTimeFormat("en-US", options);
      }
    }
    var p = {};
    partsFmt.formatToParts(new Date()).forEach(function (x) { p[x.type] = x.value; });
    var hour = Number(p.hour) % 24;
    return { day: p.year + "-" + p.month + "-" + p.day, minutes: hour * 60 + Number(p.minute),
             weekday: String(p.weekday).slice(0, 3).toLowerCase() };
  }

  function minutesOf(hm) {
    var bits = String(hm).split(":");
    return Number(bits[0]) * 60 + Number(bits[1]);
  }

  /** Whether an item or text with optional from/until/days/time applies at `now`. */
  function applies(item, now) {
    if (item.from && now.day < item.from) { return false; }
    if (item.until && now.day > item.until) { return false; }
    if (item.days && item.days.length && item.days.indexOf(now.weekday) < 0) { return false; }
    if (item.time) {
      var span = String(item.time).split("-");
      var start = minutesOf(span[0]);
      var end = minutesOf(span[1]);
      var inside = start < end ? (now.minutes >= start && now.minutes < end)
        : (now.minutes >= start || now.minutes < end);
      if (!inside) { return false; }
    }
    return true;
  }

  /* ------------------------------------------------------------------ running texts */
  function RunningTexts(ticker, zone) {
    this.ticker = ticker;
    this.zone = zone || null;
    this.base = "";
    this.texts = [];
    var self = this;
    setInterval(function () { self.apply(); }, 5000);  // schedules start and end on time
  }

  RunningTexts.prototype.setBase = function (text) {
    this.base = typeof text === "string" ? text : "";
    this.apply();
  };

  RunningTexts.prototype.setTexts = function (texts) {
    this.texts = texts || [];
    this.apply();
  };

  RunningTexts.prototype.active = function () {
    var now = hallNow();
    var zone = this.zone;
    return this.texts.filter(function (t) {
      return (!t.zone || !zone || t.zone === zone) && applies(t, now);
    }).map(function (t) { return t.text; });
  };

  RunningTexts.prototype.apply = function () {
    var parts = [];
    if (this.base) { parts.push(this.base); }
    parts = parts.concat(this.active());
    this.ticker.set(parts.join("     •     "));
  };

  /* ------------------------------------------------------------------ slides */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function number(value, digits) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString(S.lang === "en" ? "en-GB" : "id-ID",
      { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function skmSlide(skm) {
    var box = el("div", "slide slide-skm");
    box.appendChild(el("h2", "slide-title", D.t("skm_title")));
    box.appendChild(el("p", "slide-sub", D.t("period") + ": " + (skm.period ? skm.period.label : "")));
    var head = el("div", "skm-head");
    var ikm = el("div", "skm-figure");
    ikm.appendChild(el("span", "skm-label", "IKM"));
    ikm.appendChild(el("strong", "skm-ikm", number(skm.ikm, 2)));
    var grade = el("div", "skm-figure");
    grade.appendChild(el("span", "skm-label", D.t("grade")));
    grade.appendChild(el("strong", "skm-grade", skm.grade || "—"));
    if (skm.grade_text) { grade.appendChild(el("span", "skm-grade-text", skm.grade_text)); }
    var resp = el("div", "skm-figure");
    resp.appendChild(el("span", "skm-label", D.t("respondents")));
    resp.appendChild(el("strong", "skm-resp", String(skm.respondents || 0)));
    head.appendChild(ikm); head.appendChild(grade); head.appendChild(resp);
    box.appendChild(head);
    var grid = el("ol", "skm-elements");
    (skm.elements || []).forEach(function (e, i) {
      var li = el("li", "skm-element");
      li.appendChild(el("span", "skm-el-name", "U" + (i + 1) + " " + e.name));
      li.appendChild(el("span", "skm-el-value", number(e.average, 2)));
      var bar = el("span", "skm-bar");
      var fill = el("span", "skm-fill");
      fill.style.width = e.average ? Math.round(e.average / 4 * 100) + "%" : "0";
      bar.appendChild(fill);
      li.appendChild(bar);
      grid.appendChild(li);
    });
    box.appendChild(grid);
    var notes = skm.follow_up && skm.follow_up.notes;
    if (notes) {
      var follow = el("p", "skm-follow");
      follow.appendChild(el("strong", null, D.t("follow_up") + ": "));
      follow.appendChild(document.createTextNode(notes));
      box.appendChild(follow);
    }
    return box;
  }

  var STANDAR_KEYS = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "pengaduan"];

  function standarSlide(info, prefix) {
    var box = el("div", "slide slide-standar");
    var title = el("h2", "slide-title");
    title.appendChild(el("span", "slide-prefix", prefix));
    title.appendChild(document.createTextNode(" " + (info ? info.service : prefix)));
    box.appendChild(title);
    var list = el("dl", "standar-list");
    var standar = (info && info.standar) || {};
    STANDAR_KEYS.forEach(function (key) {
      if (!standar[key]) { return; }
      var item = el("div", "standar-item");
      item.appendChild(el("dt", null, D.t("std_" + key)));
      item.appendChild(el("dd", null, standar[key]));
      list.appendChild(item);
    });
    if (!list.children.length) { box.appendChild(el("p", "slide-sub", D.t("no_standar"))); }
    box.appendChild(list);
    box.appendChild(el("p", "slide-foot", D.t("more_info") + " /info/" + prefix));
    return box;
  }

  function maklumatSlide(maklumat, media) {
    var box = el("div", "slide slide-maklumat");
    box.appendChild(el("h2", "slide-title", D.t("maklumat")));
    var image = maklumat.media && media[String(maklumat.media)];
    if (image) {
      var img = el("img", "slide-image");
      img.src = image.url;
      img.alt = D.t("maklumat");
      box.appendChild(img);
    }
    if (maklumat.text) { box.appendChild(el("p", "maklumat-text", maklumat.text)); }
    return box;
  }

  /* ------------------------------------------------------------------ the player */
  function Signage(options) {
    this.screen = D.byId("screen");
    this.area = D.byId("media-area");
    this.stage = D.byId("media-stage");
    this.groups = options.groups;
    this.requested = S.layout || "auto";
    this.allowPortrait = options.portrait !== false;
    this.state = S.signage || {};
    this.shown = null;        // key of the item on screen
    this.video = null;
    this.calling = false;
    this.holdTimer = null;
    this.texts = options.ticker ? new RunningTexts(options.ticker, options.zone) : null;
    this.info = { layout: null, item: null, calling: false, group: null, changes: 0 };
    global.__loketSignage = this.info;
    var self = this;
    D.onCallsBusy(function (busy) { self.setCalling(busy); });
    global.addEventListener("resize", function () { self.layout(); });
    setInterval(function () { self.tick(); }, 500);
    this.update(this.state);
  }

  Signage.prototype.playlist = function () {
    var lists = this.state.playlists || {};
    var media = this.state.media || {};
    var now = hallNow();
    for (var i = 0; i < this.groups.length; i += 1) {
      var items = (lists[this.groups[i]] || []).filter(function (item) {
        if (item.media !== undefined && !media[String(item.media)]) { return false; }
        return applies(item, now);
      });
      if (items.length) { return { group: this.groups[i], items: items }; }
    }
    return { group: null, items: [] };
  };

  Signage.prototype.seconds = function (item) {
    if (item.seconds) { return Number(item.seconds); }
    var m = item.media !== undefined && (this.state.media || {})[String(item.media)];
    if (m && m.kind === "video" && m.duration > 0) { return Number(m.duration); }
    return DEFAULT_SECONDS;
  };

  /** The item the group's clock points at now, and how far into it. */
  Signage.prototype.current = function (items) {
    var total = 0;
    var self = this;
    var lengths = items.map(function (item) { var s = self.seconds(item); total += s; return s; });
    if (!total) { return null; }
    var at = (Date.now() / 1000) % total;
    for (var i = 0; i < items.length; i += 1) {
      if (at < lengths[i]) { return { item: items[i], index: i, offset: at, seconds: lengths[i] }; }
      at -= lengths[i];
    }
    return { item: items[0], index: 0, offset: 0, seconds: lengths[0] };
  };

  Signage.prototype.update = function (state) {
    this.state = state || {};
    this.shown = null;  // redraw: the content of the same slide may have changed
    this.info.changes += 1;
    if (this.texts) { this.texts.setTexts(this.state.texts || []); }
    this.tick();
  };

  Signage.prototype.layoutName = function (hasMedia) {
    var portrait = global.innerHeight > global.innerWidth * 1.1;
    if (this.requested === "portrait" || (this.requested === "auto" && portrait)) {
      return this.allowPortrait ? "portrait" : "calls";
    }
    if (this.requested === "calls") { return "calls"; }
    return hasMedia ? "media" : "calls";
  };

  Signage.prototype.layout = function (hasMedia) {
    if (hasMedia === undefined) { hasMedia = !!this.info.item; }
    var name = this.layoutName(hasMedia);
    var show = hasMedia && name !== "calls";
    var root = document.documentElement;
    root.classList.toggle("is-portrait", name === "portrait");
    document.body.classList.remove("layout-calls", "layout-media", "layout-portrait");
    document.body.classList.add("layout-" + name);
    if (this.screen) { this.screen.classList.toggle("has-media", show); }
    if (this.area) { this.area.hidden = !show; }
    this.info.layout = name;
    return show;
  };

  Signage.prototype.tick = function () {
    var found = this.playlist();
    var now = found.items.length ? this.current(found.items) : null;
    this.info.group = found.group;
    var show = this.layout(!!now);
    if (!now || !show) {
      if (this.shown !== null) { this.clear(); }
      this.info.item = now ? now.item : null;
      return;
    }
    var key = found.group + "#" + now.index + ":" + JSON.stringify(now.item);
    this.info.item = now.item;
    if (key === this.shown) { return; }
    this.shown = key;
    this.draw(now);
  };

  Signage.prototype.clear = function () {
    this.stopVideo();
    this.stage.replaceChildren();
    this.shown = null;
  };

  Signage.prototype.stopVideo = function () {
    if (this.video) {
      this.video.pause();
      this.video.removeAttribute("src");
      this.video.load();
      this.video = null;
    }
  };

  Signage.prototype.draw = function (now) {
    var item = now.item;
    var node = null;
    this.stopVideo();
    if (item.media !== undefined) {
      var m = this.state.media[String(item.media)];
      if (m.kind === "image") {
        node = el("img", "media-image");
        node.alt = m.title || "";
        node.src = m.url;
      } else {
        node = this.makeVideo(m, now);
      }
    } else if (item.slide === "skm") {
      node = skmSlide(this.state.skm || {});
    } else if (item.slide === "standar") {
      node = standarSlide((this.state.standar || {})[item.service], item.service);
    } else if (item.slide === "maklumat") {
      node = maklumatSlide(this.state.maklumat || {}, this.state.media || {});
    }
    if (node) { this.stage.replaceChildren(node); }
  };

  Signage.prototype.makeVideo = function (m, now) {
    var video = el("video", "media-video");
    var self = this;
    video.muted = true;          // sound is off unless the hall turns it on, and never in a call
    video.defaultMuted = true;
    video.playsInline = true;
    video.preload = "auto";
    video.loop = now.seconds > (m.duration || 0) + 0.5;
    video.setAttribute("muted", "");
    video.addEventListener("loadedmetadata", function () {
      var offset = now.offset;
      if (video.duration && isFinite(video.duration)) { offset = offset % video.duration; }
      if (offset > 0.5) { video.currentTime = offset; }  // resume where the group is
      self.resumeVideo();
    });
    video.src = m.url;
    this.video = video;
    return video;
  };

  Signage.prototype.resumeVideo = function () {
    var video = this.video;
    if (!video) { return; }
    if (this.calling) {
      video.muted = true;
      video.pause();
      return;
    }
    var sound = global.__loketSound;
    video.muted = !(S.media_sound && !(sound && sound.playing));
    var played = video.play();
    if (played && played.catch) { played.catch(function () { /* autoplay refused */ }); }
  };

  Signage.prototype.setCalling = function (busy) {
    var self = this;
    if (busy) {
      if (this.holdTimer) { clearTimeout(this.holdTimer); this.holdTimer = null; }
      this.calling = true;
      this.info.calling = true;
      if (this.screen) { this.screen.classList.add("is-calling"); }
      if (this.video) { this.video.muted = true; this.video.pause(); }
      return;
    }
    if (this.holdTimer) { return; }
    this.holdTimer = setTimeout(function () {  // the last call stays a moment on its own
      self.holdTimer = null;
      self.calling = false;
      self.info.calling = false;
      if (self.screen) { self.screen.classList.remove("is-calling"); }
      self.shown = null;  // the group's clock moved on while the call had the screen
      self.tick();
    }, HOLD_AFTER_CALLS_MS);
  };

  /** Attach to a screen's socket: ask for the content on every (re)connect, take pushes. */
  Signage.prototype.listen = function (socket) {
    var self = this;
    function ask() {
      socket.emit("signage", {}, function (state) { if (state) { self.update(state); } });
    }
    socket.on("connect", ask);
    if (socket.connected) { ask(); }
    socket.on("signage", function (state) { self.update(state || {}); });
  };

  Signage.prototype.setRunningText = function (text) {
    if (this.texts) { this.texts.setBase(text); }
  };

  D.Signage = Signage;
  D.signageRules = { applies: applies, hallNow: hallNow };
}(window));
