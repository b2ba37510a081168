// Bulk export progress: poll the job's JSON every two seconds while the page is visible, update
// the bar and the status line, and show the download link when the zip is ready. Without
// JavaScript the page still says where the job stands, with a link to reload it.
// When the session has ended the poll follows a redirect to the sign-in page: polling then
// stops and the page says so (as the live board does), rather than going quiet for good.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("export-progress");
  if (!section) return;
  const url = section.getAttribute("data-progress-url");
  if (!url) return;
  const bar = document.getElementById("export-bar");
  const failed = document.getElementById("export-failed");
  const error = document.getElementById("export-error");
  const download = document.getElementById("export-download");
  const reload = document.getElementById("export-reload");
  const notice = document.getElementById("export-notice");
  const field = (name) => section.querySelector(`[data-field="${name}"]`);
  const count = (n) => Number(n).toLocaleString("en-GB");
  let timer = null;

  // Stop polling and say why, with a link: by default one that reloads the page (which signs
  // in again first when the session has ended, then comes back here).
  const stop = (message, linkText, href = window.location.href) => {
    clearInterval(timer);
    timer = null;
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    notice.replaceChildren(`${message} `, link);
    notice.hidden = false;
    reload.hidden = true;
  };
  const ended = () =>
    stop(
      "Your session has ended – sign in again to see how the export is going.",
      "Sign in again",
    );

  const show = (job) => {
    field("status_label").textContent = job.status_label;
    // Grouped as the page prints them: "1,250 of 3,000".
    field("done").textContent = count(job.done);
    field("total").textContent = count(job.total);
    bar.max = Math.max(job.total, 1);
    bar.value = job.total ? job.done : job.finished ? 1 : 0;
    bar.textContent = `${count(job.done)} of ${count(job.total)}`;
    if (job.error) {
      error.textContent = job.error;
      failed.hidden = false;
    }
    if (job.download_url) {
      download.querySelector("a").href = job.download_url;
      download.hidden = false;
    }
    if (job.finished) {
      reload.hidden = true;
      clearInterval(timer);
      timer = null;
    } else if (job.stalled) {
      // Its server has stopped (a restart): polling would wait for ever.
      stop(
        "This export has not moved for a while: the server running it may have restarted.",
        "Start it again",
        section.getAttribute("data-restart-url"),
      );
    }
  };

  const poll = () => {
    if (timer === null || document.visibilityState !== "visible") return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        const json = (response.headers.get("Content-Type") || "").includes("application/json");
        if (response.redirected || (response.ok && !json)) {
          ended();
          return null;
        }
        if (!response.ok) {
          stop("The progress could not be checked – reload the page to see the latest.", "Reload");
          return null;
        }
        return response.json();
      })
      .then((job) => {
        if (job && timer !== null) show(job);
      })
      // A network blip: keep the page as it is and try again at the next poll.
      .catch(() => {});
  };

  timer = setInterval(poll, 2000);
  poll();
});
