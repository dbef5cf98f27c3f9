// Olive's behaviour in markup, without inline handlers (the CSP refuses onclick=… and friends).
//   <select data-autosubmit>   submits its form when the choice changes
//   <form data-confirm="…">    asks before submitting
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
