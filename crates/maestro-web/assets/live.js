// Live notifications: the event stream (/api/v1/events, authenticated by the session cookie)
// becomes toasts for finished jobs, disabled schedules and inventory changes, and updates job
// progress and status wherever the page shows them ([data-job] rows, a job's page; a list marked
// [data-new-jobs] is fetched again when a job it lacks appears), and fetches
// again the parts of a page that follow a job ([data-refresh-on] job ids) when it ends. Also the
// schedule form's module and period-type sections. Nothing here is evaluated from markup.
(function () {
  "use strict";

  // Schedule form: show the fields of the chosen module and period type. --------------------
  function scheduleForm(form) {
    const module = form.querySelector("[data-module-select]");
    const sync = () => {
      form.querySelectorAll("[data-module]").forEach((s) => {
        s.hidden = module && s.dataset.module !== module.value;
      });
      const kind = (form.querySelector("[data-trigger-select]") || {}).value || "interval";
      form.querySelectorAll("[data-trigger]").forEach((f) => {
        f.hidden = f.dataset.trigger !== kind;
      });
    };
    form.addEventListener("change", sync);
    sync();
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach((f) => {
      f.addEventListener("submit", (e) => {
        if (!window.confirm(f.dataset.confirm)) e.preventDefault();
      });
    });
  }

  // Toasts ----------------------------------------------------------------------------------
  let box = null;
  function toast(text, kind, href) {
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    const t = document.createElement(href ? "a" : "div");
    t.className = "toast toast-" + kind;
    t.textContent = text;
    if (href) t.href = href;
    box.appendChild(t);
    while (box.children.length > 4) box.removeChild(box.firstChild);
    setTimeout(() => t.remove(), 6000);
  }

  const FINAL = ["succeeded", "failed", "cancelled"];
  const BADGE = { succeeded: "badge badge-ok", failed: "badge badge-error", cancelled: "badge badge-muted" };

  function showJob(d) {
    document.querySelectorAll('[data-job="' + CSS.escape(d.id) + '"]').forEach((el) => {
      const scope = el.hasAttribute("data-job-page") ? document : el;
      const status = scope.querySelector('[data-field="status"]');
      if (status && d.status) {
        status.textContent = d.status;
        status.className = BADGE[d.status] || "badge";
      }
      const progress = scope.querySelector('[data-field="progress"]');
      if (progress && typeof d.progress === "number") progress.value = d.progress;
      const error = el.querySelector('[data-field="error"]');
      if (error && d.error) error.textContent = d.error;
    });
  }

  // Re-renders an element (it has an id) from a fresh copy of the page; a job ending while that
  // is under way asks for one more.
  const refreshing = {};
  function refresh(el) {
    const id = el.id;
    if (!window.htmx || !id) return;
    if (refreshing[id]) {
      refreshing[id] = "again";
      return;
    }
    refreshing[id] = "busy";
    const done = () => {
      const again = refreshing[id] === "again";
      delete refreshing[id];
      const fresh = document.getElementById(id);
      if (again && fresh) refresh(fresh);
    };
    setTimeout(() => {
      window.htmx.ajax("GET", location.pathname + location.search, { target: "#" + id, select: "#" + id, swap: "outerHTML" })
        .then(done, done);
    }, 300);
  }

  function onEvent(type, d) {
    if (type === "job.progress") return showJob(d);
    if (type === "job.status") {
      // A job this list does not show yet (just queued): the list is fetched again.
      if (!document.querySelector('[data-job="' + CSS.escape(d.id) + '"]')) {
        document.querySelectorAll("[data-new-jobs]").forEach(refresh);
      }
      showJob(d);
      const page = document.querySelector("[data-job-page]");
      if (FINAL.includes(d.status)) {
        toast(d.name + ": " + d.status + (d.error && d.status === "failed" ? " (" + d.error + ")" : ""),
          d.status === "succeeded" ? "ok" : "error", "/jobs/" + d.id);
        if (page && page.dataset.job === d.id) setTimeout(() => location.reload(), 400);
        // A part of the page following this job (a connection's syncs) is fetched again.
        document.querySelectorAll('[data-refresh-on~="' + CSS.escape(d.id) + '"]').forEach(refresh);
      }
      return;
    }
    if (type === "schedule.updated" && d.enabled === false && d.last_status === "failed") {
      toast("Schedule " + d.name + " disabled: " + (d.last_error || "its job failed"), "error", "/schedules/" + d.id);
      return;
    }
    if (type.startsWith("entity.")) gather(type.slice(7), d);
  }

  // Inventory changes come in bursts (a discovery sync announces every resource it writes):
  // gathered for half a second, a burst of more than three is one toast with its counts.
  let burst = [];
  function gather(verb, d) {
    burst.push([verb, d]);
    if (burst.length === 1) setTimeout(flush, 500);
  }
  function flush() {
    const events = burst;
    burst = [];
    if (events.length <= 3) {
      events.forEach(([verb, d]) =>
        toast((d.name || d.kind) + " " + verb, "info", verb === "deleted" ? null : "/" + d.collection + "/" + d.id));
      return;
    }
    const counts = {};
    events.forEach(([verb]) => { counts[verb] = (counts[verb] || 0) + 1; });
    const parts = Object.keys(counts).map((verb) => counts[verb] + " " + verb);
    toast(events.length + " inventory changes: " + parts.join(", "), "info", null);
  }

  function stream() {
    if (!document.getElementById("nav") || !window.EventSource) return;
    const es = new EventSource("/api/v1/events");
    // Marks the page as following events (scripts and the browser test wait for it).
    es.addEventListener("open", () => { document.documentElement.dataset.live = "open"; });
    ["job.status", "job.progress", "schedule.updated", "entity.created", "entity.updated", "entity.deleted", "entity.restored"]
      .forEach((type) => es.addEventListener(type, (e) => {
        try {
          onEvent(type, JSON.parse(e.data).data || {});
        } catch (_) { /* a malformed event is ignored */ }
      }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-schedule-form]").forEach(scheduleForm);
    confirmForms();
    stream();
  });
})();
