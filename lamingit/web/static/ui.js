// Lineage nodes are links: an artifact node opens its artifact page, a run node its run page.
// (The URLs, with ?at= kept, come from the container's data attributes.)
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("lineage");
  if (!box) return;
  box.querySelectorAll("g.node").forEach((node) => {
    const uid = node.getAttribute("data-uid");
    const kind = node.classList.contains("run") ? "run" : node.classList.contains("artifact") ? "artifact" : null;
    if (!uid || !kind) return;
    const template = box.dataset[kind + "Url"];
    if (!template) return;
    node.classList.add("clickable");
    node.setAttribute("role", "link");
    node.setAttribute("tabindex", "0");
    const go = () => { window.location.href = template.replace("UID", encodeURIComponent(uid)); };
    node.addEventListener("click", go);
    node.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
  });
});
