/* The public SKM page: the nine elements as a horizontal bar chart (chart.js, served by Loket). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("skm-data").textContent);
  var canvas = document.getElementById("skm-chart");
  if (!canvas || !window.Chart || !data.respondents) { return; }
  new window.Chart(canvas, {
    type: "bar",
    data: {
      // A phone has no room for the names beside the bars: the table under the chart has them.
      labels: data.elements.map(function (e, i) {
        return window.innerWidth < 600 ? "U" + (i + 1) : "U" + (i + 1) + " " + e.name;
      }),
      datasets: [{ data: data.elements.map(function (e) { return e.average; }),
                   backgroundColor: "#0b5cad" }]
    },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { min: 1, max: 4, ticks: { font: { size: 14 } } },
                y: { ticks: { font: { size: 14 } } } }
    }
  });
}());
