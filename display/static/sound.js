/* Loket wall screens: optional in-browser sound, for halls without a PA system. Loaded after
 * display-core.js; adds LoketDisplay.SoundPlayer. */
(function (global) {
  "use strict";

  var D = global.LoketDisplay;
  var settings = D.settings;
  var t = D.t;
  var byId = D.byId;
  var setText = D.setText;

  var SOUND_KEY = "loket.display.sound";
  var MAX_SOUND_AGE_MS = 60000;

  function remembered() {
    try { return global.localStorage.getItem(SOUND_KEY) === "1"; } catch (err) { return false; }
  }

  function remember(on) {
    try { global.localStorage.setItem(SOUND_KEY, on ? "1" : "0"); } catch (err) { /* private */ }
  }

  /** Optional in-browser sound: the hub's chime and announcement per call, one after another.
   * Off until someone presses "Aktifkan suara" once (browsers block autoplay). */
  function SoundPlayer(audio) {
    this.urls = audio || {};
    this.enabled = false;
    this.queue = [];
    this.playing = false;
    this.button = byId("sound-btn");
    this.label = byId("sound-label");
    this.played = [];
    global.__loketSound = this;
    var self = this;
    if (this.button) {
      this.button.addEventListener("click", function () {
        if (self.enabled) { self.disable(); } else { self.enable(true); }
      });
    }
    if (settings.sound || remembered()) {
      this.tryAutoplay();
    } else {
      this.showButton();
    }
  }

  SoundPlayer.prototype.showButton = function () {
    if (!this.button) { return; }
    this.button.classList.toggle("is-on", this.enabled);
    setText(this.label, this.enabled ? t("sound_on") : t("enable_sound"));
    this.button.hidden = false;
  };

  SoundPlayer.prototype.tryAutoplay = function () {
    var policy = navigator.getAutoplayPolicy ? navigator.getAutoplayPolicy("mediaelement") : "";
    if (policy === "allowed" || policy === "") {
      this.enable(false);  // without the policy API, the first blocked play() tells
    } else {
      this.showButton();  // needs the one-time click
    }
  };

  SoundPlayer.prototype.enable = function (clicked) {
    this.enabled = true;
    if (clicked) { remember(true); }
    this.showButton();
    this.pump();
  };

  SoundPlayer.prototype.disable = function () {
    this.enabled = false;
    this.queue = [];
    remember(false);
    this.showButton();
  };

  SoundPlayer.prototype.push = function (call) {
    if (!this.enabled) { return; }
    this.queue.push({ call: call, at: Date.now() });
    this.pump();
  };

  SoundPlayer.prototype.pump = function () {
    var self = this;
    if (this.playing || !this.enabled) { return; }
    var item = this.queue.shift();
    while (item && Date.now() - item.at > MAX_SOUND_AGE_MS) { item = this.queue.shift(); }
    if (!item) { return; }
    this.playing = true;
    this.playCall(item.call).then(function (url) {
      self.played.push({ id: item.call.id, url: url });
    }, function () {
      // The browser refused to play without a click: ask for it, keep the page running.
      self.enabled = false;
      self.queue = [];
      self.showButton();
    }).finally(function () {
      self.playing = false;
      self.pump();
    });
  };

  /** Resolves with the URL played ("" when silent); rejects only when autoplay is blocked. */
  SoundPlayer.prototype.playCall = function (call) {
    var self = this;
    var first = (this.urls.call || "/audio/calls/") + encodeURIComponent(call.id);
    function blocked(err) { return err && err.name === "NotAllowedError"; }
    return self.playUrl(first).catch(function (err) {
      if (blocked(err)) { throw err; }
      return self.playUrl(self.urls.chime || "/audio/chime.wav");
    }).catch(function (err) {
      if (blocked(err)) { throw err; }
      return "";  // no announcement and no chime: stay silent
    });
  };

  function fetchWithTimeout(url, ms) {
    var controller = global.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, ms);
    return fetch(url, { cache: "no-store", signal: controller ? controller.signal : undefined })
      .finally(function () { clearTimeout(timer); });
  }

  SoundPlayer.prototype.playUrl = function (url) {
    return fetchWithTimeout(url, 8000).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("audio") !== 0) {
        throw new Error("no audio at " + url + " (" + response.status + ")");
      }
      return response.blob();
    }).then(function (blob) {
      return new Promise(function (resolve, reject) {
        var src = URL.createObjectURL(blob);
        var audio = new Audio(src);
        var guard = setTimeout(function () { finish(null); }, 60000);
        function finish(err) {
          clearTimeout(guard);
          audio.onended = audio.onerror = null;
          URL.revokeObjectURL(src);
          if (err) { reject(err); } else { resolve(url); }
        }
        audio.onended = function () { finish(null); };
        audio.onerror = function () { finish(new Error("cannot decode " + url)); };
        var started = audio.play();
        if (started && started.catch) { started.catch(function (err) { finish(err); }); }
      });
    });
  };

  D.SoundPlayer = SoundPlayer;
}(window));
