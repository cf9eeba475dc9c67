// 决策辅助: the monthly intake with next month's forecast (dashboard/forecast.html). The data
// comes from the json_script element #forecast-chart-data, built by dashboard.forecast._chart.
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("forecast-chart");
    var source = document.getElementById("forecast-chart-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var last = data.months.length - 1;
    var series = [
      { name: labels.actual, type: "line", data: data.actual, symbolSize: 5, itemStyle: { color: "#1d4e89" } },
      {
        name: labels.replayed, type: "line", data: data.replayed, symbolSize: 4,
        lineStyle: { type: "dashed" }, itemStyle: { color: "#b45309" },
      },
      {
        name: labels.so_far, type: "scatter", data: data.so_far, symbolSize: 9,
        itemStyle: { color: "#fff", borderColor: "#6b7280", borderWidth: 2 },
      },
      {
        name: labels.forecast, type: "scatter", data: data.forecast, symbol: "diamond", symbolSize: 14,
        itemStyle: { color: "#c2410c" }, label: { show: true, position: "top", formatter: function (p) { return Math.round(p.value); } },
      },
    ];
    if (data.band) {
      // The error band: an invisible bar up to the low end, and a faint one from low to high.
      var base = data.months.map(function (_, i) { return i === last ? data.band[0] : null; });
      var spread = data.months.map(function (_, i) { return i === last ? data.band[1] - data.band[0] : null; });
      series.push(
        { name: "band-base", type: "bar", stack: "band", data: base, itemStyle: { color: "transparent" }, barWidth: 18, tooltip: { show: false }, silent: true },
        { name: labels.band, type: "bar", stack: "band", data: spread, itemStyle: { color: "rgba(194, 65, 12, .18)" }, barWidth: 18, silent: true }
      );
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      legend: { top: 0, data: [labels.actual, labels.replayed, labels.so_far, labels.forecast].concat(data.band ? [labels.band] : []) },
      // Drawn on the canvas (richText), not as HTML: the CSP allows no inline style, which the
      // colour marker of an HTML tooltip is.
      tooltip: { trigger: "axis", renderMode: "richText", formatter: function (items) {
        var lines = [items[0].axisValue];
        items.forEach(function (p) {
          if (p.value == null || p.seriesName === "band-base") return;
          if (p.seriesName === labels.band) {
            lines.push(p.marker + labels.band + ": " + data.band[0] + "–" + data.band[1]);
          } else {
            lines.push(p.marker + p.seriesName + ": " + p.value);
          }
        });
        return lines.join("\n");
      } },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } },
      series: series,
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
