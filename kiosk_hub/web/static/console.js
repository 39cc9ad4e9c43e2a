// The admin console's only script (a file: the console's Content-Security-Policy allows no inline script).
// A form with data-confirm asks before it is sent (revoking a kiosk, disabling a user).
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
