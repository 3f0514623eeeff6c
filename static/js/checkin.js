// The check-in desk (templates/checkin/desk.html). With JavaScript: each scan is
// sent with fetch and answered without a page reload, a camera can scan QR codes
// (the browser's BarcodeDetector, else the vendored jsQR), and the counters stay
// live. Without JavaScript the same forms post and redirect to the answer.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk || !window.fetch || !window.FormData) {
    return;
  }
  var scanForm = document.getElementById("scan-form");
  var codeInput = document.getElementById("code");
  var queue = [];
  var busy = false;

  // The words the desk shows, in the page's language (data-msg-* of #desk).
  function message(name) {
    return desk.getAttribute("data-msg-" + name) || "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function empty(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  // Both live regions are emptied, then the answer goes into one of them a moment
  // later, so that screen readers announce it even when it repeats the last one.
  function showAnswer(answer) {
    var status = document.getElementById("answer-status");
    var alertRegion = document.getElementById("answer-alert");
    empty(status);
    empty(alertRegion);
    var box = element("div", "answer card text-bg-" + answer.tone + " p-3");
    box.setAttribute("data-result", answer.result);
    var heading = element("p", "display-6 fw-bold mb-1 answer-heading");
    var icon = element("span", "answer-icon", answer.icon);
    icon.setAttribute("aria-hidden", "true");
    heading.appendChild(icon);
    heading.appendChild(document.createTextNode(" " + answer.heading));
    box.appendChild(heading);
    if (answer.name) {
      var name = element("p", "fs-3 fw-semibold mb-1 answer-name");
      name.appendChild(element("bdi", "", answer.name));
      box.appendChild(name);
      var who = element("p", "fs-5 mb-1 answer-who");
      who.appendChild(element("bdi", "", answer.organisation));
      who.appendChild(document.createTextNode(" · " + (answer.is_head ? "★ " : "") + answer.role));
      box.appendChild(who);
    }
    box.appendChild(element("p", "mb-0 answer-detail", answer.detail));
    window.setTimeout(function () {
      (answer.alert ? alertRegion : status).appendChild(box);
    }, 60);
  }

  function showProblem(text) {
    showAnswer({result: "error", tone: "danger", icon: "✗", heading: message("not-checked"),
                alert: true, name: "", detail: text});
  }

  function cell(tag, text, className) {
    var node = element(tag, className || "", String(text));
    return node;
  }

  function refreshCounters() {
    var url = desk.getAttribute("data-counters-url");
    if (!url) {
      return;
    }
    fetch(url, {
      credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.ok && isJson(response) ? response.json() : null;
    }).then(showCounters).catch(function () {});
  }

  function showCounters(counters) {
    var summary = document.getElementById("counter-summary");
    if (!summary || !counters) {
      return;
    }
    // The two numbers of the sentence; its words stay as the page wrote them.
    var numbers = summary.querySelectorAll("strong");
    if (numbers.length === 2) {
      numbers[0].textContent = String(counters.checked_in);
      numbers[1].textContent = String(counters.expected);
    }
    document.getElementById("counter-checked-in").textContent = counters.checked_in;
    document.getElementById("counter-expected").textContent = counters.expected;
    var body = document.querySelector("#counters tbody");
    empty(body);
    counters.kinds.forEach(function (kind) {
      var row = element("tr");
      row.setAttribute("data-kind", kind.kind);
      var label = cell("th", kind.label);
      label.setAttribute("scope", "row");
      row.appendChild(label);
      row.appendChild(cell("td", kind.checked_in, "text-end"));
      row.appendChild(cell("td", kind.expected, "text-end"));
      body.appendChild(row);
    });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function send(item) {
    busy = true;
    return fetch(item.form.action, {
      method: "POST", body: item.data, credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      if (!isJson(response)) {
        // Signed out, or the session expired: send the form the plain way so
        // the browser shows that page -- with the scanned code put back in it,
        // since the input was cleared (or, for a camera scan, never filled).
        item.data.forEach(function (value, name) {
          var field = item.form.elements.namedItem(name);
          if (field && field.type !== "file") { field.value = value; }
        });
        item.form.submit();
        return null;
      }
      return response.json().then(function (body) {
        if (response.ok) {
          showAnswer(body.answer);
          if (body.counters) {
            showCounters(body.counters);
          } else if (!queue.length) {
            refreshCounters();
          }
        } else {
          showProblem(body.error || message("unreadable"));
        }
      });
    }).catch(function () {
      showProblem(message("offline"));
    }).then(function () {
      busy = false;
      if (queue.length) {
        send(queue.shift());
      }
    });
  }

  function enqueue(form, data) {
    var item = {form: form, data: data};
    if (busy) {
      queue.push(item);
    } else {
      send(item);
    }
  }

  document.querySelectorAll("form.js-checkin").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (form === scanForm) {
        if (!codeInput.value.trim()) {
          showProblem(message("no-code"));
          codeInput.focus();
          return;
        }
        data.set("method", "scanner");
        // The next scan goes into an empty field at once, even before this answer.
        codeInput.value = "";
        codeInput.focus();
      }
      enqueue(form, data);
    });
  });

  function scanned(text) {
    var data = new FormData(scanForm);
    data.set("code", text);
    data.set("method", "camera");
    enqueue(scanForm, data);
  }

  // The camera: shown only where the browser can use one (HTTPS or localhost).
  var camera = document.getElementById("camera");
  var toggle = document.getElementById("camera-toggle");
  var video = document.getElementById("camera-video");
  var cameraStatus = document.getElementById("camera-status");
  var stream = null;
  var timer = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var last = {text: "", at: 0};

  function loadJsQR() {
    if (window.jsQR) {
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = desk.getAttribute("data-jsqr-url");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function chooseDecoder() {
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) {
          detector = new window.BarcodeDetector({formats: ["qr_code"]});
          return;
        }
        return loadJsQR();
      });
    }
    return loadJsQR();
  }

  function found(text) {
    var now = Date.now();
    // The same badge held in front of the camera is sent once, not four times a second.
    if (!text || (text === last.text && now - last.at < 5000)) {
      return;
    }
    last = {text: text, at: now};
    scanned(text);
  }

  function frame() {
    if (!stream || video.readyState < 2) {
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          found(codes[0].rawValue);
        }
      }).catch(function () {});
      return;
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) {
      return;
    }
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var code = window.jsQR(image.data, width, height, {inversionAttempts: "dontInvert"});
    if (code) {
      found(code.data);
    }
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    window.clearInterval(timer);
    video.hidden = true;
    toggle.textContent = message("camera-start");
    toggle.setAttribute("aria-pressed", "false");
    cameraStatus.textContent = message("camera-stopped");
  }

  function start() {
    cameraStatus.textContent = message("camera-starting");
    chooseDecoder().then(function () {
      return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"},
                                                  audio: false});
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      return video.play();
    }).then(function () {
      toggle.textContent = message("camera-stop");
      toggle.setAttribute("aria-pressed", "true");
      cameraStatus.textContent = message("camera-on");
      timer = window.setInterval(frame, 250);
    }).catch(function (error) {
      stop();
      cameraStatus.textContent = message("camera-failed").replace(
        "{error}", error && error.name ? error.name : message("camera-error"));
    });
  }

  if (camera && navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
      window.isSecureContext !== false) {
    camera.hidden = false;
    toggle.addEventListener("click", function () {
      if (stream) {
        stop();
      } else {
        start();
      }
    });
  }

  // Live counters: refreshed while the page is visible, and after each answer.
  var seconds = parseInt(desk.getAttribute("data-poll-seconds"), 10) || 0;
  if (seconds > 0) {
    window.setInterval(function () {
      if (document.hidden) {
        return;
      }
      refreshCounters();
    }, seconds * 1000);
  }
}());
