// Live board: re-fetch the board's fragment every 30 seconds while the page is visible and
// the user has not paused it.
// Only a board fragment replaces the board: when the session has ended the fetch follows a
// redirect to the sign-in page, and that page (or an error page) must not fill the board.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  const url = board.getAttribute("data-refresh");
  let timer = null;

  // The refresh can be paused and resumed (WCAG 2.2.2: content that updates by itself). The
  // button is made here because without this script nothing refreshes.
  let paused = false;
  const pause = document.createElement("button");
  pause.type = "button";
  pause.className = "button secondary";
  pause.textContent = "Pause updates";
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume updates" : "Pause updates";
  });
  board.before(pause);

  // Stop refreshing and say why, with a link: by default one that reloads the page (which
  // signs in again first when the session has ended, then comes back here).
  const stop = (message, linkText, href = window.location.href) => {
    clearInterval(timer);
    pause.hidden = true; // nothing left to pause
    const notice = document.getElementById("board-notice");
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    notice.replaceChildren(`${message} `, link);
    notice.hidden = false;
  };
  // Replace the board, keeping a keyboard user's place: what had focus inside it is focused
  // again in the fresh board (the same link, or what stands where it stood), and the table
  // keeps its sideways scroll. Without this, focus fell to the page every 30 seconds.
  const focusable = () => [
    ...board.querySelectorAll("a[href], button, input, select, textarea, [tabindex='0']"),
  ];
  const keyOf = (el) => el.getAttribute("href") || el.id || el.getAttribute("aria-label");
  const replace = (html) => {
    const active = board.contains(document.activeElement) ? document.activeElement : null;
    const key = active && keyOf(active);
    const position = active ? focusable().indexOf(active) : -1;
    const scroller = board.querySelector(".table-scroll");
    const left = scroller ? scroller.scrollLeft : 0;
    board.innerHTML = html;
    const fresh = board.querySelector(".table-scroll");
    if (fresh) fresh.scrollLeft = left;
    if (!active) return;
    const now = focusable();
    const same = key ? now.find((el) => keyOf(el) === key) : null;
    const target = same || now[Math.min(position, now.length - 1)];
    if (target) target.focus({ preventScroll: true });
  };
  const ended = () =>
    stop("Your session has ended – sign in again to see the latest.", "Sign in again");

  timer = setInterval(() => {
    if (paused || document.visibilityState !== "visible") return;
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
        replace(html);
      })
      // A network blip: keep the board as it is and try again at the next refresh.
      .catch(() => {});
  }, 30000);
});
