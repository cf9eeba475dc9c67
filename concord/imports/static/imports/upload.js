// The import upload form: a file over the size limit is refused before it is sent (the
// server refuses it too, with 413, but only after the browser has sent it all).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  const refusal = document.getElementById("upload-refused");
  if (!form || !refusal) return;
  form.addEventListener("submit", (event) => {
    const input = form.querySelector("input[type=file]");
    const file = input && input.files && input.files[0];
    if (file && file.size > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      refusal.textContent = form.dataset.tooLarge;
      refusal.hidden = false;
    }
  });
});
