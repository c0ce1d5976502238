// The connection form: the chosen provider shows its fields (AWS: regions and endpoint;
// OpenStack: Keystone fields and the login kind), and choosing another provider than the
// stored one opens "Replace credentials". Pages work without it (every section shows).
(function () {
  "use strict";

  function connectionForm(form) {
    const sync = () => {
      const provider = (form.querySelector('input[name="provider"]:checked') || {}).value || "aws";
      form.querySelectorAll("[data-provider]").forEach((s) => {
        s.hidden = s.dataset.provider !== provider;
      });
      const login = (form.querySelector('input[name="os_auth"]:checked') || {}).value || "password";
      form.querySelectorAll("[data-os-auth]").forEach((s) => {
        s.hidden = s.dataset.osAuth !== login;
      });
      const stored = form.dataset.storedProvider;
      const replace = form.querySelector("details[data-credentials]");
      if (replace && stored && stored !== provider) replace.open = true;
    };
    form.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-connection-form]").forEach(connectionForm);
  });
})();
