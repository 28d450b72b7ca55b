// "In hướng dẫn": open the browser's print dialog (the guide's print stylesheet hides the menus).
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-print]");
  if (link) { event.preventDefault(); window.print(); }
});
