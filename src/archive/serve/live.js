// qunshu serve: live reload. Reloads the page when the server says it
// changed, keeping the scroll position; reconnects if the server restarts.
(function () {
  var page = decodeURIComponent(location.pathname).replace(/^\//, "");
  if (page === "" || page.slice(-1) === "/") page += "index.html";
  var key = "qunshu-scroll:" + location.pathname;
  var y = sessionStorage.getItem(key);
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  if (y !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, parseFloat(y) || 0); };
    restore();
    window.addEventListener("load", function () { restore(); requestAnimationFrame(restore); });
  }
  var wasClosed = false;
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__qunshu/live");
    ws.onopen = function () { if (wasClosed) reload(); };
    ws.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.reload && (msg.pages === null || msg.pages.indexOf(page) >= 0)) reload();
    };
    ws.onclose = function () { wasClosed = true; setTimeout(connect, 500); };
  }
  connect();
})();
