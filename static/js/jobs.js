// The background job page (templates/jobs/detail.html): poll the job's JSON
// and update the progress bar until the file is ready. Without JavaScript the
// page reloads itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var url = box.dataset.statusUrl;
  var delay = 1000;
  var failures = 0;

  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) {
      element.hidden = !visible;
    }
  }

  function setText(id, text) {
    var element = document.getElementById(id);
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function update(job) {
    var bar = document.getElementById("job-progress");
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    setText("job-status", job.status_label);
    setText("job-message", job.message);
    setText("job-error", job.error);
    show("job-error", job.status === "failed");
    show("job-stalled", job.stalled);
    if (job.status === "done") {
      document.getElementById("job-download-link").href = job.download_url;
      setText("job-filename", job.filename);
      show("job-download", true);
    }
    // A stalled job is started again (or failed) by the sweep: keep following it.
    return job.finished;
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin",
                cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        if (!update(job)) {
          delay = Math.min(delay * 1.25, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // The server may be restarting: keep trying, more slowly.
        failures += 1;
        window.setTimeout(poll, Math.min(1000 * Math.pow(2, failures), 30000));
      });
  }

  window.setTimeout(poll, delay);
})();
