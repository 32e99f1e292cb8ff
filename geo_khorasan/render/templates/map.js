/* geo_khorasan map: draws the features of the #gk-data block and builds the
   popups and controls. Article text only ever reaches the page through
   textContent, never innerHTML. */
(function () {
  "use strict";

  // The data block is the JSON gzipped and base64-encoded (map.py's data_block: a quarter of the
  // bytes): the browser inflates it itself (DecompressionStream: no network, no library), then
  // draws. The page's own script (the map and its layers) waits for it through GKpage.
  var waiting = [];
  window.GKpage = function (run) {
    if (window.GK) run(); else waiting.push(run);
  };
  function inflate(node) {
    var bytes = Uint8Array.from(atob(node.textContent.trim()), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  function unreadable(error) {
    var note = document.createElement("p");
    note.className = "gk-noscript";
    note.textContent = "This map could not read its data (" + (error && error.message || error) +
      "): it needs a browser from 2023 or later (DecompressionStream). The article texts are in the sources folder.";
    document.body.insertBefore(note, document.body.firstChild);
  }
  var block = document.getElementById("gk-data");
  (typeof DecompressionStream === "function" ? inflate(block) : Promise.reject("no DecompressionStream"))
    .then(function (data) {
      app(data);
      waiting.splice(0).forEach(function (run) { run(); });
    })
    .catch(unreadable);

  function app(data) {

  // The data block holds each thing once (map.py's _Packer): every string in data.strings (rows
  // hold its index, 0 for none), every quoted sentence in data.quotes (referred to as
  // [quote, cue]), its title, outlet, date and links in its document's entry, every place in
  // data.places and every list of candidates in data.candidates. Rows are read through getters
  // named by the fields (f.type, f.sources), so that 100,000 rows cost no copy; quotes, lists
  // and candidates are made when first read.
  var strings = data.strings, quoteRows = data.quotes.rows;
  var docEntries = data.documents.concat(data.cited || []);
  function str(k) { return k ? strings[k] : null; }
  function strs(v) { return typeof v === "number" ? str(v) : v.gkStrings || (v.gkStrings = v.map(str)); }
  function coordinate(v) { return v === null ? null : v / 1e5; }
  function mentionId(k) {
    var v = quoteRows[k];
    return v[7] === -1 ? docEntries[v[0]].id + ":" + (v[4] + v[2]) : str(v[7]);
  }
  function quoteOf(k, cue) {
    var v = quoteRows[k], d = docEntries[v[0]], link = v[6];
    return {
      doc: d.id, title: d.title, outlet: d.outlet, date: d.date, sentence: str(v[1]),
      mark: v[2] === null ? null : [v[2], v[3]], citation: str(v[5]), cue: str(cue),
      href: link ? str(link[0]) : d.href, url_text: link ? str(link[1]) : d.url_text,
      source_href: d.source_href + (v[4] === null ? "" : "#s" + v[4]), mention_id: mentionId(k)
    };
  }
  function quoteList(v) {
    var out = [];
    for (var j = 0; j < v.length; j += 2) out.push(quoteOf(v[j], v[j + 1]));
    return out;
  }
  // The documents and mentions a list of quotes cites, sorted, each once.
  function citedBy(v, read) {
    if (v.length === 2) { var one = read(v[0]); return one ? [one] : []; }
    var seen = {}, out = [];
    for (var j = 0; j < v.length; j += 2) {
      var x = read(v[j]);
      if (x && !seen[x]) { seen[x] = true; out.push(x); }
    }
    return out.sort();
  }
  function quoteDoc(k) { return docEntries[quoteRows[k][0]].id; }

  // Lines and areas come with each list of positions as steps in 1e-5 degrees (map.py's
  // _packed_geometry): added up, they are the GeoJSON coordinates.
  var LINE_DEPTH = { LineString: 0, Polygon: 1, MultiLineString: 1, MultiPolygon: 2 };
  function geometryOf(g) {
    if (!g || !g.delta) return g;
    function walk(v, depth) {
      if (depth) return v.map(function (c) { return walk(c, depth - 1); });
      var out = [], x = 0, y = 0;
      for (var j = 0; j < v.length; j += 2) {
        x += v[j];
        y += v[j + 1];
        out.push([x / 1e5, y / 1e5]);
      }
      return out;
    }
    return { type: g.type, coordinates: walk(g.delta, LINE_DEPTH[g.type]) };
  }
  Object.keys(data.areas).forEach(function (id) { data.areas[id] = geometryOf(data.areas[id]); });
  ["countries", "provinces"].forEach(function (kind) {
    data.basemap[kind] = data.basemap[kind].map(function (g) {
      return { type: "Feature", geometry: geometryOf(g), properties: {} };
    });
  });

  function unpack(table) {
    function Row(values) { this.gkValues = values; }
    function define(name, get) { Object.defineProperty(Row.prototype, name, { get: get }); }
    table.fields.forEach(function (name, i) {
      if (name === "geometry") {
        define(name, function () { return this.gkGeometry || (this.gkGeometry = geometryOf(this.gkValues[i])); });
      } else if (table.quotes_in.indexOf(name) >= 0) {
        var one = table.one.indexOf(name) >= 0;
        define(name, function () {
          var v = this.gkValues[i], list = v.gkQuotes || (v.gkQuotes = quoteList(v));
          return one ? list[0] : list;
        });
        define("docs", function () { var v = this.gkValues[i]; return v.gkDocs || (v.gkDocs = citedBy(v, quoteDoc)); });
        define("mention_ids", function () {
          var v = this.gkValues[i];
          return v.gkMentions || (v.gkMentions = citedBy(v, mentionId));
        });
      } else if (table.strings_in.indexOf(name) >= 0) {
        define(name, function () { return strs(this.gkValues[i]); });
      } else {
        define(name, function () { return this.gkValues[i]; });
      }
    });
    return table.rows.map(function (values) { return new Row(values); });
  }

  // Place mentions: [quote, cue, place, precision, precision_words, role, rule, note, correction,
  // candidates] (MENTION_FIELDS in map.py); the id, document and position from the quote and place.
  function unpackMentions(table) {
    function Mention(values) { this.gkValues = values; }
    function define(name, get) { Object.defineProperty(Mention.prototype, name, { get: get }); }
    function place(f) { return data.places[f.gkValues[2]]; }
    define("id", function () { return mentionId(this.gkValues[0]); });
    define("docs", function () { var d = quoteDoc(this.gkValues[0]); return d ? [d] : []; });
    define("quote", function () { return this.gkQuote || (this.gkQuote = quoteOf(this.gkValues[0], this.gkValues[1])); });
    define("place_id", function () { return str(place(this)[0]); });
    define("place", function () { return str(place(this)[1]); });
    define("level", function () { return str(place(this)[2]); });
    define("country", function () { return str(place(this)[3]); });
    define("lat", function () { return coordinate(place(this)[4]); });
    define("lon", function () { return coordinate(place(this)[5]); });
    define("precision", function () { return this.gkValues[3]; });
    ["precision_words", "role", "rule", "note", "correction"].forEach(function (name, i) {
      define(name, function () { return str(this.gkValues[4 + i]); });
    });
    define("candidates", function () {
      var v = data.candidates[this.gkValues[9]], out = [];
      for (var j = 0; j < v.length; j += 3) {
        var p = data.places[v[j]];
        out.push({ place: str(p[1]), place_id: str(p[0]), country: str(p[3]), level: str(p[2]), score: v[j + 1], why: str(v[j + 2]) });
      }
      return out;
    });
    return table.rows.map(function (values) { return new Mention(values); });
  }
  data.incidents = unpack(data.incidents);
  data.regions = unpack(data.regions);
  data.mentions = unpackMentions(data.mentions);
  var KINDS = ["incidents", "regions", "mentions"];
  var POPUP = { maxWidth: 380, minWidth: 200, maxHeight: 420, autoPanPadding: [12, 12] };
  var records = { incidents: [], regions: [], mentions: [] };
  var holders = {};   // kind -> the layer group its features are drawn into
  var groups = {};    // kind -> its entry in the layer switcher
  var filter = { doc: "", text: "", from: null, to: null, undated: true, types: null };
  var focusMention = null;  // its source is emphasised in the popup opened from a link
  var resetters = [];     // put a filter control back to showing everything
  var syncers = [];       // make a filter control show the current filter
  var filtered = [];      // told the new counts after each filtering

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
      ["Killed", count(f.fatalities) + (f.fatalities_range ? " (reported as " + f.fatalities_range.replace("-", "–") + ")" : "")],
      ["Attackers killed", f.attackers_killed === null || f.attackers_killed === undefined ? null : String(f.attackers_killed)],
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

  // The accessible name of a feature: what a sighted reader gets from its colour and shape.
  function accessibleName(kind, f) {
    if (kind === "incidents") {
      var name = [f.type, f.place || "unknown place", f.date || "undated",
        (f.fatalities === null || f.fatalities === undefined ? "toll unknown" : f.fatalities + " killed")];
      if (f.approx) name.push("approximate location" + (f.precision_words ? " (" + f.precision_words + ")" : ""));
      return name.join(", ");
    }
    if (kind === "regions") return (f.place || "area") + ", IS-K area: " + f.status + ", " + evidence(f);
    return "place mention: " + (f.place || "place") + (f.role ? ", " + f.role : "");
  }

  // Every marker and area takes focus with Tab; Enter or Space opens its popup.
  function focusable(layer, name) {
    layer.on("add", function () {
      var node = layer.getElement && layer.getElement();
      if (!node || node.getAttribute("tabindex") === "0") return;
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      node.setAttribute("aria-label", name);
      node.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        layer.gkByKeyboard = true;
        layer.openPopup();
      });
    });
  }

  function keep(kind, f, layer, popup) {
    var record = recordOf(kind, f, layer);
    bind(record, layer, popup);
    records[kind].push(record);
    return record;
  }

  function bind(record, layer, popup) {
    record.layer = layer;
    layer.bindPopup(function () { return popup(record.f); }, POPUP);
    layer.gkRecord = record;
    focusable(layer, accessibleName(record.kind, record.f));
  }

  // Records whose layers are made when their layer is first shown (the place mentions).
  function unbuilt(kind) {
    return records[kind].length > 0 && !records[kind][0].layer && !holders[kind].gkDots;
  }

  // Incidents come in id order, their rank in the table on ties; they are drawn big circles
  // first, so that small ones stay clickable on top of them.
  function drawOrder(rows) {
    var order = rows.map(function (f, i) { return { f: f, rank: i }; });
    return order.sort(function (a, b) { return b.f.radius - a.f.radius; });  // a stable sort
  }

  function recordOf(kind, f, layer) {
    return {
      kind: kind,
      id: f.id,
      f: f,
      layer: layer,
      docs: f.docs,
      place: (f.place || "").toLowerCase(),
      mentionIds: null,  // f.mention_ids when a link first asks (bySource)
      type: kind === "incidents" ? f.type : null,
      t0: kind === "incidents" ? f.t0 : null,
      t1: kind === "incidents" ? f.t1 : null,
      spans: kind === "regions" ? f.spans : null,
      undated: kind === "regions" ? f.undated : null
    };
  }

  function addAll(kind) {
    var holder = holders[kind];
    if (holder.gkDots) return holder.filter(function () { return true; });
    if (unbuilt(kind)) return records[kind].forEach(function (r) { r.shown = true; });
    var layers = records[kind].map(function (r) { r.shown = true; return r.layer; });
    if (holder.addLayers) holder.addLayers(layers);  // markercluster clusters a batch at once
    else layers.forEach(function (layer) { holder.addLayer(layer); });
  }

  // The area an approximately located incident stands for, outlined while the
  // pointer is over its marker or its popup is open.
  var outline = null;
  function showOutline(map, f, owner) {
    hideOutline(map);
    outline = L.geoJSON({ type: "Feature", geometry: data.areas[f.area], properties: {} }, {
      className: "gk-area-outline", interactive: false,
      style: { color: f.color, weight: 2, dashArray: "6 4", fillColor: f.color, fillOpacity: 0.08 }
    }).addTo(map);
    outline.gkFor = owner;
  }
  function hideOutline(map, owner) {
    if (!outline || (owner !== undefined && outline.gkFor !== owner)) return;
    map.removeLayer(outline);
    outline = null;
  }
  function outlineOnHover(map, layer, f) {
    var popupOpen = false;
    layer.on("mouseover", function () { showOutline(map, f, layer); });
    layer.on("mouseout", function () { if (!popupOpen) hideOutline(map, layer); });
    layer.on("popupopen", function () { popupOpen = true; showOutline(map, f, layer); });
    layer.on("popupclose", function () {
      popupOpen = false;
      hideOutline(map, layer);
    });
  }

  // --- many incidents: dots on one canvas (data.draw.dots; DOTS_FROM in map.py) -------------
  // One canvas redrawn from the positions projected once at zoom 0: a filter step is a
  // pass over the records and one redraw, with no layer per incident and no DOM node per dot.
  // Dots take no Tab focus; the incident table is the keyboard path (README).
  var CELL = 40;  // px: the side of a cell that counts dots
  var Dots = L.Renderer.extend({
    gkDots: true,

    initialize: function (map, list) {
      L.Renderer.prototype.initialize.call(this, { padding: 0.1, pane: "overlayPane" });
      this.list = list;
      var n = list.length;
      this.x = new Float64Array(n);
      this.y = new Float64Array(n);
      this.r = new Float32Array(n);
      this.mask = new Uint8Array(n);
      this.looks = [];  // {color, approx} of each distinct look; look[i] is its index
      this.look = new Uint16Array(n);
      var known = {};
      for (var i = 0; i < n; i++) {
        var f = list[i].f, p = map.project([f.lat, f.lon], 0), key = f.color + (f.approx ? "~" : "");
        this.x[i] = p.x;
        this.y[i] = p.y;
        this.r[i] = f.radius;
        if (known[key] === undefined) {
          known[key] = this.looks.length;
          this.looks.push({ color: f.color, approx: f.approx });
        }
        this.look[i] = known[key];
      }
      this.shown = 0;
    },

    _initContainer: function () {
      this._container = document.createElement("canvas");
      this._container.className = "gk-dots";
      this._ctx = this._container.getContext("2d");
    },

    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._ctx;
      delete this._container;
    },

    _updatePaths: function () {},
    _onZoomEnd: function () {},

    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, size = b.getSize(), canvas = this._container;
      var m = window.devicePixelRatio > 1 ? 2 : 1;
      L.DomUtil.setPosition(canvas, b.min);
      canvas.width = m * size.x;
      canvas.height = m * size.y;
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      this._ctx.setTransform(m, 0, 0, m, -m * b.min.x, -m * b.min.y);
      this.draw();
    },

    // Shown records get mask 1; returns how many.
    filter: function (test) {
      var n = 0;
      for (var i = 0; i < this.list.length; i++) {
        var r = this.list[i];
        r.shown = test(r);
        this.mask[i] = r.shown ? 1 : 0;
        n += this.mask[i];
      }
      this.shown = n;
      if (this._map && this._bounds && GK.ready) this.draw();  // start() draws them first
      return n;
    },

    // Positions in the canvas's layer points at the current zoom.
    scale: function () {
      return { k: this._map.getZoomScale(this._map.getZoom(), 0), o: this._map.getPixelOrigin() };
    },

    // Big circles before small ones (the rows come so ordered), and within one size the dots
    // of one look in one path: a few hundred fills rather than one per dot.
    draw: function () {
      var ctx = this._ctx, b = this._bounds;
      if (!ctx || !b) return;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this._container.width, this._container.height);
      ctx.restore();
      var t = this.scale(), list = this.list, exact = data.styles.exact, approx = data.styles.approximate;
      var inView = 0, looks = this.looks;
      var batches = {}, order = [], radius = null;
      var dashes = approx.dashArray ? approx.dashArray.split(" ").map(Number) : [];
      function flush() {
        order.forEach(function (key) {
          var batch = batches[key];
          ctx.beginPath();
          for (var j = 0; j < batch.pts.length; j += 2) {
            ctx.moveTo(batch.pts[j] + radius, batch.pts[j + 1]);
            ctx.arc(batch.pts[j], batch.pts[j + 1], radius, 0, 2 * Math.PI);
          }
          ctx.globalAlpha = batch.approx ? approx.fillOpacity : exact.fillOpacity;
          ctx.fillStyle = batch.color;
          ctx.fill();
          ctx.globalAlpha = 1;
          ctx.lineWidth = batch.approx ? approx.weight : exact.weight;
          ctx.strokeStyle = batch.approx ? batch.color : exact.color;
          ctx.setLineDash(batch.approx ? dashes : []);
          ctx.stroke();
        });
        batches = {};
        order = [];
      }
      this.cells = null;
      // First count the dots in view: beyond data.draw.cells_above they are counted in cells.
      for (var pass = 0; pass < 2; pass++) {
        for (var i = 0; i < list.length; i++) {
          if (!this.mask[i]) continue;
          var x = this.x[i] * t.k - t.o.x, y = this.y[i] * t.k - t.o.y, r = this.r[i];
          if (x + r < b.min.x || x - r > b.max.x || y + r < b.min.y || y - r > b.max.y) continue;
          if (pass === 0) { inView++; continue; }
          if (r !== radius) {
            flush();
            radius = r;
          }
          var key = this.look[i], batch = batches[key];
          if (!batch) {
            batch = batches[key] = { color: looks[key].color, approx: looks[key].approx, pts: [] };
            order.push(key);
          }
          batch.pts.push(x, y);
        }
        if (pass === 0 && inView > data.draw.cells_above) return this.drawCells(t);
      }
      flush();
      ctx.setLineDash([]);
    },

    // Too many dots in view to tell apart: a grey disc per CELL pixels with the number of
    // incidents in it, as the clusters of a smaller map; a click zooms in on it.
    drawCells: function (t) {
      var ctx = this._ctx, b = this._bounds, size = b.getSize();
      // The grid is fixed to the world's pixels at this zoom, so that a pan moves no cell.
      var c0 = Math.floor((b.min.x + t.o.x) / CELL), r0 = Math.floor((b.min.y + t.o.y) / CELL);
      var cols = Math.floor((b.max.x + t.o.x) / CELL) - c0 + 1, rows = Math.floor((b.max.y + t.o.y) / CELL) - r0 + 1;
      var n = new Int32Array(cols * rows), sx = new Float64Array(cols * rows), sy = new Float64Array(cols * rows);
      for (var i = 0; i < this.list.length; i++) {
        if (!this.mask[i]) continue;
        var x = this.x[i] * t.k - t.o.x, y = this.y[i] * t.k - t.o.y;
        var c = Math.floor((x + t.o.x) / CELL) - c0, r = Math.floor((y + t.o.y) / CELL) - r0;
        if (c < 0 || r < 0 || c >= cols || r >= rows) continue;
        var k = r * cols + c;
        n[k]++;
        sx[k] += x;
        sy[k] += y;
      }
      var cells = this.cells = [];
      ctx.font = "bold 11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 1.5;
      for (k = 0; k < n.length; k++) {
        if (!n[k]) continue;
        var cell = { x: sx[k] / n[k], y: sy[k] / n[k], r: Math.min(CELL / 2 - 1, 8 + 2.2 * Math.log(n[k])), n: n[k] };
        cells.push(cell);
        ctx.beginPath();
        ctx.arc(cell.x, cell.y, cell.r, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(55, 55, 55, 0.78)";
        ctx.fill();
        ctx.strokeStyle = "#ffffff";
        ctx.stroke();
        ctx.fillStyle = "#ffffff";
        ctx.fillText(n[k] < 1000 ? String(n[k]) : (n[k] < 10000 ? (n[k] / 1000).toFixed(1) : Math.round(n[k] / 1000)) + "k", cell.x, cell.y);
      }
    },

    // The cell under a container point, when the dots are counted in cells.
    cellAt: function (point) {
      var p = this._map.containerPointToLayerPoint(point);
      return (this.cells || []).filter(function (c) {
        return (c.x - p.x) * (c.x - p.x) + (c.y - p.y) * (c.y - p.y) <= c.r * c.r;
      })[0] || null;
    },

    // The record of the dot under a container point: the smallest one there, the last drawn on a tie.
    at: function (point) {
      if (this.cells) return null;
      var t = this.scale(), best = null, bestRadius = Infinity;
      var p = this._map.containerPointToLayerPoint(point), px = p.x + t.o.x, py = p.y + t.o.y;
      for (var i = 0; i < this.list.length; i++) {
        if (!this.mask[i]) continue;
        var r = this.r[i];
        var dx = this.x[i] * t.k - px, dy = this.y[i] * t.k - py;
        if (dx * dx + dy * dy <= (r + 1) * (r + 1) && r <= bestRadius) {
          best = this.list[i];
          bestRadius = r;
        }
      }
      return best;
    }
  });

  // Pointer over and clicks on the dots: found by position, before Leaflet sees the click
  // (an area under a dot would otherwise take it).
  function dotEvents(map, dots) {
    var container = map.getContainer(), hovered = null;
    // The dot or the cell under the pointer, not through a control or a popup.
    function hit(event) {
      if (!map.hasLayer(dots) || !event.target.closest || event.target.closest(".leaflet-control, .leaflet-popup")) return {};
      var point = map.mouseEventToContainerPoint(event), record = dots.at(point);
      return { record: record, cell: record ? null : dots.cellAt(point) };
    }
    container.addEventListener("click", function (event) {
      if (map._draggableMoved(map)) return;  // the end of a drag, not a click (as Leaflet tells them)
      var found = hit(event);
      if (!found.record && !found.cell) return;
      event.stopPropagation();
      if (found.record) openDot(map, found.record, null);
      else map.setView(map.layerPointToLatLng([found.cell.x, found.cell.y]), Math.min(map.getZoom() + 2, map.getMaxZoom()));
    }, true);
    container.addEventListener("mousemove", function (event) {
      var found = hit(event), record = found.record || null;
      container.classList.toggle("gk-over-dot", !!(record || found.cell));
      if (record === hovered) return;
      hovered = record;
      var popup = map._popup && map.hasLayer(map._popup) ? popupRecord(map._popup) : null;
      if (popup !== null && popup.kind === "incidents") return;  // its outline stays while it is open
      if (record && record.f.area) showOutline(map, record.f, dots);
      else hideOutline(map, dots);
    });
  }

  function openDot(map, record, returnTo) {
    var f = record.f;
    var popup = L.popup(POPUP).setLatLng([f.lat, f.lon]).setContent(incidentPopup(f));
    popup.gkRecord = record;
    popup.gkReturn = returnTo;
    map.openPopup(popup);
    if (f.area) showOutline(map, f, popup);
  }

  function popupRecord(popup) {
    return popup.gkRecord || (popup._source && popup._source.gkRecord) || null;
  }

  // Where focus goes back when a popup closes: its marker, or the row it was opened from.
  function popupReturn(popup) {
    if (popup.gkReturn) return popup.gkReturn;
    var source = popup._source;
    return source && source.getElement ? source.getElement() : null;
  }

  // A cluster is a button named by what it holds; Enter does what a click does.
  var ClusterIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var node = L.DivIcon.prototype.createIcon.call(this, old);
      node.setAttribute("aria-label", this.options.gkName);
      return node;
    }
  });

  function clusterIcon(cluster) {
    var icon = L.MarkerClusterGroup.prototype._defaultIconCreateFunction(cluster);
    var n = cluster.getChildCount();
    return new ClusterIcon(L.extend({}, icon.options, { gkName: "cluster of " + n + " incidents: Enter zooms in" }));
  }

  // markercluster 1.4 listens for Enter as Leaflet 1.9 no longer sends it (a click); here Enter
  // zooms in, and as the cluster is then gone focus moves to the first of its incidents, or to
  // the smaller cluster now holding it, so that Tab and Enter reach every marker.
  function clusterKeyboard(map, group) {
    group.on("clusterkeypress", function (event) {
      if (event.originalEvent.keyCode !== 13) return;
      var first = event.layer.getAllChildMarkers()[0];
      function focusFirst() {
        // markercluster's getVisibleParent looks for an icon, which a circle marker has not.
        var shown = first;
        while (shown && !map.hasLayer(shown)) shown = shown.__parent;
        var node = shown && shown.getElement ? shown.getElement() : null;
        if (node) node.focus();
      }
      group._zoomOrSpiderfy(event);
      if (group._spiderfied === event.layer) window.setTimeout(focusFirst, 0);  // opened in place
      else map.once("moveend", function () { window.setTimeout(focusFirst, 0); });
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
        var town = data.styles.town;  // drawn apart from incidents: see the legend
        L.circleMarker([t.lat, t.lon], {
          className: "gk-town", interactive: false, radius: town.radius,
          color: town.color, weight: town.weight, fillColor: town.fillColor, fillOpacity: town.fillOpacity
        }).bindTooltip(el("span", null, t.name), {
          permanent: true, direction: "right", offset: [4, 0], className: "gk-town-label"
        }).addTo(holder);
      });
    },
    incidents: function (holder, map) {
      if (data.draw.dots) {
        drawOrder(data.incidents).forEach(function (item) {
          var record = recordOf("incidents", item.f, null);
          record.rank = item.rank;
          records.incidents.push(record);
        });
        holders.incidents = new Dots(map, records.incidents);
        holder.addLayer(holders.incidents);
        dotEvents(map, holders.incidents);
        return;
      }
      holders.incidents = L.markerClusterGroup({
        maxClusterRadius: 30, showCoverageOnHover: false, disableClusteringAtZoom: 10,
        // Animated re-clustering makes zoomToShowLayer drop its callback after a setView.
        animate: false,
        iconCreateFunction: clusterIcon
      }).addTo(holder);
      clusterKeyboard(map, holders.incidents);
      drawOrder(data.incidents).forEach(function (item) {
        var f = item.f;
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
        keep("incidents", f, layer, incidentPopup).rank = item.rank;
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
        if (f.past) style.dashArray = "5 4";  // claimed only in the past: a dashed outline, a faint wash
        var layer;
        if (f.geometry) {
          layer = L.GeoJSON.geometryToLayer({ type: "Feature", geometry: f.geometry, properties: {} }, style);
        } else {
          style.radius = 9;
          style.dashArray = "3 3";
          style.fillOpacity = Math.min(f.opacity + 0.15, 0.75);
          layer = L.circleMarker([f.lat, f.lon], style);
        }
        layer.bindTooltip(el("span", null, (f.place || "area") + " \u2014 " + f.status + (f.past ? ", in the past" : "") + " (" + evidence(f) + ")"),
          { sticky: true, className: "gk-region-tip" });
        keep("regions", f, layer, regionPopup);
      });
    },
    // Off at first, and there are many (75 an article): the markers are made when the layer is
    // first shown; until then the filters count them by their records.
    mentions: function (holder) {
      holders.mentions = holder;
      data.mentions.forEach(function (f) { records.mentions.push(recordOf("mentions", f, null)); });
      holder.once("add", function () {
        records.mentions.forEach(function (r) {
          bind(r, L.circleMarker([r.f.lat, r.f.lon], {
            className: "gk-mention", radius: 4, color: "#555", weight: 1, opacity: 0.6,
            fillColor: "#888", fillOpacity: 0.35
          }), mentionPopup);
          if (r.shown) holder.addLayer(r.layer);
        });
      });
    }
  };

  function inRange(t0, t1) {
    return (filter.from === null || t1 >= filter.from) && (filter.to === null || t0 <= filter.to);
  }

  function timeFiltered() {
    return data.time && (filter.from !== data.time.min || filter.to !== data.time.max);
  }

  function matches(record) {
    if (filter.doc && record.docs.indexOf(filter.doc) < 0) return false;
    if (filter.text && record.place.indexOf(filter.text) < 0) return false;
    if (record.kind === "regions") {
      // An area is shown while one of its claims dates from the time range.
      if (!timeFiltered() || (record.undated && filter.undated)) return true;
      return record.spans.some(function (s) { return inRange(s[0], s[1]); });
    }
    if (record.kind !== "incidents") return true;
    if (filter.types && !filter.types[record.type]) return false;
    if (record.t0 === null || record.t0 === undefined) return filter.undated;
    return inRange(record.t0, record.t1);
  }

  // Only the markers whose state changes are added or removed: moving a slider by a
  // month touches a few of 10,000. A large change re-clusters the whole set at once,
  // which markercluster does faster than removing thousands one by one.
  // Only the document and the search filter mentions: a time or type step leaves them be.
  var mentionsFor = null;  // {key, count} of their last filtering
  function mentionsKey() {
    return filter.doc + "\u0000" + filter.text + "\u0000" + !unbuilt("mentions");
  }
  function applyFilter() {
    var counts = {};
    KINDS.forEach(function (kind) {
      var holder = holders[kind];
      var list = records[kind];
      if (kind === "mentions" && mentionsFor && mentionsFor.key === mentionsKey()) {
        counts[kind] = mentionsFor.count;
        return;
      }
      if (holder && holder.gkDots) {
        counts[kind] = holder.filter(matches);
        return;
      }
      if (holder && unbuilt(kind)) {
        counts[kind] = list.filter(function (r) { return (r.shown = matches(r)); }).length;
        return;
      }
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
    mentionsFor = { key: mentionsKey(), count: counts.mentions };
    window.gkCounts = counts;
    filtered.forEach(function (tell) { tell(counts); });
    return counts;
  }

  function shownCounts() {
    var counts = {};
    KINDS.forEach(function (kind) {
      var holder = holders[kind];
      counts[kind] = holder && holder.gkDots ? holder.shown
        : unbuilt(kind) ? records[kind].filter(function (r) { return r.shown; }).length
          : records[kind].filter(function (r) { return holder.hasLayer(r.layer); }).length;
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

  function parseMonth(text) {
    var m = /^(\d{4})-(\d{2})$/.exec(text || "");
    if (!m || +m[2] < 1 || +m[2] > 12) return null;
    return +m[1] * 12 + (+m[2] - 1);
  }

  function checkbox(parent, className, checked, text) {
    var label = el("label", className, null, parent);
    var input = el("input", null, null, label);
    input.type = "checkbox";
    input.checked = checked;
    if (text !== undefined) el("span", null, text, label);
    return { label: label, input: input };
  }

  function button(parent, className, text, title) {
    var b = el("button", className, text, parent);
    b.type = "button";
    if (title) {
      b.title = title;
      b.setAttribute("aria-label", title);
    }
    return b;
  }

  // From/to sliders over the months of the incident and claim dates, a play button that
  // steps month by month, and undated incidents on or off.
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
      input.setAttribute("aria-label", (name === "from" ? "Incidents and claims from " : "Incidents and claims up to ") + "month");
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
    from.addEventListener("input", function () { stop(); changed(from); });
    to.addEventListener("input", function () { stop(); changed(to); });
    label();
    // Play: the "to" handle steps a month at a time from the "from" month to the last one.
    var play = button(box, "gk-play", "\u25b6 Play", "Play month by month");
    play.setAttribute("aria-pressed", "false");
    play.disabled = t.min === t.max;
    var timer = null;
    function stop() {
      if (timer !== null) window.clearInterval(timer);
      timer = null;
      play.textContent = "\u25b6 Play";
      play.setAttribute("aria-pressed", "false");
    }
    function step() {
      if (filter.to >= t.max) return stop();
      to.value = filter.to + 1;
      changed(to);
    }
    play.addEventListener("click", function () {
      if (timer !== null) return stop();
      if (filter.to >= t.max) {
        to.value = filter.from;
        changed(to);
      }
      play.textContent = "\u23f8 Pause";
      play.setAttribute("aria-pressed", "true");
      timer = window.setInterval(step, 700);
    });
    var undated = null;
    if (t.undated) {
      undated = checkbox(box, "gk-undated", true, "undated incidents (" + t.undated + ")");
      undated.input.addEventListener("change", function () {
        filter.undated = undated.input.checked;
        update();
      });
    }
    resetters.push(function () {
      stop();
      filter.from = t.min;
      filter.to = t.max;
      filter.undated = true;
    });
    syncers.push(function () {
      from.value = filter.from;
      to.value = filter.to;
      if (undated) undated.input.checked = filter.undated;
      label();
    });
    GK.play = { step: step, stop: stop };
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
      inputs.forEach(function (input) { filter.types[input.value] = true; });
    });
    syncers.push(function () {
      inputs.forEach(function (input) { input.checked = !!filter.types[input.value]; });
    });
    if (inputs.length > 2) {
      var buttons = el("div", "gk-type-buttons", null, box);
      [["all", true], ["none", false]].forEach(function (b) {
        button(buttons, null, b[0]).addEventListener("click", function () {
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

  // Every document: title, outlet, date, counts, and links to its view, its text and the article.
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

  var docIndex = null;
  function docById(id) {
    if (!docIndex) {
      docIndex = {};
      data.documents.forEach(function (d) { docIndex["#" + d.id] = d; });
    }
    return docIndex["#" + id];
  }

  // --- the incident table, its sorting and the export of what is shown -----------------
  var TABLE_ROWS = 200;  // rows drawn at first and added by "show more"; the export has them all
  var COLUMNS = [
    { key: "date", label: "Date", value: function (f) { return f.date || ""; } },
    { key: "toll", label: "Killed", value: function (f) { return f.fatalities === null || f.fatalities === undefined ? -1 : f.fatalities; } },
    { key: "type", label: "Type", value: function (f) { return f.type; } },
    { key: "place", label: "Place", value: function (f) { return f.place || ""; } },
    { key: "doc", label: "Document", value: function (f) { return docTitles(f); } }
  ];
  var sort = { key: "date", desc: true };

  function docTitles(f) {
    return f.docs.map(function (id) {
      var d = docById(id);
      return d ? d.title : id;
    }).join("; ");
  }

  // All incidents in the table's order, sorted again only when the order changes; the shown
  // ones are then picked in one pass, so a filter step costs no sort. Text is sorted as the
  // ranks of its distinct values (a few thousand dates, a few places): numbers compare faster.
  var sorted = null;
  function shownIncidents(limit) {
    if (!sorted || sorted.key !== sort.key + sort.desc) {
      var column = COLUMNS.filter(function (c) { return c.key === sort.key; })[0];
      var list = records.incidents;
      var values = list.map(function (r) { return column.value(r.f); });
      if (typeof values[0] === "string") {
        var rank = new Map();
        Array.from(new Set(values)).sort().forEach(function (v, i) { rank.set(v, i); });
        values = values.map(function (v) { return rank.get(v); });
      }
      var dir = sort.desc ? -1 : 1;
      var index = list.map(function (r, i) { return i; });
      index.sort(function (a, b) { return dir * (values[a] - values[b]) || list[a].rank - list[b].rank; });
      sorted = index.map(function (i) { return list[i]; });
      sorted.key = sort.key + sort.desc;
    }
    if (limit === undefined) return sorted.filter(function (r) { return r.shown; });
    // The first rows and how many there are, without a list of them all.
    var first = [], total = 0;
    for (var i = 0; i < sorted.length; i++) {
      if (!sorted[i].shown) continue;
      if (total < limit) first.push(sorted[i]);
      total++;
    }
    first.total = total;
    return first;
  }

  function csvCell(value) {
    var s = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // no formula in a spreadsheet
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  var EXPORT_FIELDS = ["id", "date", "type", "fatalities", "fatalities_range", "attackers_killed", "injured", "actor", "place",
    "precision_words", "approx"];

  function exportCsv(rows) {
    var lines = [EXPORT_FIELDS.concat(["lat", "lon", "documents"]).join(",")];
    rows.forEach(function (r) {
      var f = r.f;
      var cells = EXPORT_FIELDS.map(function (k) { return f[k]; }).concat([f.lat, f.lon, f.docs.join(" ")]);
      lines.push(cells.map(csvCell).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function exportGeoJson(rows) {
    return JSON.stringify({
      type: "FeatureCollection",
      features: rows.map(function (r) {
        var props = {};
        EXPORT_FIELDS.forEach(function (k) { props[k] = r.f[k] === undefined ? null : r.f[k]; });
        props.documents = r.f.docs;
        props.sources = r.f.sources.map(function (q) {
          return { doc: q.doc, title: q.title, date: q.date, sentence: q.sentence, url: isHttp(q.href) ? q.href : null };
        });
        return { type: "Feature", geometry: { type: "Point", coordinates: [r.f.lon, r.f.lat] }, properties: props };
      })
    }, null, 1) + "\n";
  }

  // A download made in the page: a Blob, never a request.
  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", null, null, document.body);
    a.href = url;
    a.download = name;
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function incidentTable(parent, map) {
    var box = el("section", "gk-incidents", null, parent);
    var head = el("div", "gk-incidents-head", null, box);
    el("h2", null, "Incidents shown", head);
    var exports = el("div", "gk-export", null, head);
    button(exports, "gk-export-csv", "CSV", "Download the incidents shown as CSV").addEventListener("click", function () {
      download("incidents-shown.csv", "text/csv;charset=utf-8", exportCsv(shownIncidents()));
    });
    button(exports, "gk-export-geojson", "GeoJSON", "Download the incidents shown as GeoJSON").addEventListener("click", function () {
      download("incidents-shown.geojson", "application/geo+json", exportGeoJson(shownIncidents()));
    });
    var note = el("p", "gk-table-note", null, box);
    var scroller = el("div", "gk-table-scroll", null, box);
    var table = el("table", "gk-table", null, scroller);
    var headRow = el("tr", null, null, el("thead", null, null, table));
    var tbody = el("tbody", null, null, table);
    var heads = COLUMNS.map(function (c) {
      var th = el("th", "gk-col-" + c.key, null, headRow);
      th.setAttribute("scope", "col");
      var b = button(th, null, c.label);
      b.addEventListener("click", function () {
        sort = { key: c.key, desc: sort.key === c.key ? !sort.desc : c.key === "date" || c.key === "toll" };
        fill();
        writeState(map);
      });
      return th;
    });
    var limit = TABLE_ROWS;
    var more = button(box, "gk-table-more", "Show more rows");
    more.addEventListener("click", function () {
      limit += TABLE_ROWS;
      fill(true);
    });
    function fill(keepLimit) {
      if (keepLimit !== true) limit = TABLE_ROWS;
      heads.forEach(function (th, i) {
        th.setAttribute("aria-sort", COLUMNS[i].key === sort.key ? (sort.desc ? "descending" : "ascending") : "none");
      });
      var rows = shownIncidents(limit), total = rows.total;
      var rowsBox = document.createDocumentFragment();
      rows.forEach(function (r) {
        var f = r.f;
        var tr = el("tr", null, null, rowsBox);
        tr.setAttribute("data-id", f.id);
        tr.tabIndex = 0;
        tr.setAttribute("aria-label", accessibleName("incidents", f) + ": open on the map");
        el("td", "gk-col-date", f.date || "undated", tr);
        el("td", "gk-col-toll", f.fatalities === null || f.fatalities === undefined ? "?" : f.fatalities, tr);
        var type = el("td", "gk-col-type", null, tr);
        el("span", "gk-swatch" + (f.approx ? " gk-hollow-type" : ""), null, type).style.background = f.color;
        el("span", null, f.type, type);
        el("td", "gk-col-place", (f.approx ? "\u2248 " : "") + f.place, tr).title = f.precision_words || "";
        el("td", "gk-col-doc", docTitles(f), tr);
        tr.gkRecord = r;
      });
      tbody.textContent = "";
      tbody.appendChild(rowsBox);
      more.hidden = total <= limit;
      note.textContent = total > limit
        ? "The first " + limit + " of " + total + " incidents (the export has them all); \u2248 located only approximately."
        : total + (total === 1 ? " incident" : " incidents") + "; \u2248 located only approximately. Click a row to open it on the map.";
    }
    // One listener for every row.
    function rowOf(event) {
      var tr = event.target.closest ? event.target.closest("tr") : null;
      return tr && tr.gkRecord ? tr.gkRecord : null;
    }
    tbody.addEventListener("click", function (event) {
      var r = rowOf(event);
      if (r) reveal(map, r, false, event.target.closest("tr"));
    });
    tbody.addEventListener("keydown", function (event) {
      var r = rowOf(event);
      if (r && event.key === "Enter") reveal(map, r, false, event.target.closest("tr"));
    });
    filtered.push(fill);
    fill();
    map.on("popupopen", function (event) {
      var record = popupRecord(event.popup);
      tbody.querySelectorAll(".gk-selected").forEach(function (tr) { tr.classList.remove("gk-selected"); });
      if (!record || record.kind !== "incidents") return;
      tbody.querySelectorAll("tr").forEach(function (tr) {
        if (tr.getAttribute("data-id") === record.id) tr.classList.add("gk-selected");
      });
    });
    GK.table = { fill: fill, csv: function () { return exportCsv(shownIncidents()); } };
  }

  // --- the side panel (a bottom sheet on a phone) ---------------------------------------
  function side() {
    return document.getElementById("gk-side");
  }

  function sheetOpen(open) {
    var panel = side();
    panel.classList.toggle("gk-open", open);
    var toggle = panel.querySelector(".gk-sheet-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function narrow() {
    return window.matchMedia("(max-width: 700px)").matches;
  }

  function panel(map) {
    var box = side();
    box.classList.add("gk-panel");
    var toggle = button(box, "gk-sheet-toggle", null, null);
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "gk-side-body");
    var toggleText = el("span", null, "Filters, legend and incidents", toggle);
    toggle.addEventListener("click", function () { sheetOpen(!box.classList.contains("gk-open")); });
    var body = el("div", "gk-side-body", null, box);
    body.id = "gk-side-body";
    var heading = el("header", "gk-head", null, body);
    var h1 = el("h1", null, data.title, heading);
    if (data.latest) el("p", "gk-asof", "Articles up to " + data.latest, heading);
    var line = el("div", "gk-summary", summary(shownCounts()), heading);
    var docs = data.documents;
    var nav = el("div", "gk-nav", null, body);
    if (data.links.index) link(nav, data.links.index, "Map of all documents", false).className = "gk-index-link";
    var readLink = null, allLink = null;
    if (docs.length > 1) {
      allLink = link(nav, "#", "Map of all documents", false);
      allLink.className = "gk-all-link";
      allLink.hidden = true;
    }
    if (docs.length === 1) link(nav, docs[0].source_href, "Read the article text", false);
    else if (docs.length > 1) {
      readLink = link(nav, "#", "Read the article text", false);
      readLink.className = "gk-read-link";
      readLink.hidden = true;
    }
    if (data.links.documents) link(nav, data.links.documents, "Table of documents", false).className = "gk-documents-link";
    if (!nav.firstChild) body.removeChild(nav);
    var controls = el("section", "gk-controls", null, body);
    var select = null;
    if (docs.length > 1) {
      var docLabel = el("label", null, "Document", controls);
      select = el("select", "gk-doc-filter", null, docLabel);
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
    var searchLabel = el("label", null, "Find a place", controls);
    var input = el("input", "gk-search", null, searchLabel);
    input.type = "search";
    input.placeholder = "e.g. Kabul";
    var status = el("div", "gk-status", null, controls);
    status.setAttribute("aria-live", "polite");
    input.addEventListener("input", function () {
      filter.text = input.value.trim().toLowerCase();
      update();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") zoomToShown(map);
    });
    var hasTime = data.time && (data.incidents.length || data.regions.length);
    if (data.incidents.length || hasTime) {
      var filters = el("details", "gk-filters", null, controls);
      filters.open = true;
      el("summary", null, "Filter incidents and areas", filters);
      if (hasTime) timeControl(filters, update);
      if (data.incidents.length) typeControl(filters, update);
    }
    el("div", "gk-layers", null, body);  // the layer switcher moves here in start()
    legend(body);
    if (data.incidents.length) incidentTable(body, map);
    if (docs.length > 1) documentList(body);
    resetters.push(function () {
      filter.doc = "";
      filter.text = "";
    });
    syncers.push(function () {
      if (select) select.value = filter.doc;
      input.value = filter.text;
      var doc = filter.doc ? docById(filter.doc) : null;
      h1.textContent = doc ? doc.title : data.title;
      document.title = doc ? doc.title : data.title;
      if (allLink) allLink.hidden = !doc;
      if (readLink) {
        readLink.hidden = !doc;
        if (doc) readLink.setAttribute("href", doc.source_href);
      }
    });
    filtered.push(function (counts) {
      line.textContent = summary(counts);
      toggleText.textContent = "Filters, legend and incidents (" + counts.incidents + " incidents)";
      status.textContent = filter.text ? counts.incidents + counts.regions + counts.mentions + " matching features" : "";
    });
    function update() {
      map.closePopup();
      syncers.forEach(function (sync) { sync(); });
      applyFilter();
      writeState(map);
    }
  }

  // The map fills the window already; full screen also hides the browser's own bars.
  function fullscreen(map) {
    var container = document.documentElement;
    if (!container.requestFullscreen || !document.exitFullscreen) return;
    control("topleft", function (box) {
      box.className = "leaflet-bar gk-fullscreen";
      var b = el("button", "gk-fullscreen-button", null, box);
      b.type = "button";
      function state() {
        var on = document.fullscreenElement === container;
        b.classList.toggle("gk-on", on);
        b.title = on ? "Leave full screen" : "Full screen";
        b.setAttribute("aria-label", b.title);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      }
      b.addEventListener("click", function () {
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
      var b = button(box, "gk-fitall-button", "\u2922", "Fit all: show every feature, far ones included");
      b.addEventListener("click", function () {
        if (!zoomToShown(map, { animate: false })) map.fitBounds(data.all_bounds, { animate: false });
      });
    }).addTo(map);
  }

  function zoomToShown(map, options) {
    var bounds = L.latLngBounds([]);
    KINDS.forEach(function (kind) {
      if (!map.hasLayer(groups[kind])) return;
      var dots = holders[kind].gkDots;
      records[kind].forEach(function (r) {
        if (dots ? !r.shown : !holders[kind].hasLayer(r.layer)) return;
        bounds.extend(dots ? [r.f.lat, r.f.lon] : r.layer.getBounds ? r.layer.getBounds() : r.layer.getLatLng());
      });
    });
    if (!bounds.isValid()) return false;
    map.fitBounds(bounds, L.extend({ padding: [24, 24], maxZoom: 9 }, options || {}));
    return true;
  }

  function legend(parent) {
    var box = el("section", "gk-legend", null, parent);
    var details = el("details", null, null, box);
    details.open = true;
    el("summary", null, "Legend", details);
    if (data.incidents.length) {
      el("h2", null, "Incidents", details);
      var notes = el("ul", null, null, details);
      var solid = el("li", null, null, notes);
      el("span", "gk-swatch", null, solid).style.background = "#888";
      el("span", null, "filled: an exact place, or near one", solid);
      var hollow = el("li", null, null, notes);
      el("span", "gk-swatch gk-hollow", null, hollow);
      el("span", null, "hollow, dashed (\u2248 in the table): located only to a district or vaguer (hover to see the area)", hollow);
      el("li", null, "circle size: number killed", notes);
      if (data.draw.dots) {
        var cells = el("li", "gk-legend-cells", null, notes);
        el("span", "gk-swatch gk-cell-swatch", null, cells);
        el("span", null, "grey disc with a number: that many incidents there; click it to zoom in", cells);
      }
      var types = el("ul", "gk-legend-types", null, details);
      data.legend.types.forEach(function (t) {
        var li = el("li", null, null, types);
        li.setAttribute("data-type", t.label);
        el("span", "gk-swatch", null, li).style.background = t.color;
        el("span", null, t.label, li);
      });
    }
    if (data.legend.statuses.length) {
      el("h2", null, "IS-K areas by claimed status", details);
      var statuses = el("ul", "gk-legend-statuses", null, details);
      data.legend.statuses.forEach(function (s) {
        var li = el("li", null, null, statuses);
        li.setAttribute("data-status", s.label);
        el("span", "gk-swatch gk-square", null, li).style.background = s.color;
        el("span", null, s.label, li);
      });
      el("p", "gk-legend-note", "More opaque: more claims. Hover an area for its claims and the newest date.", details);
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
  }

  function attribution(map) {
    // Already HTML-escaped in Python: Leaflet inserts attributions as HTML.
    if (data.attribution) map.attributionControl.addAttribution(data.attribution);
    // On a phone the attribution is one cut line: a button beside it (or a tap on the line)
    // shows it whole, and again cuts it.
    var container = map.getContainer(), line = map.attributionControl.getContainer();
    line.id = "gk-attribution";
    control("bottomright", function (box) {
      box.className = "leaflet-bar gk-attr";
      var b = button(box, "gk-attr-button", "\u00a9", null);
      b.setAttribute("aria-controls", line.id);
      function show(open) {
        container.classList.toggle("gk-attr-open", open);
        b.setAttribute("aria-expanded", open ? "true" : "false");
        b.title = open ? "Shorten the map's sources" : "Show the map's sources in full";
        b.setAttribute("aria-label", b.title);
      }
      b.addEventListener("click", function () { show(!container.classList.contains("gk-attr-open")); });
      line.addEventListener("click", function (event) {
        if (narrow() && !(event.target.closest && event.target.closest("a"))) show(!container.classList.contains("gk-attr-open"));
      });
      show(false);
    }).addTo(map);
  }

  // --- the whole state in the address: #v=lat,lon,zoom&doc=&q=&from=&to=&undated=0&types=&sort=&i|r|m= --
  var KEYS = ["v", "doc", "q", "from", "to", "undated", "types", "sort", "layers", "i", "r", "m"];
  var writing = false;
  var openFeature = null;  // {kind: "i"|"r"|"m", id} of the open popup

  function hashValue(id) {
    return encodeURIComponent(id).replace(/%3A/g, ":");  // as the source pages write it
  }

  // The state in the fragment, or {error} when any part of it cannot be read.
  function parseState(hash) {
    var state = {};
    var text = (hash || "").replace(/^#/, "");
    if (!text) return state;
    var parts = text.split("&");
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (eq < 1) return { error: "\u201c" + parts[i] + "\u201d" };
      var key = parts[i].slice(0, eq), value;
      try {
        value = decodeURIComponent(parts[i].slice(eq + 1).replace(/\+/g, "%20"));
      } catch (e) {
        return { error: key };
      }
      if (KEYS.indexOf(key) < 0 || state[key] !== undefined) return { error: key };
      state[key] = value;
    }
    if (state.v !== undefined) {
      var v = state.v.split(",").map(Number);
      if (v.length !== 3 || v.some(function (n) { return !isFinite(n); }) || Math.abs(v[0]) > 90 || Math.abs(v[1]) > 360 || v[2] < 0 || v[2] > 20) {
        return { error: "v" };
      }
      state.view = v;
    }
    if (state.doc && !docById(state.doc)) return { error: "doc" };
    var t = data.time;
    ["from", "to"].forEach(function (k) {
      if (state[k] === undefined || state.error) return;
      var m = parseMonth(state[k]);
      if (m === null || !t) state.error = k;
      else state[k + "Month"] = Math.min(Math.max(m, t.min), t.max);
    });
    if (state.error) return { error: state.error };
    if (state.undated !== undefined && state.undated !== "0" && state.undated !== "1") return { error: "undated" };
    if (state.types !== undefined) {
      var known = data.legend.types.map(function (x) { return x.label; });
      state.typeList = state.types ? state.types.split(",") : [];
      if (state.typeList.some(function (x) { return known.indexOf(x) < 0; })) return { error: "types" };
    }
    if (state.sort !== undefined) {
      var s = /^(date|toll|type|place|doc)-(asc|desc)$/.exec(state.sort);
      if (!s) return { error: "sort" };
      state.sortBy = { key: s[1], desc: s[2] === "desc" };
    }
    if (state.layers !== undefined) {
      state.layerList = state.layers ? state.layers.split(",") : [];
      if (state.layerList.some(function (x) { return ["incidents", "regions", "mentions"].indexOf(x) < 0; })) return { error: "layers" };
    }
    var features = ["i", "r", "m"].filter(function (k) { return state[k] !== undefined; });
    if (features.length > 1) return { error: features.join(", ") };
    if (features.length) state.target = { kind: features[0], id: state[features[0]] };
    return state;
  }

  function stateHash(map) {
    var parts = [];
    var c = map.getCenter();
    parts.push("v=" + c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + (Math.round(map.getZoom() * 10) / 10));
    if (filter.doc) parts.push("doc=" + hashValue(filter.doc));
    if (filter.text) parts.push("q=" + encodeURIComponent(filter.text));
    if (data.time && filter.from !== data.time.min) parts.push("from=" + monthLabel(filter.from));
    if (data.time && filter.to !== data.time.max) parts.push("to=" + monthLabel(filter.to));
    if (!filter.undated) parts.push("undated=0");
    if (filter.types) {
      var on = data.legend.types.filter(function (t) { return filter.types[t.label]; });
      if (on.length !== data.legend.types.length) {
        parts.push("types=" + on.map(function (t) { return encodeURIComponent(t.label); }).join(","));
      }
    }
    if (sort.key !== "date" || !sort.desc) parts.push("sort=" + sort.key + "-" + (sort.desc ? "desc" : "asc"));
    var layers = KINDS.filter(function (k) { return groups[k] && map.hasLayer(groups[k]); });
    if (layers.join(",") !== "incidents,regions") parts.push("layers=" + layers.join(","));
    if (openFeature) parts.push(openFeature.kind + "=" + hashValue(openFeature.id));
    return "#" + parts.join("&");
  }

  function writeState(map) {
    if (writing || !window.history.replaceState || !GK.ready) return;
    var wanted = stateHash(map);
    // replaceState fires no hashchange
    if (window.location.hash !== wanted) window.history.replaceState(null, "", wanted);
  }

  function note(text) {
    var box = side().querySelector(".gk-note");
    if (!box) {
      box = el("p", "gk-note", null);
      box.setAttribute("role", "status");
      var body = side().querySelector(".gk-side-body");
      body.insertBefore(box, body.firstChild.nextSibling);
    }
    box.textContent = text || "";
    box.hidden = !text;
  }

  function byId(kind, id) {
    return records[kind].filter(function (r) { return r.id === id; })[0];
  }

  function bySource(kind, mentionId) {
    return records[kind].filter(function (r) {
      return (r.mentionIds || (r.mentionIds = r.f.mention_ids || [])).indexOf(mentionId) >= 0;
    })[0];
  }

  function findTarget(target) {
    if (target.kind === "i") return byId("incidents", target.id);
    if (target.kind === "r") return byId("regions", target.id);
    return bySource("incidents", target.id) || bySource("regions", target.id) || byId("mentions", target.id);
  }

  function resetFilters() {
    resetters.forEach(function (reset) { reset(); });
    syncers.forEach(function (sync) { sync(); });
  }

  function reveal(map, record, keepView, returnTo) {
    if (!map.hasLayer(groups[record.kind])) map.addLayer(groups[record.kind]);
    var holder = holders[record.kind];
    if (holder.gkDots ? !record.shown : !holder.hasLayer(record.layer)) {
      // Hidden by a filter: show everything again, with the controls saying so.
      resetFilters();
      applyFilter();
    }
    if (narrow()) sheetOpen(false);
    if (holder.gkDots) {
      if (!keepView) map.setView([record.f.lat, record.f.lon], Math.max(map.getZoom(), 8), { animate: false });
      return openDot(map, record, returnTo || null);
    }
    var layer = record.layer;
    if (!keepView) {
      if (layer.getBounds) {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 9, animate: false });
      } else {
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), 8), { animate: false });
      }
    }
    if (holder.zoomToShowLayer) showInCluster(map, holder, layer);
    else layer.openPopup();
  }

  // leaflet.markercluster 1.4 (the XStatic release on PyPI) waits in zoomToShowLayer for the
  // layer's icon, which a circle marker never has: zoom past the clustering, then open it.
  function showInCluster(map, holder, layer) {
    var unclustered = holder.options.disableClusteringAtZoom;
    if (!map.hasLayer(layer) && unclustered) {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), unclustered), { animate: false });
    }
    if (map.hasLayer(layer)) layer.openPopup();
    else holder.zoomToShowLayer(layer, function () { layer.openPopup(); });
  }

  // Apply a fragment: filters, sort, layers, view and the open feature; anything unreadable is ignored.
  function followHash(map) {
    var state = parseState(window.location.hash);
    writing = true;
    map.closePopup();
    openFeature = null;
    if (state.error) {
      note("This link\u2019s map state could not be read (" + state.error + ") and was ignored; showing the default view.");
      state = {};
    } else {
      note("");
    }
    resetFilters();
    if (state.doc) filter.doc = state.doc;
    if (state.q) filter.text = state.q.trim().toLowerCase();
    if (state.fromMonth !== undefined) filter.from = state.fromMonth;
    if (state.toMonth !== undefined) filter.to = state.toMonth;
    if (filter.from !== null && filter.to !== null && filter.from > filter.to) filter.to = filter.from;
    if (state.undated === "0") filter.undated = false;
    if (state.typeList && filter.types) {
      Object.keys(filter.types).forEach(function (t) { filter.types[t] = state.typeList.indexOf(t) >= 0; });
    }
    sort = state.sortBy || { key: "date", desc: true };
    if (state.layerList) {
      KINDS.forEach(function (k) {
        var want = state.layerList.indexOf(k) >= 0;
        if (groups[k] && want !== map.hasLayer(groups[k])) {
          if (want) map.addLayer(groups[k]); else map.removeLayer(groups[k]);
        }
      });
    }
    syncers.forEach(function (sync) { sync(); });
    applyFilter();
    if (state.view) map.setView([state.view[0], state.view[1]], state.view[2], { animate: false });
    else if (!state.target) fitData(map);
    var record = state.target ? findTarget(state.target) : null;
    if (state.target && !record) note("The linked feature (" + state.target.id + ") is not on this map.");
    if (record) {
      focusMention = state.target.kind === "m" ? state.target.id : null;
      reveal(map, record, !!state.view && record.shown);
    }
    writing = false;
    writeState(map);
  }

  function fitData(map) {
    map.fitBounds(data.bounds, { maxZoom: 9, animate: false, padding: [24, 24] });
  }

  // Keep an open popup clear of every control: pan it inside the part of the map they leave
  // free, and make it no larger than that part.
  function popupRoom(map) {
    var box = map.getContainer().getBoundingClientRect();
    var left = 0, top = 0, bottom = 0, right = 0;
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) return;
      var corner = c.parentNode.className;
      if (/leaflet-top/.test(corner) && /leaflet-left/.test(corner)) left = Math.max(left, r.right - box.left);
      else if (/leaflet-top/.test(corner)) top = Math.max(top, r.bottom - box.top);
      else bottom = Math.max(bottom, box.bottom - r.top);
    });
    var sheet = side().getBoundingClientRect();
    if (narrow() && sheet.top < box.bottom) bottom = Math.max(bottom, box.bottom - sheet.top);
    return {
      topLeft: [left + 8, top + 8],
      bottomRight: [right + 8, bottom + 8],
      width: box.width - left - right - 16,
      height: box.height - top - bottom - 16
    };
  }

  function fitPopup(map, popup) {
    var room = popupRoom(map);
    popup.options.autoPanPaddingTopLeft = room.topLeft;
    popup.options.autoPanPaddingBottomRight = room.bottomRight;
    popup.options.maxWidth = Math.max(160, Math.min(380, room.width - 50));
    popup.options.minWidth = Math.min(popup.options.minWidth, popup.options.maxWidth);
    popup.options.maxHeight = Math.max(120, Math.min(420, room.height - 60));
    popup.update();
  }

  function start(map) {
    var container = map.getContainer();
    // The layer switcher lives in the panel, not over the map.
    var layers = container.querySelector(".leaflet-control-layers");
    var slot = side().querySelector(".gk-layers");
    if (layers && slot) {
      el("h2", null, "Layers", slot);
      slot.appendChild(layers);
    }
    if (!narrow()) sheetOpen(false);
    map.invalidateSize();
    function zoomClass() {
      container.classList.toggle("gk-lowzoom", map.getZoom() < 6);
    }
    map.on("zoomend", zoomClass);
    map.on("moveend", function () { writeState(map); });
    map.on("overlayadd overlayremove", function () { writeState(map); });
    map.on("popupopen", function (event) {
      var popup = event.popup;
      if (narrow()) sheetOpen(false);
      fitPopup(map, popup);
      var focused = popup.getElement().querySelector(".gk-focus");
      if (focused) focused.scrollIntoView({ block: "nearest" });
      var source = popup._source;
      var record = popupRecord(popup);
      if (record) {
        var kind = { incidents: "i", regions: "r", mentions: "m" }[record.kind];
        openFeature = focusMention ? { kind: "m", id: focusMention } : { kind: kind, id: record.id };
        if (source && source.gkByKeyboard) {
          source.gkByKeyboard = false;
          var content = popup.getElement().querySelector(".leaflet-popup-content");
          content.setAttribute("tabindex", "-1");
          content.focus();
        }
      }
      writeState(map);
    });
    map.on("popupclose", function (event) {
      focusMention = null;
      openFeature = null;
      writeState(map);
      hideOutline(map, event.popup);
      var node = popupReturn(event.popup);
      if (node && event.popup.getElement() && event.popup.getElement().contains(document.activeElement)) node.focus();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && map._popup && map.hasLayer(map._popup)) {
        var node = popupReturn(map._popup);
        map.closePopup();
        if (node) node.focus();
      }
    });
    window.addEventListener("resize", function () {
      if (!narrow()) sheetOpen(false);
    });
    // Printing: the map takes the page width; Leaflet redraws for it.
    window.addEventListener("beforeprint", function () { map.invalidateSize(); });
    window.addEventListener("afterprint", function () { map.invalidateSize(); });
    window.addEventListener("hashchange", function () { followHash(map); });
    window.gkCounts = shownCounts();
    GK.ready = true;
    followHash(map);
    zoomClass();
    window.gkReadyAt = performance.now();  // for benchmarks/map_load.py
    window.gkReady = true;
  }

  var GK = window.GK = {
    draw: function (map, group, kind) {
      groups[kind] = group;
      draw[kind](group, map);
      if (holders[kind]) addAll(kind);
    },
    panel: panel,
    fullscreen: fullscreen,
    fitAll: fitAll,
    attribution: attribution,
    start: start,
    shownCounts: shownCounts,  // features in their layers now (tests and benchmarks)
    cells: function () {  // the cells drawn now, in container points (tests)
      var dots = holders.incidents, map = dots && dots._map;
      return dots && dots.cells && map ? dots.cells.map(function (c) {
        var p = map.layerPointToContainerPoint([c.x, c.y]);
        return { x: p.x, y: p.y, n: c.n };
      }) : null;
    }
  };
  }
})();
