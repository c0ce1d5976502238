// Maestro web UI behaviour: tabs, adding and removing form rows, picking references from search
// results, database engine sections, the navigation menu on narrow screens, the access dialog,
// the account menu and copying a new API token. Pages work without it (every tab panel shows,
// rows can still be edited, the access dialog is a page); nothing here is evaluated from markup.
(function () {
  "use strict";

  let counter = Date.now();
  const nextIndex = () => String(++counter);

  // Tabs ------------------------------------------------------------------------------------
  function selectTab(tabs, tab, focus) {
    tabs.querySelectorAll(':scope > [role="tablist"] > [role="tab"]').forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
    if (focus) tab.focus();
  }

  function initTabs(tabs) {
    const list = Array.from(tabs.querySelectorAll(':scope > [role="tablist"] > [role="tab"]'));
    if (!list.length) return;
    tabs.classList.add("js");
    const wanted = tabs.dataset.open && document.getElementById(tabs.dataset.open + "-button");
    const hashPanel = location.hash && document.querySelector(location.hash);
    const hashTab = hashPanel && list.find((t) => {
      const p = document.getElementById(t.getAttribute("aria-controls"));
      return p && p.contains(hashPanel);
    });
    const first = wanted || hashTab || list.find((t) => t.hasAttribute("data-has-error")) || list[0];
    selectTab(tabs, first, false);
    list.forEach((t, i) => {
      t.addEventListener("click", () => selectTab(tabs, t, false));
      t.addEventListener("keydown", (e) => {
        let j = null;
        if (e.key === "ArrowRight") j = (i + 1) % list.length;
        if (e.key === "ArrowLeft") j = (i - 1 + list.length) % list.length;
        if (e.key === "Home") j = 0;
        if (e.key === "End") j = list.length - 1;
        if (j !== null) {
          e.preventDefault();
          selectTab(tabs, list[j], true);
        }
      });
    });
  }

  // Opens the tab that holds an element (error summary links).
  function reveal(el) {
    const panel = el.closest('[role="tabpanel"]');
    if (!panel) return;
    const tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    const tabs = panel.closest("[data-tabs]");
    if (tab && tabs) selectTab(tabs, tab, false);
  }

  // Rows ------------------------------------------------------------------------------------
  function fillIndex(fragment, index) {
    fragment.querySelectorAll("*").forEach((el) => {
      for (const attr of Array.from(el.attributes)) {
        if (attr.value.includes("__i__")) el.setAttribute(attr.name, attr.value.split("__i__").join(index));
      }
    });
  }

  function cloneTemplate(tpl) {
    const fragment = tpl.content.cloneNode(true);
    fillIndex(fragment, nextIndex());
    return fragment;
  }

  function updateCount(rows) {
    const count = rows.querySelector(":scope > .rows-empty");
    const list = rows.querySelector(":scope > [data-rows-list]");
    if (!count || !list) return;
    const n = list.querySelectorAll(":scope > [data-row]").length;
    const noun = (count.textContent.replace(/^\d+\s*/, "").replace(/s$/, "")) || "item";
    count.textContent = n + " " + noun + (n === 1 ? "" : "s");
  }

  function addRow(button) {
    const rows = button.closest("[data-rows]");
    const tpl = rows.querySelector(":scope > template[data-row-template]");
    const list = rows.querySelector(":scope > [data-rows-list]");
    if (!tpl || !list) return;
    const fragment = cloneTemplate(tpl);
    const row = fragment.querySelector("[data-row]");
    list.appendChild(fragment);
    if (window.htmx && row) window.htmx.process(row);
    updateCount(rows);
    const input = row && row.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus();
  }

  function removeRow(button) {
    const row = button.closest("[data-row]");
    const rows = row && row.closest("[data-rows]");
    if (!row) return;
    row.remove();
    if (rows) {
      updateCount(rows);
      const add = rows.querySelector(":scope > [data-add-row]");
      if (add) add.focus();
    }
  }

  // References --------------------------------------------------------------------------------
  function pickRef(button) {
    const refs = button.closest("[data-refs]");
    if (!refs) return;
    const list = refs.querySelector(":scope > [data-ref-list]");
    const tpl = refs.querySelector(":scope > template[data-ref-template]");
    const id = button.dataset.id;
    const taken = Array.from(list.querySelectorAll("input[data-ref-id]")).some((i) => i.value === id);
    if (!taken) {
      const fragment = cloneTemplate(tpl);
      const item = fragment.querySelector("[data-ref-item]");
      item.querySelector("input[data-ref-id]").value = id;
      const nameInput = item.querySelector("input[data-ref-name]");
      if (nameInput) nameInput.value = button.dataset.name;
      const link = item.querySelector("a[data-ref-link]");
      link.href = button.dataset.href;
      link.textContent = button.dataset.name;
      const label = item.querySelector("[data-ref-label]");
      if (label) label.textContent = " " + button.dataset.name;
      if (refs.hasAttribute("data-single")) list.replaceChildren();
      list.appendChild(fragment);
      if (window.htmx) window.htmx.process(item);
    }
    syncPicks(refs);
    // The picked button is now disabled and would drop the focus (Enter on it left the
    // keyboard nowhere): back to the search, to add another or move on.
    const query = refs.querySelector("[data-ref-query]");
    if (query) query.focus();
  }

  // Result buttons show which entities the list holds: after a pick (a single reference holds
  // one: the one it replaced is offered again), a removal, or new results.
  function syncPicks(refs) {
    const list = refs.querySelector(":scope > [data-ref-list]");
    if (!list) return;
    const held = new Set(Array.from(list.querySelectorAll("input[data-ref-id]")).map((i) => i.value));
    // The entity being edited cannot refer to itself: its own result is left out.
    const form = refs.closest("form[data-self]");
    refs.querySelectorAll("[data-ref-pick]").forEach((b) => {
      if (form && b.dataset.id === form.dataset.self) {
        b.closest("li").remove();
        return;
      }
      const added = held.has(b.dataset.id);
      b.disabled = added;
      const mark = b.querySelector(":scope > [data-added]");
      if (added && !mark) {
        const span = document.createElement("span");
        span.dataset.added = "";
        span.textContent = " — added";
        b.appendChild(span);
      } else if (!added && mark) {
        mark.remove();
      }
    });
    const found = refs.querySelector(".ref-found");
    if (found && form) {
      const count = found.querySelectorAll("li").length;
      const said = found.previousElementSibling;
      if (said && said.matches(".sr-only")) said.textContent = count + " found";
      if (count === 0) {
        const none = document.createElement("p");
        none.className = "muted";
        none.textContent = "Nothing else found.";
        found.replaceWith(none);
      }
    }
  }

  function removeRef(button) {
    const item = button.closest("[data-ref-item]");
    const refs = item && item.closest("[data-refs]");
    if (item) item.remove();
    if (refs) syncPicks(refs);
    const query = refs && refs.querySelector("[data-ref-query]");
    if (query) query.focus();
  }

  // Database engines ----------------------------------------------------------------------------
  function engineOf(name) {
    const n = (name || "").toLowerCase();
    if (n.includes("oracle")) return "oracle";
    if (["mysql", "maria", "aurora", "percona"].some((m) => n.includes(m))) return "mysql";
    return "";
  }

  function applyEngine(source) {
    const form = source.closest("form");
    if (!form) return;
    const engine = engineOf(source.value);
    form.querySelectorAll("[data-engine-only]").forEach((el) => {
      el.hidden = el.dataset.engineOnly !== engine;
    });
    form.querySelectorAll("[data-engine-lists]").forEach((input) => {
      const lists = {};
      input.dataset.engineLists.split(" ").forEach((pair) => {
        const [k, v] = pair.split(":");
        if (k && v) lists[k] = v;
      });
      const list = lists[engine] || lists["*"];
      if (list) input.setAttribute("list", list);
      else input.removeAttribute("list");
    });
  }

  // Wiring --------------------------------------------------------------------------------------
  document.addEventListener("click", (e) => {
    const t = e.target.closest("[data-add-row], [data-remove-row], [data-ref-pick], [data-remove-ref], [data-nav-toggle], [data-filters-toggle], a[data-error-link]");
    if (!t) return;
    if (t.matches("[data-add-row]")) addRow(t);
    else if (t.matches("[data-remove-row]")) removeRow(t);
    else if (t.matches("[data-ref-pick]")) pickRef(t);
    else if (t.matches("[data-remove-ref]")) removeRef(t);
    else if (t.matches("[data-nav-toggle]")) {
      const nav = document.getElementById(t.getAttribute("aria-controls"));
      const open = nav.classList.toggle("collapsed") === false;
      t.setAttribute("aria-expanded", open ? "true" : "false");
    } else if (t.matches("[data-filters-toggle]")) {
      const form = t.closest("form");
      const open = form.classList.toggle("collapsed") === false;
      t.setAttribute("aria-expanded", open ? "true" : "false");
    } else if (t.matches("a[data-error-link]")) {
      const target = document.querySelector(t.getAttribute("href"));
      if (target) {
        e.preventDefault();
        reveal(target);
        const focusable = target.matches("input, select, textarea") ? target : target.querySelector("input:not([type=hidden]), select, textarea, button");
        (focusable || target).focus();
      }
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.matches && e.target.matches("[data-ref-query]")) {
      e.preventDefault();
      if (window.htmx) window.htmx.trigger(e.target, "search");
    }
  });

  document.addEventListener("input", (e) => {
    if (e.target.matches && e.target.matches("[data-engine-source]")) applyEngine(e.target);
  });

  // Searching by another field (hostname, IP…) searches again with what is typed.
  document.addEventListener("change", (e) => {
    const bar = e.target.matches && e.target.matches("select[name=_by]") && e.target.closest(".ref-search-bar");
    const query = bar && bar.querySelector("[data-ref-query]");
    if (query && query.value.trim() && window.htmx) window.htmx.trigger(query, "search");
  });

  // New search results mark what the list already holds.
  document.addEventListener("htmx:afterSwap", (e) => {
    const refs = e.target.closest && e.target.closest("[data-refs]");
    if (refs) syncPicks(refs);
  });

  // Identity: the access dialog, the account menu, copying a new token ----------------------------
  function openDialog(link) {
    const dialog = document.getElementById(link.dataset.dialogOpen);
    const body = dialog && dialog.querySelector("#access-body, [data-dialog-body]");
    if (!dialog || !body || !window.htmx || typeof dialog.showModal !== "function") return false;
    window.htmx.ajax("GET", link.getAttribute("href"), { target: body, swap: "innerHTML" }).then(() => {
      if (!dialog.open) {
        dialog.showModal();
        // Escape, Close or Cancel: back to the button that opened it.
        dialog.addEventListener("close", () => link.focus(), { once: true });
      }
      const first = body.querySelector("input:not([type=hidden]), select, button, a");
      if (first) first.focus();
    });
    return true;
  }

  function copy(button) {
    const input = document.getElementById(button.dataset.copy);
    const status = button.closest("section") && button.closest("section").querySelector("[data-copy-status]");
    if (!input) return;
    input.select();
    const said = (text) => { if (status) status.textContent = text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(() => said("Copied."), () => said("Selected: press Ctrl+C to copy."));
    } else {
      said("Selected: press Ctrl+C to copy.");
    }
  }

  document.addEventListener("click", (e) => {
    const t = e.target.closest("[data-dialog-open], [data-dialog-close], [data-copy]");
    const menu = document.querySelector("details[data-menu][open]");
    if (menu && !menu.contains(e.target)) menu.open = false;
    if (!t) return;
    if (t.matches("[data-dialog-open]")) {
      if (openDialog(t)) e.preventDefault();
    } else if (t.matches("[data-dialog-close]")) {
      const dialog = t.closest("dialog");
      if (dialog) {
        e.preventDefault();
        dialog.close();
      }
    } else if (t.matches("[data-copy]")) copy(t);
  });

  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const menu = document.querySelector("details[data-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  document.addEventListener("focusin", (e) => {
    if (e.target.matches && e.target.matches("[data-select-all]")) e.target.select();
    const menu = document.querySelector("details[data-menu][open]");
    if (menu && !menu.contains(e.target)) menu.open = false;
  });

  function init() {
    document.querySelectorAll("[data-tabs]").forEach(initTabs);
    document.querySelectorAll("[data-engine-source]").forEach(applyEngine);
    const nav = document.getElementById("nav");
    const toggle = document.querySelector("[data-nav-toggle]");
    if (nav && toggle && window.matchMedia("(max-width: 52rem)").matches) {
      nav.classList.add("collapsed");
      toggle.setAttribute("aria-expanded", "false");
    }
    const filters = document.querySelector("form.filters");
    const filtersToggle = document.querySelector("[data-filters-toggle]");
    if (filters && filtersToggle && window.matchMedia("(max-width: 52rem)").matches && !filters.classList.contains("active")) {
      filters.classList.add("collapsed");
      filtersToggle.setAttribute("aria-expanded", "false");
    }
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
