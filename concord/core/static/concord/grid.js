// 网格上报: the 定位 button fills the hidden lat/lng from the phone's position; the submit
// button is disabled once pressed, so a slow upload is not sent twice. Texts come from the
// page's data attributes (translated there).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-locate]");
  if (!button) return;
  const status = document.getElementById("locate-status");
  const lat = document.getElementById("id_lat");
  const lng = document.getElementById("id_lng");
  if (!navigator.geolocation) {
    status.textContent = button.dataset.unsupported;
    return;
  }
  button.disabled = true;
  status.textContent = button.dataset.busy;
  navigator.geolocation.getCurrentPosition(
    (position) => {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      status.textContent = `${button.dataset.done} ${lat.value}, ${lng.value}`;
      button.disabled = false;
    },
    () => {
      lat.value = "";
      lng.value = "";
      status.textContent = button.dataset.failed;
      button.disabled = false;
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("#grid-form");
  if (!form) return;
  const button = form.querySelector("button[type=submit]");
  // After the browser has taken the form's data, not before.
  setTimeout(() => {
    button.disabled = true;
    button.textContent = button.dataset.busy;
  });
});
