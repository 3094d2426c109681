// Courier app: queue every action on the phone, send it when there is signal.
"use strict";
(function () {
  var KEY = "antar-outbox", SENT = "antar-sent", NOTICE = "antar-notice", body = document.body;
  var pos = null;
  function load(k) { try { return JSON.parse(localStorage.getItem(k)) || []; } catch (e) { return []; } }
  function save(k, v) { localStorage.setItem(k, JSON.stringify(v)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function text(id) { return document.getElementById(id).innerHTML.trim(); }
  function time(iso) { return new Date(iso).toLocaleTimeString(); }
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(function (p) { pos = p.coords; }, function () {}, { maximumAge: 60000 });
  }
  function li(t, cls) { var e = document.createElement("li"); e.textContent = t; if (cls) e.className = cls; return e; }
  function render() {
    var q = load(KEY), s = load(SENT), ul = document.getElementById("outbox-list");
    ul.textContent = "";
    q.forEach(function (a) {
      ul.appendChild(li(a.label + " · " + time(a.device_at) + (a.pending ? " · " + text("t-pending") : "")));
    });
    document.getElementById("outbox-count").textContent = q.length;
    document.getElementById("outbox").hidden = !q.length;
    var sl = document.getElementById("sent-list"); sl.textContent = "";
    s.slice(-3).forEach(function (a) {
      var ok = a.outcome === "applied";
      sl.appendChild(li(a.label + " · " + (ok ? a.notice || text("t-sent") : text("t-refused") + ": " + a.message) + " " + time(a.device_at), ok ? "" : "error"));
    });
    document.getElementById("sent").hidden = !s.length;
    document.getElementById("net").hidden = navigator.onLine;
    var here = body.querySelector("#handover [name=delivery]"), flag = document.getElementById("pending-handover");
    if (flag && here) flag.hidden = !q.some(function (a) { return a.pending && a.fields.delivery === here.value; });
  }
  function compress(file) {
    // Cheap phones, 3G: shrink to at most 1280 px as JPEG before it is stored or sent.
    return new Promise(function (resolve) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var k = Math.min(1, 1280 / Math.max(img.width, img.height)), c = document.createElement("canvas");
        c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url); resolve(c.toDataURL("image/jpeg", 0.6));
      };
      img.onerror = function () { resolve(null); };
      img.src = url;
    });
  }
  function toBlob(dataUrl) {
    var p = dataUrl.split(","), bin = atob(p[1]), a = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
    return new Blob([a], { type: "image/jpeg" });
  }
  function queue(form) {
    var fields = {}, file = null;
    new FormData(form).forEach(function (v, k) { if (v instanceof File) { if (v.size) file = v; } else fields[k] = v; });
    fields.client_id = uuid();
    fields.device_at = new Date().toISOString();
    if (pos) { fields.lat = pos.latitude; fields.lon = pos.longitude; }
    var item = { fields: fields, label: form.dataset.label, device_at: fields.device_at, pending: !!form.dataset.pending, next: fields.next };
    return (file ? compress(file) : Promise.resolve(null)).then(function (photo) {
      item.photo = photo;
      var q = load(KEY); q.push(item); save(KEY, q); render();
    });
  }
  // The answer to what was just tapped on this page: a refusal stays on the page, in red,
  // with everything typed and the photo chosen still in the form; a success says so.
  function answer(res) {
    var alert = document.getElementById("alert"), notice = document.getElementById("notice");
    sessionStorage.removeItem(NOTICE);
    alert.textContent = res && res.outcome !== "applied" ? res.message : "";
    alert.hidden = !alert.textContent;
    notice.textContent = res && res.outcome === "applied" ? res.notice || "" : "";
    notice.hidden = !notice.textContent;
    if (!alert.hidden) alert.scrollIntoView({ block: "center" });
  }
  var busy = false, goTo = null, refused = null, last = null;
  function flush(reload) {
    if (busy) return Promise.resolve(); busy = true;
    function next() {
      var q = load(KEY);
      if (!q.length) return Promise.resolve();
      var a = q[0], fd = new FormData();
      Object.keys(a.fields).forEach(function (k) { fd.append(k, a.fields[k]); });
      if (a.photo) fd.append("photo", toBlob(a.photo), "photo.jpg");
      return fetch(body.dataset.action, {
        method: "POST", body: fd, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": a.fields.csrfmiddlewaretoken }
      }).then(function (r) {
        // Logged out (redirect to login), CSRF or server trouble: keep it and retry later.
        if (r.redirected || r.status === 403 || r.status >= 500) throw new Error("retry");
        return r.json().catch(function () { return { outcome: "refused", message: String(r.status) }; });
      }).then(function (res) {
        goTo = a.next; last = res;
        if (res.outcome !== "applied") refused = res;
        var q2 = load(KEY).filter(function (x) { return x.fields.client_id !== a.fields.client_id; });
        save(KEY, q2);
        var s = load(SENT); s.push({ label: a.label, outcome: res.outcome, message: res.message || "", notice: res.notice || "", device_at: a.device_at }); save(SENT, s.slice(-10));
        render(); return next();
      });
    }
    refused = null;
    return next().then(function () {
      busy = false;
      if (refused) { answer(refused); return; }
      if (last && last.notice) sessionStorage.setItem(NOTICE, last.notice);
      if (reload && goTo) location.href = goTo; else answer(last);
    },
      function () { busy = false; render(); });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("act")) return;
    ev.preventDefault();
    queue(form).then(function () { if (navigator.onLine) flush(true); });
  });
  window.addEventListener("online", function () { render(); flush(true); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine && load(KEY).length) flush(true); }, 15000);
  render();
  if (sessionStorage.getItem(NOTICE)) answer({ outcome: "applied", notice: sessionStorage.getItem(NOTICE) });
  if (load(KEY).length && navigator.onLine) flush(true);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.action.replace(/aksi\/$/, "") }).then(function () {
      // Keep today's stops in the cache so the manifest opens without signal.
      document.querySelectorAll("a.stop-link").forEach(function (a) { fetch(a.href, { credentials: "same-origin" }).catch(function () {}); });
    }).catch(function () {});
  }
})();
