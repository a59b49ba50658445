// The screening page: vote with the keyboard or the mouse; the next record arrives by HTMX.
// While a vote is on its way further keys are ignored, and the server treats a repeated
// vote as the same vote, so a double key press or a retry never counts twice.
(function () {
  "use strict";
  let busy = false;
  let excludeMode = false;
  let wentBack = false;
  let pendingVote = null; // what was just sent, shown once the server has taken it
  const LABELS = { include: "Include", maybe: "Maybe", exclude: "Exclude" };
  let tagMode = false;

  const panel = () => document.getElementById("screen-panel");
  const form = () => document.getElementById("vote-form");
  const reasons = () => document.getElementById("reasons");

  function submitVote(verdict, reason) {
    const f = form();
    if (!f || busy) return;
    f.querySelector("input[name=verdict]").value = verdict;
    f.querySelector("input[name=reason]").value = reason || "";
    const reasonButton = reason && reasons() && reasons().querySelector(`[data-reason="${CSS.escape(String(reason))}"]`);
    const reasonText = reasonButton ? reasonButton.textContent.replace(/^\s*\d\s*/, "").trim() : "";
    pendingVote = LABELS[verdict] + (reasonText ? ` (${reasonText})` : "");
    busy = true;
    // htmx.ajax, not a "submit" event: it works even when a key arrives before htmx has
    // processed the freshly swapped form.
    htmx.ajax("POST", f.getAttribute("action"), { source: f, target: "#screen", swap: "innerHTML" })
      .catch(() => { busy = false; });
  }

  function showReasons(show) {
    const r = reasons();
    if (!r) return;
    excludeMode = show;
    r.hidden = !show;
  }

  function pickReason(key) {
    const r = reasons();
    const button = r && r.querySelector(`[data-key="${key}"]`);
    if (button) submitVote("exclude", button.dataset.reason);
  }

  function goBack() {
    const p = panel();
    if (!p || busy) return;
    busy = true;
    wentBack = true;
    const from = p.dataset.record ? `?from=${encodeURIComponent(p.dataset.record)}` : "";
    htmx.ajax("GET", p.dataset.backUrl + from, { target: "#screen", swap: "innerHTML" });
  }

  // "t" then a tag's key: toggle that tag on the record (the picker's own form, by HTMX).
  function showTags(show) {
    const picker = document.querySelector("#screen-panel [data-testid=tag-picker]");
    tagMode = show && !!picker;
    if (picker) picker.open = tagMode;
  }

  function pickTag(key) {
    const button = document.querySelector(`#screen-panel [data-tag-key="${key}"]`);
    showTags(false);
    if (!button) return;
    // The chips may have just been swapped in: make sure HTMX has bound their form (it
    // does so when the swap settles), or the browser would post it as a whole page.
    if (window.htmx) htmx.process(button.form);
    button.form.requestSubmit(button);
  }

  // Full text: a click into the PDF takes the keyboard away from the page (its viewer gets
  // the keys). Say so, give it back when the pointer leaves the PDF, and let "f" move the
  // keyboard into the PDF on purpose (to scroll it with the keys).
  const pdf = () => document.querySelector("#screen-panel [data-testid=pdf]");
  const HINT_PAGE = "The page has the keyboard: shortcuts work. ";
  const HINT_PDF = "The PDF has the keyboard: shortcuts are paused until the pointer leaves the PDF (or you click the page).";

  function showPdfFocus(inPdf) {
    const hint = document.getElementById("pdf-hint");
    if (!hint) return;
    hint.classList.toggle("pdf-has-focus", inPdf);
    hint.replaceChildren();
    if (inPdf) {
      hint.textContent = HINT_PDF;
    } else {
      const kbd = document.createElement("kbd");
      kbd.textContent = "f";
      hint.append(HINT_PAGE, kbd, " moves it into the PDF; moving the pointer off the PDF brings it back.");
    }
  }

  function focusPage() {
    const p = panel();
    if (p) p.focus({ preventScroll: true });
    showPdfFocus(false);
  }

  function togglePdf() {
    const frame = pdf();
    if (!frame) return;
    if (document.activeElement === frame) focusPage();
    else { frame.focus(); showPdfFocus(true); }
  }

  // Chromium's PDF viewer takes the focus once its document has loaded, and the browser
  // scrolls the PDF into view: on a tablet the vote buttons left the first screen. A grab
  // within a few seconds of the PDF's load, before the reviewer has done anything on the
  // page, is undone (focus and scroll back); a click into the PDF later is theirs.
  let acted = false;
  for (const type of ["pointerdown", "keydown", "touchstart", "wheel"]) {
    document.addEventListener(type, () => { acted = true; }, { capture: true, passive: true });
  }
  const restAt = [window.scrollX, window.scrollY];
  let grabUntil = performance.now() + 8000;
  document.addEventListener("load", (event) => {
    if (event.target === pdf()) grabUntil = Math.max(grabUntil, performance.now() + 5000);
  }, true);
  let undone = false;  // a grab was undone: the browser's scroll into view may follow it
  const early = () => !acted && performance.now() < grabUntil;
  const grabbed = () => early() && document.activeElement === pdf();
  const undoGrab = () => { undone = true; focusPage(); window.scrollTo(restAt[0], restAt[1]); };
  window.addEventListener("scroll", () => {
    if (early() && (undone || document.activeElement === pdf())) window.scrollTo(restAt[0], restAt[1]);
  });

  window.addEventListener("blur", () => {
    // The iframe is the active element once the click has moved focus into it.
    setTimeout(() => {
      if (grabbed()) undoGrab();
      else if (pdf() && document.activeElement === pdf()) showPdfFocus(true);
    }, 0);
  });
  window.addEventListener("focus", () => { if (pdf() && document.activeElement !== pdf()) showPdfFocus(false); });
  // The page only sees the pointer once it is off the PDF (the PDF's viewer has it meanwhile).
  for (const type of ["mouseover", "mousemove"]) {
    document.addEventListener(type, (event) => {
      if (pdf() && event.target !== pdf() && document.activeElement === pdf()) focusPage();
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.isContentEditable);
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (busy) return;
    const key = event.key;
    if (tagMode) {
      event.preventDefault();
      if (key === "Escape") showTags(false);
      else if (/^[a-z]$/.test(key)) pickTag(key);
      return;
    }
    if (excludeMode) {
      if (key === "Escape") { showReasons(false); event.preventDefault(); return; }
      if (/^[0-9]$/.test(key)) { pickReason(key); event.preventDefault(); return; }
    }
    switch (key) {
      case "i": submitVote("include"); break;
      case "m": submitVote("maybe"); break;
      case "e": if (form()) showReasons(true); break;
      case "n": { const note = document.getElementById("vote-note"); if (note) note.focus(); break; }
      case "u": goBack(); break;
      case "t": showTags(true); break;
      case "f": if (!pdf()) return; togglePdf(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-verdict], [data-reason], [data-back]");
    if (!el) return;
    event.preventDefault();
    if (el.hasAttribute("data-back")) goBack();
    else if (el.dataset.verdict === "exclude") showReasons(!excludeMode);
    else if (el.dataset.verdict) submitVote(el.dataset.verdict);
    else if (el.hasAttribute("data-reason")) submitVote("exclude", el.dataset.reason);
  });

  // A visible line above the record after each vote: what was recorded, and how to undo it.
  function statusLine() {
    let line = document.getElementById("last-vote");
    const screen = document.getElementById("screen");
    if (!line && screen) {
      line = document.createElement("p");
      line.id = "last-vote";
      line.className = "last-vote small mb-2";
      line.setAttribute("role", "status");
      line.setAttribute("data-testid", "last-vote");
      screen.parentNode.insertBefore(line, screen);
    }
    return line;
  }

  function showLastVote(text) {
    const line = statusLine();
    if (!line) return;
    line.replaceChildren();
    const icon = document.createElement("i");
    icon.className = "bi bi-check-circle-fill me-1";
    icon.setAttribute("aria-hidden", "true");
    const strong = document.createElement("strong");
    strong.textContent = text;
    const kbd = document.createElement("kbd");
    kbd.textContent = "u";
    line.append(icon, "Last vote: ", strong, " — ", kbd, " to undo (back to that record)");
  }

  document.addEventListener("htmx:afterRequest", (event) => {
    busy = false;
    if (!event.detail.successful) pendingVote = null;
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    busy = false;
    // Only a new record on screen ends the modes: a tag chip swapped in (its own small
    // target) must not undo a "t" pressed meanwhile.
    if (!event.detail.target || event.detail.target.id !== "screen") return;
    excludeMode = false;
    tagMode = false;
    if (pendingVote) {
      showLastVote(pendingVote);
    } else if (wentBack) {
      const line = document.getElementById("last-vote");
      if (line) line.textContent = "Back to your previous vote: change it, or move on with i, m or e.";
    }
    pendingVote = null;
    wentBack = false;
  });
})();
