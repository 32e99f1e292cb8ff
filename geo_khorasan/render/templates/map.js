/* geo_khorasan map: draws the features of the #gk-data block and builds the
   popups and controls. Article text only ever reaches the page through
   textContent, never innerHTML. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("gk-data").textContent);
  var KINDS = ["incidents", "regions", "mentions"];
  var POPUP = { maxWidth: 380, minWidth: 240, maxHeight: 420, autoPanPadding: [30, 30] };
  var records = { incidents: [], regions: [], mentions: [] };
  var holders = {};   // kind -> the layer group its features are drawn into
  var groups = {};    // kind -> its entry in the layer switcher
  var filter = { doc: "", text: "", from: null, to: null, undated: true, types: null };
  var focusMention = null;
  var resetters = [];     // put a filter control back to showing everything
  var filtered = [];      // told the new counts after each filtering  // its source is emphasised in the popup opened from a link

  function el(tag, className, text, parent) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (parent) parent.appendChild(node);
    return node;
  }

  function isHttp(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }

  function link(parent, href, text, external) {
    var a = el("a", null, text, parent);
    a.setAttribute("href", href);
    if (external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function facts(parent, rows) {
    var dl = el("dl", null, null, parent);
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") return;
      el("dt", null, row[0], dl);
      el("dd", null, row[1], dl);
    });
  }

  function count(n) {
    return n === null || n === undefined ? "unknown" : n;
  }

  function quote(parent, q) {
    var item = el("li", "gk-source", null, parent);
    if (q.mention_id && q.mention_id === focusMention) item.className += " gk-focus";
    var block = el("blockquote", null, null, item);
    var s = q.sentence || "";
    if (q.mark) {
      block.appendChild(document.createTextNode(s.slice(0, q.mark[0])));
      el("mark", null, s.slice(q.mark[0], q.mark[1]), block);
      block.appendChild(document.createTextNode(s.slice(q.mark[1])));
    } else {
      block.textContent = s;
    }
    if (q.cue) el("div", "gk-cue", "cue: " + q.cue, item);
    var cite = el("div", "gk-cite", null, item);
    el("cite", null, q.title, cite);
    var more = [q.outlet, q.date].filter(Boolean).join(", ");
    if (more) cite.appendChild(document.createTextNode(" \u2014 " + more));
    if (q.citation) el("div", "gk-citation", q.citation, item);
    var links = el("div", "gk-links", null, item);
    if (isHttp(q.href)) link(links, q.href, "article", true);
    else if (q.url_text) el("span", "gk-url", q.url_text, links);
    link(links, q.source_href, "sentence in the source text", false);
  }

  function quotes(parent, heading, list) {
    el("h4", null, heading + " (" + list.length + ")", parent);
    var ol = el("ol", "gk-sources", null, parent);
    list.forEach(function (q) { quote(ol, q); });
  }

  function correction(parent, f) {
    if (!f.correction) return;
    var box = el("div", "gk-correction", null, parent);
    el("strong", null, "Analyst correction", box);
    el("p", null, f.correction, box);
  }

  function incidentPopup(f) {
    var root = el("div", "gk-popup gk-popup-incident");
    el("h3", null, f.type, root);
    correction(root, f);
    facts(root, [
      ["Date", f.date || "unknown"],
      ["Killed", count(f.fatalities)],
      ["Injured", count(f.injured)],
      ["Actor", f.actor],
      ["Place", f.place],
      ["Precision", f.precision_words]
    ]);
    if (f.approx) {
      el("p", "gk-approx-note", "Drawn hollow: the article places this only to an area, not to an exact point" +
        (f.area ? " (outlined on the map)." : "."), root);
    }
    quotes(root, "Sources", f.sources);
    if (f.rules && f.rules.length) {
      var details = el("details", null, null, root);
      el("summary", null, "How this incident was coded", details);
      var list = el("ul", null, null, details);
      f.rules.forEach(function (r) { el("li", null, r, list); });
    }
    return root;
  }

  function evidence(f) {
    return f.claim_count + (f.claim_count === 1 ? " claim" : " claims") +
      ", newest " + (f.latest || "undated");
  }

  function regionPopup(f) {
    var root = el("div", "gk-popup gk-popup-region");
    el("h3", null, f.place || "region", root);
    correction(root, f);
    facts(root, [["Status", f.status], ["Level", f.level], ["Evidence", evidence(f)]]);
    quotes(root, "Claims, newest first", f.claims);
    return root;
  }

  function mentionPopup(f) {
    var root = el("div", "gk-popup gk-popup-mention");
    el("h3", null, f.place || "place", root);
    correction(root, f);
    facts(root, [["Role", f.role], ["Precision", f.precision_words], ["Country", f.country]]);
    quotes(root, "Mention", [f.quote]);
    var details = el("details", null, null, root);
    el("summary", null, "How this place was chosen", details);
    facts(details, [["Rule", f.rule], ["Note", f.note], ["Place id", f.place_id]]);
    if (f.candidates.length) {
      var table = el("table", null, null, details);
      var head = el("tr", null, null, table);
      ["Candidate", "Country", "Level", "Score", "Why"].forEach(function (h) { el("th", null, h, head); });
      f.candidates.forEach(function (c) {
        var row = el("tr", null, null, table);
        [c.place, c.country, c.level, c.score, c.why].forEach(function (v) { el("td", null, v, row); });
      });
    }
    return root;
  }

  function keep(kind, f, layer, popup) {
    layer.bindPopup(function () { return popup(f); }, POPUP);
    layer.gkRecord = { kind: kind, id: f.id };
    records[kind].push({
      kind: kind,
      id: f.id,
      layer: layer,
      docs: f.docs,
      place: (f.place || "").toLowerCase(),
      mentionIds: f.mention_ids || [],
      type: kind === "incidents" ? f.type : null,
      t0: kind === "incidents" ? f.t0 : null,
      t1: kind === "incidents" ? f.t1 : null
    });
  }

  function addAll(kind) {
    var holder = holders[kind];
    var layers = records[kind].map(function (r) { r.shown = true; return r.layer; });
    if (holder.addLayers) holder.addLayers(layers);  // markercluster clusters a batch at once
    else layers.forEach(function (layer) { holder.addLayer(layer); });
  }

  // The area an approximately located incident stands for, outlined while the
  // pointer is over its marker or its popup is open.
  var outline = null;
  function outlineOnHover(map, layer, f) {
    var popupOpen = false;
    function show() {
      hide();
      outline = L.geoJSON({ type: "Feature", geometry: data.areas[f.area], properties: {} }, {
        className: "gk-area-outline", interactive: false,
        style: { color: f.color, weight: 2, dashArray: "6 4", fillColor: f.color, fillOpacity: 0.08 }
      }).addTo(map);
      outline.gkFor = layer;
    }
    function hide() {
      if (outline) map.removeLayer(outline);
      outline = null;
    }
    layer.on("mouseover", show);
    layer.on("mouseout", function () { if (!popupOpen && outline && outline.gkFor === layer) hide(); });
    layer.on("popupopen", function () { popupOpen = true; show(); });
    layer.on("popupclose", function () {
      popupOpen = false;
      if (outline && outline.gkFor === layer) hide();
    });
  }

  var draw = {
    countries: function (holder) {
      if (!data.basemap.countries.length) return;
      L.geoJSON(data.basemap.countries, {
        pane: "gkLand", className: "gk-country", interactive: false,
        style: { color: "#6b6b6b", weight: 1.2, fillColor: "#fbfaf5", fillOpacity: 1 }
      }).addTo(holder);
    },
    provinces: function (holder) {
      if (!data.basemap.provinces.length) return;
      L.geoJSON(data.basemap.provinces, {
        className: "gk-province", interactive: false,
        style: { color: "#9a9a9a", weight: 0.7, dashArray: "3 3", fill: false }
      }).addTo(holder);
    },
    towns: function (holder) {
      data.basemap.towns.forEach(function (t) {
        var town = data.styles.town;
        L.circleMarker([t.lat, t.lon], {
          className: "gk-town", interactive: false, radius: town.radius,
          color: town.color, weight: town.weight, fillColor: town.fillColor, fillOpacity: town.fillOpacity
        }).bindTooltip(el("span", null, t.name), {
          permanent: true, direction: "right", offset: [4, 0], className: "gk-town-label"
        }).addTo(holder);
      });
    },
    incidents: function (holder, map) {
      holders.incidents = L.markerClusterGroup({
        maxClusterRadius: 30, showCoverageOnHover: false, disableClusteringAtZoom: 10,
        // Animated re-clustering makes zoomToShowLayer drop its callback after a setView.
        animate: false
      }).addTo(holder);
      data.incidents.forEach(function (f) {
        var look = f.approx ? data.styles.approximate : data.styles.exact;
        var layer = L.circleMarker([f.lat, f.lon], {
          className: "gk-incident" + (f.approx ? " gk-approximate" : ""),
          radius: f.radius,
          color: f.approx ? f.color : look.color,
          weight: look.weight,
          dashArray: look.dashArray || null,
          fillColor: f.color,
          fillOpacity: look.fillOpacity
        });
        keep("incidents", f, layer, incidentPopup);
        if (f.area) outlineOnHover(map, layer, f);
      });
    },
    regions: function (holder) {
      holders.regions = holder;
      data.regions.forEach(function (f) {
        var style = {
          className: "gk-region", pane: "gkRegions", color: f.color,
          weight: 1.5, fillColor: f.color, fillOpacity: f.opacity
        };
        var layer;
        if (f.geometry) {
          layer = L.GeoJSON.geometryToLayer({ type: "Feature", geometry: f.geometry, properties: {} }, style);
        } else {
          style.radius = 9;
          style.dashArray = "3 3";
          style.fillOpacity = Math.min(f.opacity + 0.15, 0.75);
          layer = L.circleMarker([f.lat, f.lon], style);
        }
        layer.bindTooltip(el("span", null, (f.place || "area") + " \u2014 " + f.status + " (" + evidence(f) + ")"),
          { sticky: true, className: "gk-region-tip" });
        keep("regions", f, layer, regionPopup);
      });
    },
    mentions: function (holder) {
      holders.mentions = holder;
      data.mentions.forEach(function (f) {
        var layer = L.circleMarker([f.lat, f.lon], {
          className: "gk-mention", radius: 4, color: "#555", weight: 1, opacity: 0.6,
          fillColor: "#888", fillOpacity: 0.35
        });
        keep("mentions", f, layer, mentionPopup);
      });
    }
  };

  function matches(record) {
    if (filter.doc && record.docs.indexOf(filter.doc) < 0) return false;
    if (filter.text && record.place.indexOf(filter.text) < 0) return false;
    if (record.kind !== "incidents") return true;
    if (filter.types && !filter.types[record.type]) return false;
    if (record.t0 === null || record.t0 === undefined) return filter.undated;
    if (filter.from !== null && record.t1 < filter.from) return false;
    return filter.to === null || record.t0 <= filter.to;
  }

  // Only the markers whose state changes are added or removed: moving a slider by a
  // month touches a few of 10,000. A large change re-clusters the whole set at once,
  // which markercluster does faster than removing thousands one by one.
  function applyFilter() {
    var counts = {};
    KINDS.forEach(function (kind) {
      var holder = holders[kind];
      var list = records[kind];
      var shown = [], add = [], remove = [];
      list.forEach(function (r) {
        var show = matches(r);
        if (show) shown.push(r.layer);
        if (show !== r.shown) (show ? add : remove).push(r);
      });
      counts[kind] = shown.length;
      if (!holder || !(add.length || remove.length)) return;
      if (remove.length > list.length / 5) {
        holder.clearLayers();
        if (holder.addLayers) holder.addLayers(shown);
        else shown.forEach(function (layer) { holder.addLayer(layer); });
      } else {
        var layers = function (rs) { return rs.map(function (r) { return r.layer; }); };
        if (holder.removeLayers) holder.removeLayers(layers(remove));
        else remove.forEach(function (r) { holder.removeLayer(r.layer); });
        if (holder.addLayers) holder.addLayers(layers(add));
        else add.forEach(function (r) { holder.addLayer(r.layer); });
      }
      add.forEach(function (r) { r.shown = true; });
      remove.forEach(function (r) { r.shown = false; });
    });
    window.gkCounts = counts;
    filtered.forEach(function (tell) { tell(counts); });
    return counts;
  }

  function shownCounts() {
    var counts = {};
    KINDS.forEach(function (kind) {
      counts[kind] = records[kind].filter(function (r) { return holders[kind].hasLayer(r.layer); }).length;
    });
    return counts;
  }

  function control(position, build) {
    var Control = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var box = L.DomUtil.create("div", "");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        build(box);
        return box;
      }
    });
    return new Control();
  }

  function summary(counts) {
    return counts.incidents + " incidents \u00b7 " + counts.regions + " areas \u00b7 " +
      counts.mentions + " place mentions";
  }

  function monthLabel(m) {
    var month = (m % 12) + 1;
    return Math.floor(m / 12) + "-" + (month < 10 ? "0" : "") + month;
  }

  function checkbox(parent, className, checked, text) {
    var label = el("label", className, null, parent);
    var input = el("input", null, null, label);
    input.type = "checkbox";
    input.checked = checked;
    if (text !== undefined) el("span", null, text, label);
    return { label: label, input: input };
  }

  // From/to sliders over the months of the incident dates, and undated incidents on or off.
  function timeControl(parent, update) {
    var t = data.time;
    filter.from = t.min;
    filter.to = t.max;
    var box = el("fieldset", "gk-time", null, parent);
    el("legend", null, "When", box);
    var shown = el("div", "gk-time-range", null, box);
    function slider(name, value) {
      var label = el("label", "gk-time-" + name, null, box);
      el("span", null, name === "from" ? "From" : "To", label);
      var input = el("input", "gk-" + name, null, label);
      input.type = "range";
      input.min = t.min;
      input.max = t.max;
      input.step = 1;
      input.value = value;
      input.disabled = t.min === t.max;
      input.setAttribute("aria-label", (name === "from" ? "Incidents from " : "Incidents up to ") + "month");
      return input;
    }
    var from = slider("from", t.min);
    var to = slider("to", t.max);
    function label() {
      shown.textContent = monthLabel(filter.from) + " \u2013 " + monthLabel(filter.to);
      from.setAttribute("aria-valuetext", monthLabel(filter.from));
      to.setAttribute("aria-valuetext", monthLabel(filter.to));
    }
    function changed(moved) {
      var a = parseInt(from.value, 10), b = parseInt(to.value, 10);
      if (a > b) {  // the handles push each other rather than cross
        if (moved === from) b = a; else a = b;
        from.value = a;
        to.value = b;
      }
      filter.from = a;
      filter.to = b;
      label();
      update();
    }
    from.addEventListener("input", function () { changed(from); });
    to.addEventListener("input", function () { changed(to); });
    label();
    var undated = null;
    if (t.undated) {
      undated = checkbox(box, "gk-undated", true, "undated incidents (" + t.undated + ")");
      undated.input.addEventListener("change", function () {
        filter.undated = undated.input.checked;
        update();
      });
    }
    resetters.push(function () {
      from.value = filter.from = t.min;
      to.value = filter.to = t.max;
      filter.undated = true;
      if (undated) undated.input.checked = true;
      label();
    });
  }

  // One checkbox per incident type, with its colour: the legend of the markers too.
  function typeControl(parent, update) {
    filter.types = {};
    var box = el("fieldset", "gk-types", null, parent);
    el("legend", null, "Incident types", box);
    var inputs = [];
    data.legend.types.forEach(function (t) {
      filter.types[t.label] = true;
      var row = checkbox(box, "gk-type", true);
      row.input.value = t.label;
      el("span", "gk-swatch", null, row.label).style.background = t.color;
      el("span", null, t.label + " (" + t.count + ")", row.label);
      row.input.addEventListener("change", function () {
        filter.types[t.label] = row.input.checked;
        update();
      });
      inputs.push(row.input);
    });
    resetters.push(function () {
      inputs.forEach(function (input) {
        input.checked = true;
        filter.types[input.value] = true;
      });
    });
    if (inputs.length > 2) {
      var buttons = el("div", "gk-type-buttons", null, box);
      [["all", true], ["none", false]].forEach(function (b) {
        var button = el("button", null, b[0], buttons);
        button.type = "button";
        button.addEventListener("click", function () {
          inputs.forEach(function (input) {
            input.checked = b[1];
            filter.types[input.value] = b[1];
          });
          update();
        });
      });
    }
  }

  function countsText(d) {
    var parts = [];
    [["incidents", "incident"], ["regions", "area"], ["mentions", "mention"]].forEach(function (k) {
      var n = d[k[0]];
      if (n !== null && n !== undefined) parts.push(n + " " + k[1] + (n === 1 ? "" : "s"));
    });
    return parts.join(" \u00b7 ");
  }

  // Every document: title, outlet, date, counts, and links to its map, its text and the article.
  function documentList(parent) {
    var docs = data.documents;
    var details = el("details", "gk-doclist", null, parent);
    el("summary", null, "Documents (" + docs.length + ")", details);
    var list = el("ol", null, null, details);
    docs.forEach(function (d) {
      var item = el("li", null, null, list);
      item.setAttribute("data-doc", d.id);
      el("div", "gk-doc-title", d.title, item);
      var meta = [d.outlet, d.date || "undated"].filter(Boolean).join(", ");
      el("div", "gk-doc-meta", meta, item);
      el("div", "gk-doc-counts", countsText(d), item);
      var links = el("div", "gk-links", null, item);
      if (d.map_href) link(links, d.map_href, "map", false).className = "gk-doc-map";
      link(links, d.source_href, "text", false).className = "gk-doc-source";
      if (isHttp(d.href)) link(links, d.href, "article", true).className = "gk-doc-article";
    });
  }

  function panel(map) {
    control("topright", function (box) {
      box.className = "gk-panel";
      el("h1", null, data.title, box);
      var line = el("div", "gk-summary", summary(shownCounts()), box);
      var docs = data.documents;
      var nav = el("div", "gk-nav", null, box);
      if (data.links.index) link(nav, data.links.index, "Map of all documents", false).className = "gk-index-link";
      if (docs.length === 1) link(nav, docs[0].source_href, "Read the article text", false);
      if (data.links.documents) link(nav, data.links.documents, "Table of documents", false).className = "gk-documents-link";
      if (!nav.firstChild) box.removeChild(nav);
      if (docs.length > 1) {
        var docLabel = el("label", null, "Document", box);
        var select = el("select", "gk-doc-filter", null, docLabel);
        el("option", null, "All " + docs.length + " documents", select).value = "";
        docs.forEach(function (d) {
          var text = d.title + (d.date ? " (" + d.date + ")" : "");
          el("option", null, text, select).value = d.id;
        });
        select.addEventListener("change", function () {
          filter.doc = select.value;
          update();
        });
      }
      var searchLabel = el("label", null, "Find a place", box);
      var input = el("input", "gk-search", null, searchLabel);
      input.type = "search";
      input.placeholder = "e.g. Kabul";
      var status = el("div", "gk-status", null, box);
      input.addEventListener("input", function () {
        filter.text = input.value.trim().toLowerCase();
        update();
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") zoomToShown(map);
      });
      if (data.incidents.length) {
        var filters = el("details", "gk-filters", null, box);
        filters.open = window.innerHeight > 560;
        el("summary", null, "Filter incidents", filters);
        if (data.time) timeControl(filters, update);
        typeControl(filters, update);
      }
      if (docs.length > 1) documentList(box);
      filtered.push(function (counts) {
        line.textContent = summary(counts);
        status.textContent = filter.text ? counts.incidents + counts.regions + counts.mentions + " matching features" : "";
      });
      function update() {
        map.closePopup();
        applyFilter();
      }
    }).addTo(map);
  }

  // The map fills the window already; full screen also hides the browser's own bars.
  function fullscreen(map) {
    var container = map.getContainer();
    if (!container.requestFullscreen || !document.exitFullscreen) return;
    control("topleft", function (box) {
      box.className = "leaflet-bar gk-fullscreen";
      var button = el("button", "gk-fullscreen-button", null, box);
      button.type = "button";
      function state() {
        var on = document.fullscreenElement === container;
        button.classList.toggle("gk-on", on);
        button.title = on ? "Leave full screen" : "Full screen";
        button.setAttribute("aria-label", button.title);
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
      button.addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen();
        else container.requestFullscreen().catch(function () {});
      });
      document.addEventListener("fullscreenchange", function () {
        state();
        map.invalidateSize();
      });
      state();
    }).addTo(map);
  }

  // Top left, under the zoom: the whole data, far points (outside the theatre) included.
  function fitAll(map) {
    control("topleft", function (box) {
      box.className = "leaflet-bar gk-fitall";
      var button = el("button", "gk-fitall-button", "\u2922", box);
      button.type = "button";
      button.title = "Fit all: show every feature, far ones included";
      button.setAttribute("aria-label", button.title);
      button.addEventListener("click", function () {
        if (!zoomToShown(map, { maxZoom: 9, animate: false })) map.fitBounds(data.all_bounds, { animate: false });
      });
    }).addTo(map);
  }

  function zoomToShown(map, options) {
    var bounds = L.latLngBounds([]);
    KINDS.forEach(function (kind) {
      records[kind].forEach(function (r) {
        if (!holders[kind].hasLayer(r.layer)) return;
        bounds.extend(r.layer.getBounds ? r.layer.getBounds() : r.layer.getLatLng());
      });
    });
    if (!bounds.isValid()) return false;
    map.fitBounds(bounds, L.extend({ padding: [24, 24], maxZoom: 9 }, options || {}));
    return true;
  }

  function legend(map) {
    control("bottomleft", function (box) {
      box.className = "gk-legend";
      var details = el("details", null, null, box);
      details.open = window.innerWidth > 600;  // on a phone the legend would hide the map
      el("summary", null, "Legend", details);
      if (data.incidents.length) {
        el("h2", null, "Incidents", details);
        var notes = el("ul", null, null, details);
        var solid = el("li", null, null, notes);
        el("span", "gk-swatch", null, solid).style.background = "#888";
        el("span", null, "filled: an exact place, or near one", solid);
        var hollow = el("li", null, null, notes);
        el("span", "gk-swatch gk-hollow", null, hollow);
        el("span", null, "hollow, dashed: located only to a district or vaguer (hover to see the area)", hollow);
        el("li", null, "circle size: number killed", notes);
        var types = el("ul", "gk-legend-types", null, details);
        data.legend.types.forEach(function (t) {
          var li = el("li", null, null, types);
          li.setAttribute("data-type", t.label);
          el("span", "gk-swatch", null, li).style.background = t.color;
          el("span", null, t.label, li);
        });
      }
      if (data.basemap.towns.length) {
        el("h2", null, "Basemap", details);
        var base = el("ul", null, null, details);
        var town = el("li", "gk-legend-town", null, base);
        var dot = el("span", "gk-swatch gk-town-swatch", null, town);
        dot.style.background = data.styles.town.fillColor;
        dot.style.borderColor = data.styles.town.color;
        el("span", null, "town (a place name, not an incident)", town);
      }
      if (data.legend.statuses.length) {
        el("h2", null, "IS-K areas by claimed status", details);
        var statuses = el("ul", null, null, details);
        data.legend.statuses.forEach(function (s) {
          var li = el("li", null, null, statuses);
          el("span", "gk-swatch gk-square", null, li).style.background = s.color;
          el("span", null, s.label, li);
        });
        el("p", "gk-legend-note", "More opaque: more claims. Hover an area for its claims and the newest date.", details);
      }
    }).addTo(map);
  }

  function attribution(map) {
    // Already HTML-escaped in Python: Leaflet inserts attributions as HTML.
    if (data.attribution) map.attributionControl.addAttribution(data.attribution);
  }

  function hashValue(id) {
    return encodeURIComponent(id).replace(/%3A/g, ":");  // as the source pages write it
  }

  function parseHash() {
    var m = /^#([imr])=(.+)$/.exec(window.location.hash);
    if (!m) return null;
    try {
      return { kind: m[1], id: decodeURIComponent(m[2]) };
    } catch (e) {
      return null;
    }
  }

  function byId(kind, id) {
    return records[kind].filter(function (r) { return r.id === id; })[0];
  }

  function bySource(kind, mentionId) {
    return records[kind].filter(function (r) { return r.mentionIds.indexOf(mentionId) >= 0; })[0];
  }

  function findTarget(target) {
    if (target.kind === "i") return byId("incidents", target.id);
    if (target.kind === "r") return byId("regions", target.id);
    return bySource("incidents", target.id) || bySource("regions", target.id) || byId("mentions", target.id);
  }

  function reveal(map, record) {
    if (!map.hasLayer(groups[record.kind])) map.addLayer(groups[record.kind]);
    var holder = holders[record.kind];
    if (!holder.hasLayer(record.layer)) {
      // Hidden by a filter: show everything again, with the controls saying so.
      filter.doc = "";
      filter.text = "";
      document.querySelectorAll(".gk-doc-filter, .gk-search").forEach(function (input) { input.value = ""; });
      resetters.forEach(function (reset) { reset(); });
      applyFilter();
    }
    var layer = record.layer;
    if (layer.getBounds) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 9, animate: false });
    } else {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), 8), { animate: false });
    }
    if (holder.zoomToShowLayer) holder.zoomToShowLayer(layer, function () { layer.openPopup(); });
    else layer.openPopup();
  }

  function followHash(map) {
    var target = parseHash();
    if (!target) return;
    var record = findTarget(target);
    if (!record) return;
    focusMention = target.kind === "m" ? target.id : null;
    reveal(map, record);
  }

  function fitData(map) {
    // Keep the data clear of the panels in the corners when the window is wide enough.
    var container = map.getContainer();
    var left = container.querySelector(".leaflet-left.leaflet-bottom").offsetWidth;
    var right = container.querySelector(".leaflet-right.leaflet-top").offsetWidth;
    var options = { maxZoom: 9, animate: false, paddingTopLeft: [24, 24], paddingBottomRight: [24, 24] };
    if (container.clientWidth - left - right > 240) {
      options.paddingTopLeft = [left + 12, 24];
      options.paddingBottomRight = [right + 12, 24];
    }
    map.fitBounds(data.bounds, options);
  }

  function start(map) {
    var container = map.getContainer();
    fitData(map);
    function zoomClass() {
      container.classList.toggle("gk-lowzoom", map.getZoom() < 6);
    }
    map.on("zoomend", zoomClass);
    zoomClass();
    map.on("popupopen", function (event) {
      var focused = event.popup.getElement().querySelector(".gk-focus");
      if (focused) focused.scrollIntoView({ block: "nearest" });
      var source = event.popup._source;
      // A shareable address for the open feature; replaceState fires no hashchange.
      if (source && source.gkRecord && window.history.replaceState) {
        var prefix = { incidents: "#i=", regions: "#r=", mentions: "#m=" }[source.gkRecord.kind];
        var wanted = focusMention ? "#m=" + hashValue(focusMention) : prefix + hashValue(source.gkRecord.id);
        if (window.location.hash !== wanted) window.history.replaceState(null, "", wanted);
      }
    });
    map.on("popupclose", function () { focusMention = null; });
    window.addEventListener("hashchange", function () { followHash(map); });
    window.gkCounts = shownCounts();
    followHash(map);
    window.gkReadyAt = performance.now();  // for benchmarks/map_load.py
    window.gkReady = true;
  }

  window.GK = {
    draw: function (map, group, kind) {
      groups[kind] = group;
      draw[kind](group, map);
      if (holders[kind]) addAll(kind);
    },
    panel: panel,
    fullscreen: fullscreen,
    fitAll: fitAll,
    legend: legend,
    attribution: attribution,
    start: start,
    shownCounts: shownCounts  // features in their layers now (tests and benchmarks)
  };
})();
