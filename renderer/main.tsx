/** Renderer entry: styles, then the React root inside the window's jotai store. */
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { Provider } from 'jotai';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { store } from './state/store';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// No StrictMode: its double mount would attach and detach each zone twice,
// racing real requests to the core for no benefit.
createRoot(root).render(
  <Provider store={store}>
    <App />
  </Provider>,
);
