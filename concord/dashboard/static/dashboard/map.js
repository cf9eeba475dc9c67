// The command map (一屏观全域): the county outline (ECharts geo), a dot per open case coloured
// by risk, reloaded every 15 s; a click on a dot opens the case panel beside the map.
// Everything comes from data-* attributes and the "map-risks" JSON: no inline script.
(function () {
  "use strict";

  const MAP_NAME = "concord-county";
  // Above this many red dots the ripple animation costs more than it tells.
  const RIPPLE_MAX = 300;
  // Dots shrink as they crowd: [up to this many dots, dot size].
  const SIZES = [
    [2000, 7],
    [20000, 5],
    [Infinity, 3.5],
  ];
  // A town or a village opens fitted to its dots: share of the map they fill, zoom bounds.
  const FIT_SHARE = 0.6;
  const FIT_ZOOM = [1, 3];

  function start() {
    const el = document.getElementById("command-map");
    if (!el || !window.echarts) return;
    const board = new Board(el, readJson("map-risks"), readJson("map-towns"));
    board.load();
    startClock();
  }

  function Board(el, risks, towns) {
    this.el = el;
    this.cfg = el.dataset;
    this.risks = risks;
    this.towns = towns;
    this.dark = this.cfg.theme === "dark";
    this.chart = echarts.init(el, null, { renderer: "canvas" });
    this.selected = null;
    this.selectedAt = null;
    this.fitted = !this.cfg.centre; // the county opens whole
    this.refreshing = false;
    // What the panel says before a dot is clicked, put back when the panel is closed.
    const panel = document.getElementById("case-panel");
    this.hint = panel ? [...panel.childNodes].map((node) => node.cloneNode(true)) : [];
    // The map's box changes when the KPI cards arrive or the window resizes.
    new ResizeObserver(() => this.chart.resize()).observe(el);
    this.chart.on("click", (params) => {
      const item = params.data || params.value; // large mode hands the value only
      if (params.componentType === "series" && item && params.seriesId !== "selected") {
        this.open(item[2], item.slice(0, 2));
      }
    });
    // Other scripts can open a case without aiming at a pixel: detail {id, lng, lat}.
    el.addEventListener("concord:open-case", (event) => {
      const { id, lng, lat } = event.detail;
      this.open(id, lng == null ? null : [lng, lat]);
    });
  }

  Board.prototype.load = function () {
    fetchJson(this.cfg.geojsonUrl)
      .then((geo) => {
        echarts.registerMap(MAP_NAME, geo);
        this.chart.setOption(this.baseOption());
        this.refresh();
        window.setInterval(() => this.refresh(), Number(this.cfg.refreshMs) || 15000);
      })
      .catch(() => this.fail());
  };

  Board.prototype.baseOption = function () {
    const dark = this.dark;
    const geo = {
      map: MAP_NAME,
      roam: true,
      scaleLimit: { min: 0.8, max: 40 },
      layoutCenter: ["50%", "50%"],
      layoutSize: "96%",
      itemStyle: {
        areaColor: dark ? "#0d2646" : "#e9eff8",
        borderColor: dark ? "#3fa7ff" : "#7c9cc7",
        borderWidth: dark ? 1.6 : 1.2,
        shadowColor: dark ? "rgba(63, 167, 255, 0.55)" : "rgba(29, 78, 137, 0.15)",
        shadowBlur: dark ? 18 : 6,
      },
      emphasis: { disabled: true },
      select: { disabled: true },
      tooltip: { show: false },
    };
    if (this.cfg.centre) {
      geo.center = this.cfg.centre.split(",").map(Number);
      geo.zoom = Number(this.cfg.zoom) || 1;
    }
    return {
      backgroundColor: "transparent",
      animation: false,
      tooltip: {
        trigger: "item",
        backgroundColor: dark ? "rgba(8, 20, 40, 0.9)" : "#fff",
        borderColor: dark ? "#3fa7ff" : "#cbd5e1",
        textStyle: { color: dark ? "#e6f1ff" : "#1f2937" },
        formatter: (p) => `${p.seriesName}${this.cfg.msgRisk} · ${this.cfg.msgClick}`,
      },
      geo: geo,
      series: this.series({}),
    };
  };

  // The towns' names under the dots, then one series per risk, low to high, so that red dots
  // are drawn on top; last a ring around the dot whose panel is open.
  Board.prototype.series = function (byRisk) {
    const names = {
      id: "towns",
      type: "scatter",
      coordinateSystem: "geo",
      data: this.towns.map((t) => [t.lng, t.lat, t.name]),
      symbolSize: 0,
      label: {
        show: true,
        position: "inside",
        formatter: (p) => p.data[2],
        color: this.dark ? "rgba(214, 234, 255, 0.85)" : "rgba(31, 41, 55, 0.75)",
        textBorderColor: this.dark ? "rgba(4, 14, 31, 0.8)" : "rgba(255, 255, 255, 0.85)",
        textBorderWidth: 2,
        fontSize: this.dark ? 13 : 11,
      },
      labelLayout: { hideOverlap: true },
      silent: true,
      tooltip: { show: false },
      zlevel: 3,
    };
    const ring = {
      id: "selected",
      type: "scatter",
      coordinateSystem: "geo",
      data: this.selectedAt ? [this.selectedAt] : [],
      symbolSize: 22,
      itemStyle: {
        color: "transparent",
        borderColor: this.dark ? "#fff" : "#1d4e89",
        borderWidth: 2.5,
      },
      silent: true,
      zlevel: 2,
    };
    return [names, ...this.riskSeries(byRisk), ring];
  };

  Board.prototype.riskSeries = function (byRisk) {
    const count = Object.values(byRisk).reduce((n, dots) => n + dots.length, 0);
    const crowded = count > SIZES[0][0];
    const size = SIZES.find(([most]) => count <= most)[1] + (this.dark && !crowded ? 1 : 0);
    return this.risks
      .slice()
      .reverse()
      .map((risk) => {
        const data = byRisk[risk.value] || [];
        const ripple = risk.value === "red" && data.length <= RIPPLE_MAX;
        return {
          id: risk.value,
          name: risk.label,
          type: ripple ? "effectScatter" : "scatter",
          coordinateSystem: "geo",
          data: data,
          symbolSize: risk.value === "red" ? size + 2 : risk.value === "orange" ? size + 1 : size,
          large: !ripple && data.length > 2000,
          largeThreshold: 2000,
          rippleEffect: { brushType: "stroke", scale: 3, period: 3 },
          itemStyle: {
            color: risk.colour,
            borderColor: this.dark ? "rgba(0, 0, 0, 0.45)" : "#fff",
            borderWidth: crowded ? 0 : 0.6, // borders of crowded dots darken the map
          },
          emphasis: { scale: 1.8 },
          cursor: "pointer",
          zlevel: 1,
        };
      });
  };

  Board.prototype.refresh = function () {
    if (this.refreshing) return; // a slow answer is not asked for twice
    this.refreshing = true;
    fetchJson(this.cfg.mapUrl)
      .then((answer) => this.show(answer))
      .catch(() => this.fail())
      .finally(() => {
        this.refreshing = false;
      });
  };

  Board.prototype.show = function (answer) {
    const byRisk = {};
    for (const [id, lng, lat, risk] of answer.points) {
      (byRisk[risk] = byRisk[risk] || []).push([lng, lat, id]);
    }
    // replaceMerge swaps a series whose type changed (ripple on or off) instead of mixing.
    this.chart.setOption({ series: this.series(byRisk) }, { replaceMerge: ["series"] });
    if (!this.fitted) this.fit(answer.points);
    for (const risk of this.risks) {
      setText(`[data-risk-count="${risk.value}"]`, (byRisk[risk.value] || []).length);
    }
    setText("#map-total", answer.total);
    setText("#map-located", answer.located);
    this.showUnlocated(answer.without_coordinates);
    const updated = document.getElementById("map-updated");
    if (updated) updated.textContent = `${updated.dataset.prefix} ${clock(new Date())}`;
    setText("#map-error", "");
    this.el.dataset.points = String(answer.points.length);
    this.el.dataset.loaded = "true";
  };

  // Zoom a town or a village onto its dots, once: later refreshes keep what the user chose.
  Board.prototype.fit = function (points) {
    this.fitted = true;
    if (points.length < 2) return;
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [, lng, lat] of points) {
      west = Math.min(west, lng);
      east = Math.max(east, lng);
      south = Math.min(south, lat);
      north = Math.max(north, lat);
    }
    const corner = (lng, lat) => this.chart.convertToPixel({ geoIndex: 0 }, [lng, lat]);
    const [x0, y0] = corner(west, north);
    const [x1, y1] = corner(east, south);
    const zoom = this.chart.getOption().geo[0].zoom || 1;
    const wide = Math.max(Math.abs(x1 - x0), 1);
    const tall = Math.max(Math.abs(y1 - y0), 1);
    const scale = Math.min(
      (this.chart.getWidth() * FIT_SHARE) / wide,
      (this.chart.getHeight() * FIT_SHARE) / tall,
    );
    this.chart.setOption({
      geo: {
        center: [(west + east) / 2, (south + north) / 2],
        zoom: Math.min(Math.max(zoom * scale, FIT_ZOOM[0]), FIT_ZOOM[1]),
      },
    });
  };

  Board.prototype.showUnlocated = function (rows) {
    const table = document.getElementById("unlocated");
    if (!table) return;
    const body = table.tBodies[0];
    body.replaceChildren();
    let total = 0;
    for (const row of rows) {
      total += row.n;
      const tr = body.insertRow();
      tr.dataset.town = row.code || "";
      const name = tr.insertCell();
      if (row.code) {
        const link = document.createElement("a");
        link.href = `${this.cfg.listUrl}?status=open&division=${encodeURIComponent(row.code)}`;
        link.textContent = row.name;
        name.append(link);
      } else {
        name.textContent = row.name;
      }
      const n = tr.insertCell();
      n.className = "num";
      n.textContent = row.n;
    }
    if (!rows.length) {
      const tr = body.insertRow();
      tr.className = "empty";
      const cell = tr.insertCell();
      cell.colSpan = 2;
      cell.className = "muted";
      cell.textContent = table.dataset.empty;
    }
    setText("#unlocated-total", rows.length ? total : "");
  };

  Board.prototype.open = function (id, at) {
    this.selected = id;
    this.selectedAt = at ? [at[0], at[1], id] : null;
    this.ring();
    const url = `${this.cfg.panelUrl.replace(/0$/, String(id))}?division=${this.cfg.division}`;
    fetchJson(url)
      .then((card) => {
        if (this.selected === id) this.showPanel(card);
      })
      .catch(() => this.showPanelError());
  };

  // The ring around the dot whose panel is open.
  Board.prototype.ring = function () {
    const data = this.selectedAt ? [this.selectedAt] : [];
    this.chart.setOption({ series: [{ id: "selected", data: data }] });
  };

  Board.prototype.showPanel = function (card) {
    const panel = document.getElementById("case-panel");
    const template = document.getElementById("case-panel-template");
    const node = template.content.firstElementChild.cloneNode(true);
    for (const field of node.querySelectorAll("[data-field]")) {
      field.textContent = pick(card, field.dataset.field, field.dataset.blank ?? "—");
    }
    for (const link of node.querySelectorAll("[data-field-href]")) {
      link.href = pick(card, link.dataset.fieldHref, "#");
    }
    const risk = node.querySelector(".board-risk");
    risk.classList.add(`board-risk-${card.risk_level}`);
    node.dataset.case = String(card.id);
    if (!card.assigned) node.querySelector('[data-field="organisation"]').classList.add("pending");
    node.querySelector("[data-close]").addEventListener("click", () => this.closePanel());
    panel.replaceChildren(node);
    panel.classList.add("open");
  };

  Board.prototype.showPanelError = function () {
    const panel = document.getElementById("case-panel");
    const p = document.createElement("p");
    p.className = "board-error";
    p.textContent = this.cfg.msgMissing;
    panel.replaceChildren(p);
  };

  Board.prototype.closePanel = function () {
    this.selected = null;
    this.selectedAt = null;
    this.ring();
    const panel = document.getElementById("case-panel");
    panel.classList.remove("open");
    panel.replaceChildren(...this.hint.map((node) => node.cloneNode(true)));
  };

  Board.prototype.fail = function () {
    setText("#map-error", this.cfg.msgFailed);
  };

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      },
    );
  }

  // The value at a dotted path of the panel's answer, or `missing`.
  function pick(obj, path, missing) {
    const value = path.split(".").reduce((o, key) => (o == null ? o : o[key]), obj);
    return value == null || value === "" ? missing : String(value);
  }

  function setText(selector, value) {
    for (const node of document.querySelectorAll(selector)) node.textContent = String(value);
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function clock(d) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  // The wall screen's clock.
  function startClock() {
    const el = document.getElementById("screen-clock");
    if (!el) return;
    const tick = () => {
      const d = new Date();
      const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      el.textContent = `${day} ${clock(d)}`;
    };
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
