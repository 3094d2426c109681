/* Leaflet maps of the dispatcher console. Tiles come from MAP_TILE_URL; when they
   cannot load (no internet) the map falls back to a plain background with the
   service area's districts, so routes and stops still show. */
window.AntarMap = (function () {
  "use strict";
  var OFFLINE_AFTER_MS = 4000;

  function config() {
    return JSON.parse(document.getElementById("map-config").textContent);
  }

  function districtLayer(districts) {
    return L.layerGroup(districts.map(function (d) {
      return L.circle([d.lat, d.lon], {
        radius: 4000, color: "#7a8799", weight: 1, dashArray: "4 3",
        fillColor: "#dfe6ee", fillOpacity: 0.35, interactive: false
      }).bindTooltip(d.name, {
        permanent: true, direction: "center", className: "district-label"
      });
    }));
  }

  function base(id) {
    var cfg = config();
    var el = document.getElementById(id);
    var map = L.map(el, {zoomSnap: 0.5}).setView([-0.9, 101.1], 9);
    var districts = districtLayer(cfg.districts);
    var tiles = L.tileLayer(cfg.tile_url, {
      maxZoom: 18, attribution: "&copy; OpenStreetMap"
    });
    var loaded = false;
    var offline = false;
    function goOffline() {
      if (loaded || offline) { return; }
      offline = true;
      map.removeLayer(tiles);
      districts.addTo(map);
      el.classList.add("offline");
      el.setAttribute("data-tiles", "offline");
    }
    tiles.on("tileload", function () {
      loaded = true;
      el.setAttribute("data-tiles", "online");
    });
    tiles.on("tileerror", goOffline);
    tiles.addTo(map);
    window.setTimeout(goOffline, OFFLINE_AFTER_MS);
    return map;
  }

  function numberIcon(text, color, square) {
    return L.divIcon({
      className: "stop-icon",
      html: '<span class="' + (square ? "depot" : "num") + '" style="background:' +
        color + '">' + text + "</span>",
      iconSize: [24, 24], iconAnchor: [12, 12]
    });
  }

  function drawPlan(id, data) {
    var map = base(id);
    var depot = [data.depot.lat, data.depot.lon];
    var bounds = L.latLngBounds([depot]);
    L.marker(depot, {icon: numberIcon("K", "#222", true), zIndexOffset: 1000})
      .bindTooltip(data.depot.name).addTo(map);
    data.routes.forEach(function (route) {
      // A route starts and ends at its courier's base: the office, a depot or a pin.
      var start = route.base ? [route.base[1], route.base[2]] : depot;
      if (start[0] !== depot[0] || start[1] !== depot[1]) {
        bounds.extend(start);
        L.marker(start, {icon: numberIcon("B", route.color, true), zIndexOffset: 900})
          .bindTooltip(route.courier + ": " + route.base[0]).addTo(map);
      }
      var line = [start];
      route.stops.forEach(function (s) {
        var point = [s[0], s[1]];
        line.push(point);
        bounds.extend(point);
        L.marker(point, {icon: numberIcon(s[2], route.color)})
          .bindTooltip(route.courier + " #" + s[2] + "<br>" + s[3]).addTo(map);
      });
      line.push(start);
      L.polyline(line, {color: route.color, weight: 4, opacity: 0.85}).addTo(map);
    });
    map.fitBounds(bounds.pad(0.15));
    document.getElementById(id).setAttribute("data-drawn", "1");
    return map;
  }

  function pinPicker(id, latId, lonId) {
    var map = base(id);
    var lat = document.getElementById(latId);
    var lon = document.getElementById(lonId);
    var marker = null;
    function place(point) {
      if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
    }
    if (lat.value && lon.value) {
      var start = [parseFloat(lat.value), parseFloat(lon.value)];
      place(start);
      map.setView(start, 12);
    }
    map.on("click", function (e) {
      place(e.latlng);
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      var village = document.getElementById("id_village_code");
      if (village) { village.value = ""; }
    });
    return map;
  }

  return {base: base, drawPlan: drawPlan, pinPicker: pinPicker};
}());
