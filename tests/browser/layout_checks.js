// What a reader would see as broken on the page as laid out now, one sentence each: the page wider than
// the screen, an element sticking out past its right edge (unless inside a box that scrolls sideways,
// as wide tables do, and never for the main navigation), text cut off inside a menu, a button, a badge
// or a navigation link, and the skip link showing before it is focused.
() => {
  const width = window.innerWidth;
  const problems = [];
  const name = (el) => {
    let text = (el.tagName === "SELECT" ? el.options[el.selectedIndex]?.text : el.innerText) || "";
    text = text.trim().replace(/\s+/g, " ").slice(0, 40);
    const classes = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes}${text ? ` «${text}»` : ""}`;
  };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const scrolledInside = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return box.getBoundingClientRect().right <= width + 0.5;
    }
    return false;
  };
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`the page is ${root.scrollWidth} px wide on a ${width} px screen`);
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !shown(el)) continue;
    const inNav = el.closest(".main-nav") !== null;
    if (box.right > width + 0.5 && (inNav || !scrolledInside(el))) {
      problems.push(`${name(el)} reaches ${Math.round(box.right)} px`);
    }
    if (inNav && el.tagName === "A" && box.left < -0.5) problems.push(`${name(el)} starts off the screen`);
  }
  const measure = document.createElement("canvas").getContext("2d");
  for (const el of document.querySelectorAll("select, button, .button, .badge, .main-nav a, .stat-value")) {
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    if (el.tagName === "SELECT") {
      if (el.multiple || el.selectedIndex < 0) continue;
      measure.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const text = el.options[el.selectedIndex].text;
      // A choice written as a sentence longer than a phone is wide may be cut in a menu as wide as its
      // column (its list shows it whole); a menu squeezed narrower than the room it has may not.
      const parent = el.parentElement.getBoundingClientRect();
      const filling = el.getBoundingClientRect().width >= parent.width - 40 && room >= 200;
      if (measure.measureText(text).width > room + 1 && !filling) problems.push(`${name(el)} cut off (${Math.round(room)} px)`);
    } else if (el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} cut off (${el.clientWidth} px for ${el.scrollWidth})`);
    }
  }
  const skip = document.querySelector(".skip-link");
  if (skip && document.activeElement !== skip) {
    const box = skip.getBoundingClientRect();
    const style = getComputedStyle(skip);
    const hidden = box.bottom <= 0 || box.width <= 1 || style.clipPath !== "none" || style.clip !== "auto";
    if (!hidden || style.boxShadow !== "none") problems.push("the skip link shows before it is focused");
  }
  return problems;
}
