import './styles/main.css';
import { FilterBar } from './components/FilterBar.js';
import { Header } from './components/Header.js';
import { TrailList } from './components/TrailList.js';
import { createStore } from './lib/store.js';

const store = createStore({
  trails: [],
  updated: null,
  loading: true,
  error: null,
  difficulty: 'any',
  query: '',
  sort: 'date',
});

const root = document.querySelector('#app');
const listSlot = document.createElement('div');

function renderList(state) {
  listSlot.replaceChildren(TrailList(state));
}

function renderAll(state) {
  root.replaceChildren(Header(state.updated), FilterBar(store), listSlot);
  renderList(state);
}

// Only the list re-renders on filter changes, so the search box keeps focus.
store.subscribe(renderList);
renderAll(store.get());

fetch(`${import.meta.env.BASE_URL}data/trails.json`)
  .then((res) => {
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  })
  .then((data) => {
    store.set({ trails: data.trails, updated: data.updated, loading: false });
    renderAll(store.get());
  })
  .catch((err) => store.set({ loading: false, error: err.message }));
