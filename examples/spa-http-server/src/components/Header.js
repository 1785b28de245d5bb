import { h } from '../lib/dom.js';

export function Header(updated) {
  return h(
    'header',
    { class: 'top' },
    h('h1', {}, 'Trailhead'),
    h('p', { class: 'muted' }, updated ? `Ridge Runners weekend hikes · list of ${updated}` : 'Ridge Runners weekend hikes'),
  );
}
