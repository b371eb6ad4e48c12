/*
 * Draws every chart declared in the page with ECharts (SVG renderer).
 *
 *   {{ spec|json_script:"nps-trend" }}
 *   <div class="chart" data-chart="nps-trend"></div>
 *
 * The spec is computed by the Django view and stays declarative:
 *   {"type": "bar" | "line", "title": str?, "x": [labels],
 *    "series": [{"name": str, "data": [number | null], "unit": "€" | "%" | str?}],
 *    "y_label": str?, "y_min": number?, "y_max": number?, "horizontal": bool?}
 *
 * ECharts (1 MB) is fetched only when a page has a chart, from the URLs given on this
 * script's tag (unless the page already loaded it):
 *   <script src=".../charts.js" data-echarts=".../echarts.min.js"
 *           data-echarts-locale-fr=".../langFR.js" defer></script>
 *
 * No inline script or style is needed, so it works under script-src/style-src 'self'.
 * Charts are (re)drawn on page load, in content swapped by htmx and after an htmx
 * history restore (chart markup is kept out of htmx's history snapshot); instances
 * whose element left the page are disposed.
 */
(function () {
  "use strict";

  var tag = document.currentScript;
  var sources = tag ? { lib: tag.getAttribute("data-echarts"), fr: tag.getAttribute("data-echarts-locale-fr") } : {};
  var loading = null;
  var live = new Map(); // element -> echarts instance
  var horizontalLabels = new WeakMap(); // element -> category labels, for horizontal bars
  var resizer = typeof ResizeObserver === "function"
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var chart = live.get(entry.target);
          if (!chart) return;
          if (horizontalLabels.has(entry.target)) {
            var width = labelWidth(entry.target, horizontalLabels.get(entry.target));
            chart.setOption({ yAxis: { axisLabel: { width: width } } });
          }
          chart.resize();
        });
      })
    : null;

  function pageLanguage() {
    return (document.documentElement.lang || "en").toLowerCase();
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    var fallbacks = ["#2456a6", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#5d6d7e"];
    return fallbacks.map(function (color, i) {
      return cssVar("--chart-" + (i + 1), color);
    });
  }

  // compact: axis ticks ("250 k€"), otherwise tooltips ("254 980,75 €").
  function numberFormatter(unit, compact) {
    var lang = pageLanguage();
    var french = lang.indexOf("fr") === 0;
    var options = { maximumFractionDigits: compact ? 1 : 2 };
    if (unit === "€") {
      options.style = "currency";
      options.currency = "EUR";
      options.minimumFractionDigits = 0;
    }
    var plain = new Intl.NumberFormat(lang, options).format;
    options.notation = "compact";
    var short = new Intl.NumberFormat(lang, options).format;
    return function (value) {
      if (value === null || value === undefined || value === "-" || isNaN(value)) return "–";
      var text = compact && Math.abs(value) >= 10000 ? short(value) : plain(value);
      // French writes "100 k€", "140 M€": the sign against the multiple (the browsers' "140 M €" is not)
      if (french && unit === "€") return text.replace(/([a-zA-Z.])[\s\u00a0\u202f]+€$/, "$1€");
      if (!unit || unit === "€") return text;
      if (unit === "%") return text + (french ? "\u202f%" : "%");
      return text + "\u00a0" + unit;
    };
  }

  // Category labels of horizontal bars: as wide as the longest one, at most 40 % of the chart.
  function labelWidth(el, labels) {
    var longest = (labels || []).reduce(function (n, label) { return Math.max(n, String(label).length); }, 0);
    return Math.max(60, Math.min(Math.round(el.clientWidth * 0.4), longest * 7 + 8));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ECharts' default tooltip markup uses style attributes, which style-src 'self' blocks:
  // this one uses classes only (see .chart-tooltip in app.css).
  function tooltipFormatter(formats, paletteSize) {
    return function (params) {
      var items = Array.isArray(params) ? params : [params];
      if (!items.length) return "";
      var rows = items.map(function (p) {
        var format = formats[p.seriesIndex] || formats[0];
        var value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        return '<div class="chart-tooltip-row">' +
          '<span class="chart-tooltip-marker chart-color-' + ((p.seriesIndex % paletteSize) + 1) + '"></span>' +
          '<span class="chart-tooltip-name">' + escapeHtml(p.seriesName) + "</span>" +
          '<span class="chart-tooltip-value">' + escapeHtml(format(value)) + "</span></div>";
      });
      var title = items[0].axisValueLabel !== undefined ? items[0].axisValueLabel : items[0].name;
      return '<div class="chart-tooltip-title">' + escapeHtml(title) + "</div>" + rows.join("");
    };
  }

  function buildOption(spec, el) {
    var colors = palette();
    var text = cssVar("--color-text", "#1f2933");
    var muted = cssVar("--color-muted", "#52606d");
    var grid = cssVar("--color-border", "#d9dee4");
    var series = spec.series || [];
    var horizontal = spec.type === "bar" && spec.horizontal === true;
    var unit = series.length && series[0].unit ? series[0].unit : "";
    var axisFormat = numberFormatter(unit, true);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    var categoryAxis = {
      type: "category",
      data: spec.x || [],
      axisLine: { lineStyle: { color: grid } },
      axisTick: { show: false },
      axisLabel: { color: muted, hideOverlap: true },
    };
    var valueAxis = {
      type: "value",
      name: spec.y_label || "",
      nameTextStyle: { color: muted, align: horizontal ? "center" : "left" },
      nameLocation: horizontal ? "middle" : "end",
      nameGap: horizontal ? 28 : 12,
      min: spec.y_min,
      max: spec.y_max,
      axisLabel: { color: muted, formatter: function (v) { return axisFormat(v); } },
      splitLine: { lineStyle: { color: grid } },
    };
    if (horizontal) {
      categoryAxis.inverse = true; // first label on top, as in a table
      categoryAxis.axisLabel.width = labelWidth(el, spec.x);
      categoryAxis.axisLabel.overflow = "break";
      categoryAxis.axisLabel.lineHeight = 15;
    }

    return {
      color: colors,
      animation: !reduceMotion,
      textStyle: { color: text, fontFamily: cssVar("--font-sans", "system-ui, sans-serif") },
      aria: { enabled: false }, // the container carries role="img" and aria-label
      grid: {
        left: 8, right: 16, bottom: 8,
        top: series.length > 1 || spec.y_label ? 44 : 16,
        containLabel: true,
        outerBoundsClampWidth: "45%",
      },
      legend: {
        show: series.length > 1,
        top: 0, left: "center",
        icon: "roundRect",
        textStyle: { color: text },
      },
      tooltip: {
        trigger: "axis",
        axisPointer: {
          type: spec.type === "bar" ? "shadow" : "line",
          shadowStyle: { color: "rgba(36, 86, 166, 0.07)" },
          lineStyle: { color: muted, type: "dashed" },
        },
        confine: true,
        // The box is styled by ECharts through the CSSOM (allowed by the CSP), the content by classes.
        className: "chart-tooltip",
        padding: [8, 12],
        borderWidth: 1,
        borderColor: grid,
        backgroundColor: cssVar("--color-surface", "#fff"),
        textStyle: { color: text, fontSize: 13 },
        extraCssText: "border-radius: 6px; box-shadow: 0 8px 24px rgb(16 24 40 / 14%);",
        formatter: tooltipFormatter(series.map(function (s) {
          return numberFormatter(s.unit || "", false);
        }), colors.length),
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series.map(function (s) {
        var item = {
          name: s.name,
          type: spec.type === "line" ? "line" : "bar",
          data: s.data,
        };
        if (item.type === "line") {
          item.symbolSize = 7;
          item.connectNulls = false;
          item.lineStyle = { width: 2.5 };
        } else {
          item.barMaxWidth = 48;
          item.itemStyle = { borderRadius: horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0] };
        }
        return item;
      }),
    };
  }

  function readSpec(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) throw new Error("no JSON spec with id " + el.getAttribute("data-chart"));
    return JSON.parse(source.textContent);
  }

  function draw(el) {
    if (live.has(el) || !el.isConnected) return;
    var spec;
    try {
      spec = readSpec(el);
    } catch (error) {
      el.setAttribute("data-chart-state", "error");
      console.error("Écoute chart:", error);
      return;
    }
    // A container restored from the htmx history cache may hold a stale SVG.
    el.textContent = "";
    el.removeAttribute("_echarts_instance_");
    el.setAttribute("role", "img");
    if (spec.title) el.setAttribute("aria-label", spec.title);

    var chart = echarts.init(el, null, {
      renderer: "svg",
      locale: pageLanguage().indexOf("fr") === 0 ? "FR" : "EN",
    });
    chart.setOption(buildOption(spec, el));
    if (spec.type === "bar" && spec.horizontal === true) horizontalLabels.set(el, spec.x);
    live.set(el, chart);
    if (resizer) resizer.observe(el);
    el.setAttribute("data-chart-state", "ready");
  }

  function dispose(el) {
    var chart = live.get(el);
    if (!chart) return;
    if (resizer) resizer.unobserve(el);
    chart.dispose();
    live.delete(el);
    el.removeAttribute("data-chart-state");
  }

  function pruneDetached() {
    Array.from(live.keys()).forEach(function (el) {
      if (!el.isConnected) dispose(el);
    });
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(script);
    });
  }

  function ensureEcharts() {
    if (typeof window.echarts !== "undefined") return Promise.resolve();
    if (!loading) {
      if (!sources.lib) return Promise.reject(new Error("ECharts is not loaded and charts.js has no data-echarts URL"));
      loading = loadScript(sources.lib).then(function () {
        if (sources.fr && pageLanguage().indexOf("fr") === 0) return loadScript(sources.fr);
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function drawAll(root) {
    pruneDetached();
    var scope = root && root.querySelectorAll ? root : document;
    var charts = Array.from(scope.querySelectorAll("[data-chart]"));
    if (scope.matches && scope.matches("[data-chart]")) charts.unshift(scope);
    if (!charts.length) return;
    ensureEcharts().then(function () {
      charts.forEach(draw);
    }, function (error) {
      console.error("Écoute chart:", error);
      charts.forEach(function (el) { el.setAttribute("data-chart-state", "error"); });
    });
  }

  // htmx snapshots the page into its history cache right after this event, synchronously.
  // Chart markup carries style attributes that the CSP would block when the snapshot is
  // restored, so the charts are lifted out for the snapshot and put back just after it.
  function leaveChartsOutOfHistory(event) {
    var root = (event.detail && event.detail.historyElt) || document.body;
    var lifted = [];
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (!live.has(el)) return;
      var children = document.createDocumentFragment();
      while (el.firstChild) children.appendChild(el.firstChild);
      // getAttribute (not style.cssText) first: Chrome otherwise leaves an empty style="".
      lifted.push({ el: el, children: children, css: el.getAttribute("style"), instance: el.getAttribute("_echarts_instance_") });
      el.removeAttribute("style");
      el.removeAttribute("_echarts_instance_");
      el.removeAttribute("data-chart-state");
    });
    if (!lifted.length) return;
    queueMicrotask(function () {
      lifted.forEach(function (item) {
        item.el.appendChild(item.children);
        item.el.style.cssText = item.css || "";
        if (item.instance) item.el.setAttribute("_echarts_instance_", item.instance);
        item.el.setAttribute("data-chart-state", "ready");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
  document.addEventListener("htmx:historyRestore", function () { drawAll(document); });
  document.addEventListener("htmx:beforeHistorySave", leaveChartsOutOfHistory);
})();
