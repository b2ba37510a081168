// Live board: re-fetch the board's fragment every 30 seconds while the page is visible.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  const url = board.getAttribute("data-refresh");
  setInterval(() => {
    if (document.visibilityState !== "visible") return;
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (html !== null) board.innerHTML = html;
      })
      .catch(() => {});
  }, 30000);
});
