(min) => {
  // Strictly 24 × 24 px (WCAG 2.5.8 without its spacing exception: people here may be in
  // distress, on a phone). Only a link inside a sentence is exempt, as the criterion says.
  const problems = [];
  const text = (el) => (el.textContent || '').replace(/\s+/g, ' ').trim();
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== 'inline') return false;
    let parent = el.parentElement;
    while (parent && getComputedStyle(parent).display === 'inline') parent = parent.parentElement;
    return parent && text(parent) !== text(el);
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.closest('[hidden], [aria-hidden=true]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;   // inside something not displayed
    if (r.right < 0 || r.bottom < 0) continue;        // the skip link, parked until focused
    if (r.width >= min && r.height >= min) continue;
    if (el.tagName === 'A' && inSentence(el)) continue;
    const name = el.getAttribute('name') || text(el).slice(0, 40) || el.id || el.tagName;
    problems.push(`<${el.tagName.toLowerCase()}> "${name}" is ${r.width.toFixed(0)}×${r.height.toFixed(0)} px`);
  }
  return problems;
}
