// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so keyboard and screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();

  // Method choices (radios named "method"): show only the chosen method's fields. The other
  // fieldset is hidden, not removed, so what was typed there is kept and still saved.
  document.querySelectorAll("form").forEach((form) => {
    const radios = form.querySelectorAll('input[type="radio"][name="method"]');
    const sets = form.querySelectorAll("[data-method-fields]");
    if (!radios.length || !sets.length) return;
    const show = () => {
      const chosen = form.querySelector('input[name="method"]:checked');
      sets.forEach((set) => {
        set.hidden = chosen !== null && set.getAttribute("data-method-fields") !== chosen.value;
      });
    };
    radios.forEach((radio) => radio.addEventListener("change", show));
    show();
  });

  // Buttons that need a second thought (data-confirm="message").
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});

// An error summary's link to a field: focus the field with its question in view. A plain jump
// put a radio button at the top of the window, its legend and error message scrolled above it.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  if (!link) return;
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  const input = target.matches("input, select, textarea, button")
    ? target
    : target.querySelector("input, select, textarea");
  if (!input) return;
  const group = input.closest("fieldset");
  const question = group
    ? group.querySelector("legend") || group
    : (input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`)) || input;
  event.preventDefault();
  question.scrollIntoView({ block: "start" });
  input.focus({ preventScroll: true });
});

// One post per form: a second click while the first post is on its way (a double click) would
// send it again, and make a second entry, upload or action. Runs before every other submit
// handler, so a blocked click goes no further. Each post comes back as a new page; a page
// restored from the back/forward cache gets its forms back.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-sent")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    form.setAttribute("data-sent", "");
  },
  true,
);
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => form.removeAttribute("data-sent"));
});

// Autosave: forms with data-autosave post a draft a moment after the learner stops typing, and
// again when the page is hidden or left. The server refuses a stale version with 409; the text
// stays on the page and the message says what to do. Work is never dropped silently:
// - a Save pressed while a draft is on its way waits for it, so it carries the new version;
// - another form on the page (Send, for example) first saves any pending draft;
// - leaving a page with text the server has not stored (a draft not yet saved, or a save that
//   was refused: data-unsaved, data-stale) asks first.
const autosaveForms = [];
// keepalive requests (which outlive the page) may carry at most 64 KiB between them.
const KEEPALIVE_LIMIT = 60000;
const NOT_SAVED =
  "The draft could not be saved: you may have been signed out. Copy your text somewhere " +
  "safe, then reload the page.";

const bodySize = (data) => {
  let size = 0;
  data.forEach((value, key) => {
    size += key.length + (typeof value === "string" ? new Blob([value]).size : value.size);
  });
  return size;
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-autosave]").forEach((form) => {
    const url = form.getAttribute("data-autosave");
    const status = form.querySelector(".autosave-status");
    const version = form.querySelector("input[name=version]");
    let timer = null;
    let inflight = null;
    let dirty = false; // changed since the last draft was sent
    let unsaved = form.hasAttribute("data-unsaved"); // text on the page the server has not got
    let stale = form.hasAttribute("data-stale");
    let signedOut = false; // the last draft was refused for want of a session
    let submitting = false;

    const say = (text, problem) => {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("autosave-problem", Boolean(problem));
    };

    const save = (leaving) => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (inflight) return inflight.then(() => save(leaving));
      if (!dirty || stale) return Promise.resolve();
      dirty = false;
      say("Saving draft…");
      const body = new FormData(form);
      const keepalive = Boolean(leaving) && bodySize(body) < KEEPALIVE_LIMIT;
      inflight = fetch(url, { method: "POST", body, credentials: "same-origin", keepalive })
        .then((response) => {
          // Not JSON: the sign-in page (signed out elsewhere) or an error page. Not offline.
          // Signed out shows as the sign-in page or a refused request (the session's CSRF
          // token gone); a server error is not, and must not hold back the form's own Save.
          if (!(response.headers.get("content-type") || "").includes("json")) {
            const signedOutReply = response.redirected || [400, 401, 403].includes(response.status);
            return {
              response: { ok: false },
              data: { error: NOT_SAVED, signed_out: signedOutReply },
            };
          }
          return response.json().then((data) => ({ response, data }));
        })
        .then(({ response, data }) => {
          signedOut = !response.ok && Boolean(data.signed_out);
          if (response.ok) {
            if (version) version.value = data.version;
            unsaved = dirty;
            say("Draft saved at " + data.saved_at + ".");
          } else {
            stale = Boolean(data.stale);
            dirty = !stale;
            unsaved = true;
            say(data.error || "The draft could not be saved.", true);
          }
        })
        .catch(() => {
          dirty = true;
          unsaved = true;
          say("Offline: your draft will save when the connection returns. Keep this page open.",
            true);
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    };

    autosaveForms.push({
      // Save what is pending; resolves true when the server holds what the page shows.
      settle: () => {
        // Text a refused save left on the page goes as a draft now (the server may refuse it
        // again, and its message then shows here).
        if (unsaved && !stale) dirty = true;
        return save(false).then(() => {
          if (stale) say("Reload the page to see the newer version before you go on.", true);
          return !dirty && !unsaved && !stale;
        });
      },
      busy: () => dirty || unsaved || stale || inflight !== null,
    });

    form.addEventListener("input", () => {
      dirty = true;
      unsaved = true;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    form.addEventListener("submit", (event) => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (signedOut) {
        // Sent while signed out, the text would go to an error page and be lost. Try the
        // draft again first (the session may be back); still signed out, the text stays here
        // and the message beside the button says why.
        event.preventDefault();
        form.removeAttribute("data-sent");
        const submitter = event.submitter;
        dirty = true;
        save(false).then(() => {
          if (!signedOut) form.requestSubmit(submitter);
        });
        return;
      }
      submitting = true;
      if (inflight) {
        // Wait for the draft on its way, so the form carries the version it created; then
        // send it as the button pressed would ("Save and return", not a plain save), past the
        // double-submit guard that marked it sent.
        event.preventDefault();
        const submitter = event.submitter;
        inflight.then(() => {
          form.removeAttribute("data-sent");
          form.requestSubmit(submitter);
        });
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && dirty && !stale && !submitting) save(true);
    });
    window.addEventListener("beforeunload", (event) => {
      if (submitting) return;
      if (dirty && !stale) save(true);
      if (dirty || unsaved || inflight) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  // Forms that do not autosave (a recommendation, an analysis's commentary, mappings, an
  // upload): leaving the page with what was typed in them, unsent, asks first.
  document.querySelectorAll("form[data-warn-unsaved]").forEach((form) => {
    let changed = false;
    let sending = false;
    form.addEventListener("input", () => {
      changed = true;
    });
    form.addEventListener("submit", () => {
      sending = true;
    });
    window.addEventListener("pageshow", () => {
      sending = false; // back to this page from the next one: its form may be sent again
    });
    window.addEventListener("beforeunload", (event) => {
      if (changed && !sending) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  // Any other form on the page (Send, Request authorisation, ...) acts on the saved record:
  // save pending drafts first, and go ahead only once the server holds what the page shows.
  let settling = false;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.hasAttribute("data-autosave")) return;
    const busy = autosaveForms.filter((f) => f.busy());
    if (!busy.length) return;
    event.preventDefault();
    if (settling) return;
    settling = true;
    const submitter = event.submitter;
    Promise.all(busy.map((f) => f.settle())).then((results) => {
      settling = false;
      // Sent or not, it is not sent yet: the guard lets it go (now, or again once the page
      // has said why not).
      form.removeAttribute("data-sent");
      if (results.every(Boolean)) form.requestSubmit(submitter);
    });
  });
});
