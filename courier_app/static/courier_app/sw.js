// Service worker of the courier app: network first, the last good copy when offline.
"use strict";
var CACHE = "antar-kurir-v1";
var SCOPE = new URL(self.registration.scope).pathname; // /kurir/ or /en/kurir/
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
function cacheable(url) {
  return url.origin === self.location.origin &&
    (url.pathname.indexOf("/static/courier_app/") === 0 ||
     (url.pathname.indexOf(SCOPE) === 0 && url.pathname.indexOf(SCOPE + "foto/") !== 0));
}
self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || !cacheable(url)) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok && !res.redirected) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) { return hit || caches.match(SCOPE); });
  }));
});
