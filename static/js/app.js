// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so keyboard and screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();

  // Buttons that need a second thought (data-confirm="message").
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});

// Autosave: forms with data-autosave post a draft a moment after the learner stops typing, and
// once more when the page is hidden. The server refuses a stale version with 409; the text
// stays on the page and the message says what to do.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-autosave]").forEach((form) => {
    const url = form.getAttribute("data-autosave");
    const status = form.querySelector(".autosave-status");
    const version = form.querySelector("input[name=version]");
    let timer = null;
    let dirty = false;
    let stale = false;

    const say = (text, problem) => {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("autosave-problem", Boolean(problem));
    };

    const save = () => {
      timer = null;
      if (!dirty || stale) return Promise.resolve();
      dirty = false;
      say("Saving draft…");
      return fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then((response) => response.json().then((body) => ({ response, body })))
        .then(({ response, body }) => {
          if (response.ok) {
            if (version) version.value = body.version;
            say("Draft saved at " + body.saved_at + ".");
          } else {
            stale = Boolean(body.stale);
            dirty = !stale;
            say(body.error || "The draft could not be saved.", true);
          }
        })
        .catch(() => {
          dirty = true;
          say("Offline: your draft will save when the connection returns. Keep this page open.", true);
        });
    };

    form.addEventListener("input", () => {
      dirty = true;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    form.addEventListener("submit", () => {
      dirty = false;
      if (timer) clearTimeout(timer);
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && dirty && !stale && navigator.sendBeacon) {
        navigator.sendBeacon(url, new FormData(form));
        dirty = false;
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !stale) {
        save();
        event.preventDefault();
      }
    });
  });
});
