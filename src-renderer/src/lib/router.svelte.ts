/** The app's views, in navigation order. */
export const views = [
  { id: 'library', label: 'Library', key: '1' },
  { id: 'annotate', label: 'Annotate', key: '2' },
  { id: 'train', label: 'Train', key: '3' },
  { id: 'runs', label: 'Runs / Studies', key: '4' },
  { id: 'fairness', label: 'Fairness', key: '5' },
  { id: 'export', label: 'Export', key: '6' },
  { id: 'settings', label: 'Settings', key: '7' },
] as const;

export type ViewId = (typeof views)[number]['id'];

function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return views.find((v) => v.id === id)?.id ?? 'library';
}

/** The current view, mirrored in the address (`#/settings`) so reloads and links keep it. */
export class Router {
  #current = $state<ViewId>(viewFromHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#current = viewFromHash(window.location.hash);
    });
  }

  get current(): ViewId {
    return this.#current;
  }

  go(id: ViewId): void {
    this.#current = id;
    if (window.location.hash !== `#/${id}`) window.location.hash = `/${id}`;
  }
}

export const router = new Router();
