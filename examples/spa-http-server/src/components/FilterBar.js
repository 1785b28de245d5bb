import { DIFFICULTIES } from '../lib/trails.js';
import { h } from '../lib/dom.js';

export function FilterBar(store) {
  const { difficulty, query, sort } = store.get();
  const select = h(
    'select',
    { 'aria-label': 'Difficulty', onchange: (e) => store.set({ difficulty: e.target.value }) },
    ['any', ...DIFFICULTIES].map((d) => h('option', { value: d, selected: d === difficulty }, d)),
  );
  const search = h('input', {
    type: 'search',
    placeholder: 'Search trails or tags',
    value: query,
    oninput: (e) => store.set({ query: e.target.value }),
  });
  const order = h(
    'select',
    { 'aria-label': 'Sort by', onchange: (e) => store.set({ sort: e.target.value }) },
    [
      ['date', 'Next hike'],
      ['distance', 'Distance'],
      ['ascent', 'Ascent'],
    ].map(([value, label]) => h('option', { value, selected: value === sort }, label)),
  );
  return h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, search, select, order);
}
