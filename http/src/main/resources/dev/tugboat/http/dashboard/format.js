// Small helpers for building the page: elements from data (text only, never HTML) and times.

/** An element with attributes (`class`, `data-*`, `aria-*`, ...) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/** A local date and time for an ISO instant, '—' for none. */
export function when(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** A local time of day for an ISO instant, '—' for none. */
export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '—';
}

/** A `<time>` element for an ISO instant (machine-readable datetime, readable text). */
export function timeEl(iso, format = when) {
  return iso ? el('time', { datetime: iso, title: iso }, format(iso)) : '—';
}

/** A duration in milliseconds as "1 h 2 min", "3 min 4 s" or "5.6 s". */
export function span(ms) {
  if (ms < 60000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const s = Math.round(ms / 1000);
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
