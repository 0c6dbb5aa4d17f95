// flowdoctor dashboard: small progressive enhancements; every page works without this script.
"use strict";

// Sortable tables: headers become buttons (keyboard reachable); cells sort by data-value or text.
function makeSortable(table) {
  const headers = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
  headers.forEach((th, index) => {
    const kind = th.dataset.sort;
    if (!kind) return;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const key = (row) => {
        const cell = row.cells[index];
        const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        return kind === "number" ? parseFloat(raw) || 0 : raw.toLowerCase();
      };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      const fragment = document.createDocumentFragment();
      rows.forEach((r) => fragment.appendChild(r));
      body.appendChild(fragment);
    });
  });
}

// Search boxes: data-filter names the table whose rows are hidden unless they contain the text.
// The table is looked up on every keystroke: a live region may have replaced it.
function applyFilter(input) {
  const table = document.querySelector(input.dataset.filter);
  if (!table || !table.tBodies.length) return;
  const needle = input.value.trim().toLowerCase();
  for (const row of table.tBodies[0].rows) {
    row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
  }
}

function makeFilter(input) {
  input.addEventListener("input", () => applyFilter(input));
}

// Live regions: data-live names a fragment URL fetched every few seconds and swapped in.
function makeLive(region) {
  const every = parseInt(region.dataset.every || "5000", 10);
  const refresh = async () => {
    // Never swap under someone's hands: a focused field or an open action panel stays as it is.
    if (region.contains(document.activeElement) || region.querySelector("details[open]")) return;
    try {
      const response = await fetch(region.dataset.live, { headers: { Accept: "text/html" } });
      if (response.ok) {
        const html = await response.text();
        if (html !== region.dataset.last) {
          region.innerHTML = html;
          region.dataset.last = html;
          region.querySelectorAll("table.sortable").forEach(makeSortable);
          document.querySelectorAll("input[data-filter]").forEach(applyFilter);
          region.dispatchEvent(new CustomEvent("live-updated", { bubbles: true }));
        }
      }
    } catch (_) {
      // the server is restarting or the network is down: try again next time
    }
  };
  setInterval(refresh, every);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("input[data-filter]").forEach(makeFilter);
  document.querySelectorAll("[data-live]").forEach(makeLive);
});
