/* Small behaviours shared by every page: the phone menu, confirmations, copy buttons, and a
   guard that keeps a playing video from being swapped out by a live update. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var bar = toggle.closest(".topbar");
      var open = bar.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      field.select();
      var done = function () { copy.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input[data-select]")) { event.target.select(); }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var playing = Array.prototype.some.call(target.querySelectorAll("video"), function (video) {
      return !video.paused && !video.ended;
    });
    if (playing) { event.detail.shouldSwap = false; }
  });
})();

/* Style search on Create: clicking a result ticks that template or motion in the brief. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fill-kind]");
    if (!button) { return; }
    var form = button.closest("form");
    var kind = button.getAttribute("data-fill-kind");
    var value = button.getAttribute("data-fill-value");
    var name = kind === "template" ? "templates" : "animation_prompts";
    var box = value && form.querySelector('input[name="' + name + '"][value="' + CSS.escape(value) + '"]');
    if (box) {
      box.checked = true;
      box.dispatchEvent(new Event("change", {bubbles: true}));
      box.closest("label").scrollIntoView({block: "nearest", behavior: "smooth"});
    }
    var look = button.getAttribute("data-fill-look");
    if (look) {
      var search = form.querySelector('input[name="style_search"]');
      if (search) { search.value = look; }
    }
    button.classList.add("picked");
    button.querySelector(".match-action").textContent = "Added to the brief ✓";
  });
})();
