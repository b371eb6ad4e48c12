/*
 * Small page behaviours, declared with data attributes so templates need no inline script:
 *
 *   <form data-confirm="Supprimer ce client ?">           asks before submitting
 *   <button data-confirm="…"> / <a data-confirm="…">       asks before the click acts
 *   <select data-autosubmit>                               submits its form on change
 *   <button data-copy-target="#api-key">                   copies the target's text/value
 *   <details class="user-menu">                            closes on outside click / Escape
 *
 * Elements with class "js-hidden" (e.g. the fallback submit button next to an
 * autosubmit select) are hidden once this script runs.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ask(el) {
    var message = el && el.getAttribute("data-confirm");
    return !message || window.confirm(message);
  }

  // Forms: the submitting button's message wins over the form's own.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter
      : form.hasAttribute("data-confirm") ? form : null;
    if (source && !ask(source)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Links and stand-alone buttons (htmx buttons included: this runs before htmx sees the click).
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (!el || el.tagName === "FORM") return;
    var submits = el.form && (el.type === "submit" || el.type === "image");
    if (submits && !el.hasAttribute("hx-post") && !el.hasAttribute("hx-delete")) return; // asked on submit
    if (!ask(el)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[data-autosubmit]") || !select.form) return;
    if (typeof select.form.requestSubmit === "function") select.form.requestSubmit();
    else select.form.submit();
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-http fallback (e.g. a LAN install): a temporary selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve();
      else reject(new Error("copy refused"));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target) return;
    event.preventDefault();
    var text = target.tagName === "INPUT" || target.tagName === "TEXTAREA" ? target.value : target.textContent.trim();
    var label = button.getAttribute("data-copy-label") || button.textContent;
    button.setAttribute("data-copy-label", label);
    copyText(text).then(function () {
      button.textContent = button.getAttribute("data-copied") || (document.documentElement.lang.indexOf("fr") === 0 ? "Copié" : "Copied");
      button.classList.add("is-copied");
    }, function () {
      if (target.select) target.select();
    }).finally(function () {
      window.setTimeout(function () {
        button.textContent = label;
        button.classList.remove("is-copied");
      }, 2000);
    });
  });

  // Disclosure menus built on <details>: close when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });
})();
