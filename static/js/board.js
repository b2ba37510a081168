// Live board: re-fetch the board's fragment every 30 seconds while the page is visible.
// Only a board fragment replaces the board: when the session has ended the fetch follows a
// redirect to the sign-in page, and that page (or an error page) must not fill the board.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  const url = board.getAttribute("data-refresh");
  let timer = null;

  // Stop refreshing and say why, with a link: by default one that reloads the page (which
  // signs in again first when the session has ended, then comes back here).
  const stop = (message, linkText, href = window.location.href) => {
    clearInterval(timer);
    const notice = document.getElementById("board-notice");
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    notice.replaceChildren(`${message} `, link);
    notice.hidden = false;
  };
  const ended = () =>
    stop("Your session has ended – sign in again to see the latest.", "Sign in again");

  timer = setInterval(() => {
    if (document.visibilityState !== "visible") return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (response.redirected) {
          ended();
          return null;
        }
        if (response.status === 404) {
          // Deleted since the page opened (set in error): nothing left to refresh.
          stop("This exercise has been deleted.", "Go to the exercises", board.dataset.list);
          return null;
        }
        if (!response.ok) {
          stop("The board could not be refreshed – reload the page to see the latest.", "Reload");
          return null;
        }
        return response.text();
      })
      .then((html) => {
        if (html === null) return;
        if (!html.includes("data-board-fragment")) {
          ended();
          return;
        }
        board.innerHTML = html;
      })
      // A network blip: keep the board as it is and try again at the next refresh.
      .catch(() => {});
  }, 30000);
});
