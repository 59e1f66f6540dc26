// The panel's only script of its own: copying text (a registration code) to the clipboard.
window.berthPanel = {
  copy: function (text) { return navigator.clipboard.writeText(text); }
};
