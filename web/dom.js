// Tiny DOM helpers. Text always goes in as text nodes (never as HTML), and nothing sets a style
// attribute: the page runs under a strict Content-Security-Policy.

/**
 * Make an element. `props`: `class` (string or array), `text`, `attrs` (attributes, e.g. aria-*,
 * data-*), `on` (event listeners) and any other element property (id, type, htmlFor, hidden...).
 * Children may be nodes, strings, numbers, arrays of them, or null/false/undefined (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'class':
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
        break;
      case 'text':
        el.textContent = String(value);
        break;
      case 'attrs':
        for (const [name, v] of Object.entries(value)) {
          if (v !== undefined && v !== null && v !== false) el.setAttribute(name, v === true ? '' : String(v));
        }
        break;
      case 'on':
        for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
        break;
      default:
        el[key] = value;
    }
  }
  append(el, children);
  return el;
}

/** Append children (see `h`) to an element. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** The element with this id; throws when the page lacks it (a broken page should fail loudly). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}`);
  return el;
}

let counter = 0;
/** A unique id for aria-labelledby and friends. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
