import { filterTrails, sortTrails } from '../lib/trails.js';
import { h } from '../lib/dom.js';
import { TrailCard } from './TrailCard.js';

export function TrailList(state) {
  const trails = sortTrails(filterTrails(state.trails, state), state.sort);
  if (state.error) return h('p', { class: 'error' }, `Could not load the trails: ${state.error}`);
  if (state.loading) return h('p', { class: 'muted' }, 'Loading trails…');
  if (trails.length === 0) return h('p', { class: 'muted' }, 'No trail matches.');
  return h('section', { class: 'list' }, trails.map(TrailCard));
}
