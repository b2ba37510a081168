// Bulk export progress: poll the job's JSON every two seconds while the page is visible, update
// the bar and the status line, and show the download link when the zip is ready. Without
// JavaScript the page still says where the job stands, with a link to reload it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("export-progress");
  if (!section) return;
  const url = section.getAttribute("data-progress-url");
  if (!url) return;
  const bar = document.getElementById("export-bar");
  const error = document.getElementById("export-error");
  const download = document.getElementById("export-download");
  const reload = document.getElementById("export-reload");
  const field = (name) => section.querySelector(`[data-field="${name}"]`);
  let timer = null;

  const show = (job) => {
    field("status_label").textContent = job.status_label;
    field("done").textContent = String(job.done);
    field("total").textContent = String(job.total);
    bar.max = Math.max(job.total, 1);
    bar.value = job.total ? job.done : job.finished ? 1 : 0;
    bar.textContent = `${job.done} of ${job.total}`;
    if (job.error) {
      error.textContent = job.error;
      error.hidden = false;
    }
    if (job.download_url) {
      download.querySelector("a").href = job.download_url;
      download.hidden = false;
    }
    if (job.finished) {
      reload.hidden = true;
      clearInterval(timer);
    }
  };

  const poll = () => {
    if (document.visibilityState !== "visible") return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((job) => {
        if (job) show(job);
      })
      .catch(() => {});
  };

  timer = setInterval(poll, 2000);
  poll();
});
