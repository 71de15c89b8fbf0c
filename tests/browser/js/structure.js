(opts) => {
  // Structural checks axe leaves to people; returns a list of problems.
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== 'hidden';
  const text = (el) => (el.textContent || '').replace(/\s+/g, ' ').trim();
  const h1s = [...document.querySelectorAll('h1')];
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements (want exactly 1)`);
  const title = document.title.trim();
  if (!title) problems.push('empty <title>');
  // Spaces compared as spaces: a time in both reads "7:24 PM" with a narrow no-break space.
  if (h1s.length === 1 && opts.titleHasH1 && !title.replace(/\s+/g, ' ').includes(text(h1s[0]))) {
    problems.push(`title "${title}" does not name the page ("${text(h1s[0])}")`);
  }
  // Landmarks: one main, a banner and a contentinfo outside it (print view: main only).
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) problems.push(`${mains.length} main landmarks`);
  if (!opts.standalone) {
    if (!document.querySelector('body > header, [role=banner]')) problems.push('no banner');
    if (!document.querySelector('body > footer, [role=contentinfo]')) problems.push('no contentinfo');
    const skip = document.querySelector('a[href]');
    if (!skip || !skip.classList.contains('skip-link') || skip.getAttribute('href') !== '#main') {
      problems.push('the first link is not a skip link to #main');
    } else if (!document.getElementById('main')) {
      problems.push('skip link target #main is missing');
    }
  }
  // Nothing of the page outside a landmark (skip link excepted).
  for (const el of document.body.children) {
    if (['SCRIPT', 'HEADER', 'MAIN', 'FOOTER', 'NAV'].includes(el.tagName)) continue;
    if (el.classList.contains('skip-link') || !visible(el)) continue;
    // A dialog floats above the page, outside it (the staff timeout warning).
    if (['dialog', 'alertdialog'].includes(el.getAttribute('role'))) continue;
    problems.push(`content outside landmarks: <${el.tagName.toLowerCase()} class="${el.className}">`);
  }
  // Choices are grouped: every radio and checkbox sits in a fieldset with a legend.
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const set = input.closest('fieldset');
    if (!set || !set.querySelector(':scope > legend') || !text(set.querySelector(':scope > legend'))) {
      problems.push(`${input.name}: radio/checkbox outside a fieldset with a legend`);
    }
  }
  // Every form control has a label bound to it (or an accessible name from aria).
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[aria-hidden=true]')) continue;
    const labelled = (el.labels && [...el.labels].some((l) => text(l)))
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push(`${el.name || el.id}: no bound label`);
  }
  // Hints and errors are tied to their field (or its fieldset) with aria-describedby.
  for (const note of document.querySelectorAll('.hint[id], .error-message[id]')) {
    const question = note.closest('.question');
    if (!question) continue;
    const owners = question.querySelectorAll('[aria-describedby]');
    const linked = [...owners].some((o) => o.getAttribute('aria-describedby').split(/\s+/).includes(note.id));
    if (!linked) problems.push(`#${note.id} is not referenced by aria-describedby`);
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
      if (id && !document.getElementById(id)) problems.push(`aria-describedby points at missing #${id}`);
    }
  }
  for (const el of document.querySelectorAll('.question.has-error > input, .question.has-error > textarea, .question.has-error > select')) {
    if (el.getAttribute('aria-invalid') !== 'true') problems.push(`${el.name}: error shown but not aria-invalid`);
  }
  // Buttons in a row receive focus in the order they are seen (WCAG 2.4.3).
  for (const row of document.querySelectorAll('.actions')) {
    const controls = [...row.querySelectorAll('a[href], button')].filter(visible);
    const seen = [...controls].sort((a, b) => {
      const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
      return Math.abs(ra.top - rb.top) > ra.height / 2 ? ra.top - rb.top : ra.left - rb.left;
    });
    if (seen.some((el, i) => el !== controls[i])) {
      problems.push(`focus order ${controls.map(text)} differs from the order seen ${seen.map(text)}`);
    }
  }
  // The error summary: its count is in the title, and each link reaches a field.
  const errors = document.querySelectorAll('.error-message');
  const summary = document.querySelector('.error-summary');
  if (errors.length && !summary) problems.push('errors shown without an error summary');
  if (summary) {
    const links = summary.querySelectorAll('a[href^="#"]');
    if (opts.summaryLinks && links.length !== errors.length) {
      problems.push(`error summary has ${links.length} links for ${errors.length} errors`);
    }
    for (const a of links) {
      const target = document.getElementById(a.getAttribute('href').slice(1));
      if (!target) problems.push(`error summary link ${a.getAttribute('href')} has no target`);
      else if (!target.matches('input, select, textarea')) problems.push(`error summary link ${a.getAttribute('href')} is not a field`);
    }
    if (opts.titleCountsErrors) {
      const n = links.length;
      if (!new RegExp(`\\b${n}\\b`).test(title)) problems.push(`title "${title}" does not count the ${n} errors`);
    }
    if (opts.summaryFocused && document.activeElement !== summary) {
      problems.push('the error summary did not receive focus');
    }
  }
  return problems;
}
