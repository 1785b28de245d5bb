import dayjs from 'dayjs';
import { estimateMinutes, formatDuration } from '../lib/trails.js';
import { h } from '../lib/dom.js';

export function TrailCard(trail) {
  return h(
    'article',
    { class: `card card--${trail.difficulty}`, id: trail.id },
    h('h2', {}, trail.name),
    h(
      'p',
      { class: 'card__facts' },
      `${trail.km.toFixed(1)} km · ${trail.ascent} m up · about ${formatDuration(estimateMinutes(trail))}`,
    ),
    h('p', { class: 'card__next' }, `Next club hike: ${dayjs(trail.next).format('ddd D MMM')}`),
    h('ul', { class: 'card__tags' }, trail.tags.map((t) => h('li', {}, t))),
  );
}
