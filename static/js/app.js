// reviewapp: shared page behaviour. Page-specific scripts live beside their templates' features.

// Forms that ask before they submit: <form data-confirm="Delete this import?">.
// (Inline onsubmit handlers would need 'unsafe-inline' in the Content-Security-Policy.)
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
