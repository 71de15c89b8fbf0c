() => {
  // From now on, record each element the focus reaches and whether it shows a focus
  // indicator (an outline of 2 px or more, or a box-shadow ring). Read window.focusLog.
  window.focusLog = [];
  document.addEventListener('focusin', (event) => {
    const el = event.target;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    const ring = s.boxShadow && s.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    window.focusLog.push({
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('name') || (el.textContent || '').trim().slice(0, 40) || el.id,
      visible: Boolean(outline || ring),
      skip: el.classList.contains('skip-link'),
      onScreen: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.width > 1,
    });
  });
  // Start from the top of the document, as a keyboard user arriving at the page does.
  window.scrollTo(0, 0);
  document.body.tabIndex = -1;
  document.body.focus();
  document.body.removeAttribute('tabindex');
  window.focusLog = [];
  // How many Tab presses reach every stop once (radio groups are one stop).
  const stops = new Set();
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')) {
    if (el.tabIndex < 0 || el.disabled || !el.getClientRects().length) continue;
    stops.add(el.type === 'radio' ? `radio:${el.name}` : el);
  }
  return stops.size;
}
