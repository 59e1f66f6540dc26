// Uploads of the file manager (FilesTab.razor): each file is one streamed PUT of its raw bytes
// (XHR, for its upload progress), with a progress bar and a cancel button of its own. Aborting
// the request makes Berth drop the unnamed file it was writing: nothing partial is left.
window.berthFiles = (function () {
  function text(tag, className, value) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = value;
    return el;
  }

  function upload(zone, file) {
    var folder = zone.dataset.folder || "/";
    var path = (folder.endsWith("/") ? folder : folder + "/") + file.name;
    var list = zone.querySelector(".files-uploads");
    var row = document.createElement("li");
    row.className = "files-upload";
    row.dataset.name = file.name;
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", file.name);
    var state = text("span", "files-upload-state", "0 %");
    var cancel = text("button", "files-upload-cancel", zone.dataset.cancel);
    cancel.type = "button";
    row.append(text("span", "files-upload-name", file.name), progress, state, cancel);
    list.append(row);

    var xhr = new XMLHttpRequest();
    xhr.open("PUT", zone.dataset.api + "?path=" + encodeURIComponent(path));
    xhr.setRequestHeader("X-Berth-Csrf", "1");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        progress.value = Math.floor((e.loaded / e.total) * 100);
        state.textContent = progress.value + " %";
      }
    };
    xhr.onload = function () {
      cancel.remove();
      if (xhr.status >= 200 && xhr.status < 300) {
        progress.value = 100;
        state.textContent = zone.dataset.done;
        row.classList.add("done");
      } else {
        var detail = "";
        try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (e) { detail = ""; }
        state.textContent = zone.dataset.failed + (detail ? ": " + detail : "");
        row.classList.add("failed");
      }
      zone.berthDotNet.invokeMethodAsync("UploadFinished");
    };
    xhr.onerror = function () {
      cancel.remove();
      state.textContent = zone.dataset.failed;
      row.classList.add("failed");
    };
    xhr.onabort = function () {
      cancel.remove();
      state.textContent = zone.dataset.cancelled;
      row.classList.add("cancelled");
      zone.berthDotNet.invokeMethodAsync("UploadFinished");
    };
    cancel.onclick = function () { xhr.abort(); };
    xhr.send(file);
  }

  return {
    attach: function (zone, dotNet) {
      if (!zone || zone.berthDotNet) { if (zone) zone.berthDotNet = dotNet; return; }
      zone.berthDotNet = dotNet;
      zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("dragging"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        zone.classList.remove("dragging");
        Array.prototype.forEach.call(e.dataTransfer.files, function (f) { upload(zone, f); });
      });
      var input = zone.querySelector("input[type=file]");
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files, function (f) { upload(zone, f); });
        input.value = "";
      });
    }
  };
})();
