// Confirmation for bulk and destructive actions, without inline script (CSP-safe).
// <form data-confirm="Delete {count} records?" data-confirm-button="Delete" data-confirm-count=".sel:checked">
// or data-confirm on the submit button. The dialog is a native <dialog>: focus starts on
// Cancel, Escape cancels, and the form is submitted (with its submit button) only on confirm.
(function () {
  "use strict";
  let dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-text");
    dialog.innerHTML =
      '<h2 class="h5" id="confirm-dialog-title">Are you sure?</h2>' +
      '<p id="confirm-dialog-text" data-testid="confirm-text"></p>' +
      '<div class="d-flex justify-content-end gap-2">' +
      '<button type="button" class="btn btn-outline-secondary" data-testid="confirm-cancel" value="cancel">Cancel</button>' +
      '<button type="button" class="btn btn-danger" data-testid="confirm-ok" value="ok">Confirm</button></div>';
    document.body.appendChild(dialog);
    return dialog;
  }

  function ask(form, submitter) {
    const source = submitter && submitter.dataset.confirm ? submitter : form;
    const selector = source.dataset.confirmCount || form.dataset.confirmCount;
    const count = selector ? document.querySelectorAll(selector).length : null;
    const d = dialog || build();
    const ok = d.querySelector("[value=ok]");
    const cancel = d.querySelector("[value=cancel]");
    const text = d.querySelector("#confirm-dialog-text");
    if (count === 0) {
      text.textContent = source.dataset.confirmNone || "Nothing is selected.";
      ok.hidden = true;
    } else {
      const fill = (s) => s.replace(/\{count\}/g, count === null ? "" : String(count));
      text.textContent = fill(source.dataset.confirm);
      ok.textContent = fill(source.dataset.confirmButton || "Confirm");
      ok.hidden = false;
    }
    d.querySelector("#confirm-dialog-title").textContent = source.dataset.confirmTitle || "Are you sure?";
    const close = () => d.close();
    ok.onclick = () => {
      d.close();
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
      delete form.dataset.confirmed;
    };
    cancel.onclick = close;
    d.showModal();
    cancel.focus();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.confirmed === "1") return;
    const submitter = event.submitter;
    if (!form.dataset.confirm && !(submitter && submitter.dataset.confirm)) return;
    event.preventDefault();
    event.stopPropagation(); // htmx forms too: nothing is sent until confirmed
    ask(form, submitter);
  }, true);
})();
