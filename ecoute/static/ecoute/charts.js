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
 * No inline script or style is needed, so it works under script-src/style-src 'self'.
 * Charts are (re)drawn on page load, in content swapped by htmx and after an htmx
 * history restore (a restored container may hold a stale SVG; it is cleared and
 * redrawn); instances whose element left the page are disposed.
 */
(function () {
  "use strict";

  var live = new Map(); // element -> echarts instance
  var resizer = typeof ResizeObserver === "function"
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var chart = live.get(entry.target);
          if (chart) chart.resize();
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

  function numberFormatter(unit, digits) {
    var lang = pageLanguage();
    var french = lang.indexOf("fr") === 0;
    var options = { maximumFractionDigits: digits };
    if (unit === "€") {
      options.style = "currency";
      options.currency = "EUR";
    }
    var format = new Intl.NumberFormat(lang, options).format;
    return function (value) {
      if (value === null || value === undefined || value === "-" || isNaN(value)) return "–";
      var text = format(value);
      if (!unit || unit === "€") return text;
      if (unit === "%") return text + (french ? "\u202f%" : "%");
      return text + "\u00a0" + unit;
    };
  }

  function buildOption(spec) {
    var colors = palette();
    var text = cssVar("--color-text", "#1f2933");
    var muted = cssVar("--color-muted", "#52606d");
    var grid = cssVar("--color-border", "#d9dee4");
    var series = spec.series || [];
    var horizontal = spec.type === "bar" && spec.horizontal === true;
    var unit = series.length && series[0].unit ? series[0].unit : "";
    var axisFormat = numberFormatter(unit, 1);
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
    if (horizontal) categoryAxis.inverse = true; // first label on top, as in a table

    return {
      color: colors,
      animation: !reduceMotion,
      textStyle: { color: text, fontFamily: cssVar("--font-sans", "system-ui, sans-serif") },
      aria: { enabled: false }, // the container carries role="img" and aria-label
      grid: {
        left: 8, right: 16, bottom: 8,
        top: series.length > 1 || spec.y_label ? 44 : 16,
        containLabel: true,
      },
      legend: {
        show: series.length > 1,
        top: 0, left: "center",
        icon: "roundRect",
        textStyle: { color: text },
      },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: spec.type === "bar" ? "shadow" : "line" },
        confine: true,
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series.map(function (s) {
        var format = numberFormatter(s.unit || "", 2);
        var item = {
          name: s.name,
          type: spec.type === "line" ? "line" : "bar",
          data: s.data,
          tooltip: { valueFormatter: format },
          emphasis: { focus: "series" },
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
    chart.setOption(buildOption(spec));
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

  function drawAll(root) {
    if (typeof echarts === "undefined") return;
    pruneDetached();
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-chart]")) draw(scope);
    scope.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
  document.addEventListener("htmx:historyRestore", function () { drawAll(document); });
})();
