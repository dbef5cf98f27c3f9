// Olive's behaviour in markup, without inline handlers (the CSP refuses onclick=… and friends).
//   <select data-autosubmit>   submits its form when the choice changes
//   <form data-confirm="…">    asks before submitting
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// Charts: <div class="plot" data-plot="{…plotly figure…}"> (ui/templatetags/olive_charts.py).
// plotly.js (served from /static, ~5 MB, cached) is fetched only by pages that have a chart,
// and charts that htmx swaps in later are drawn too.
let plotlyLoading = null;
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = document.querySelector('meta[name="olive-plotly"]').content;
      script.onload = () => resolve(window.Plotly);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  return plotlyLoading;
}
function drawCharts(root) {
  const plots = Array.from(root.querySelectorAll(".plot[data-plot]:not([data-drawn])"));
  if (!plots.length) return;
  loadPlotly().then((Plotly) => {
    for (const plot of plots) {
      const figure = JSON.parse(plot.dataset.plot);
      plot.dataset.drawn = "1";
      Plotly.newPlot(plot, figure.data, figure.layout, figure.config);
    }
  });
}
document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSettle", (event) => drawCharts(event.target));

// <form data-swap-400 hx-post=…>: a 400 answer (the form again, with its errors) is swapped in
// like a success, instead of being dropped as an error (htmx's default for 4xx).
document.addEventListener("htmx:beforeSwap", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 400 && source && source.closest("[data-swap-400]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
