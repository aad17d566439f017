/**
 * The Dashboard webview: Preact with signals. On load it installs its message listener and says
 * `ready`; the host answers with a full snapshot, then sends each part as it changes. Host text
 * is only ever rendered as text (Preact escapes it), never as HTML.
 */
import { effect } from '@preact/signals';
import { render } from 'preact';
import { assertNever, isHostToWebviewMessage, type HostToWebviewMessage } from '../../src/protocol/webview';
import { App } from './App';
import { activity, announcement, debates, scrolled, tab, deltas, loaded, moveAnswered, openDebate, openDebateId, peers, ruled, setPlan, setTasks, showDebate, version, vscode } from './state';
import './dashboard.css';

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'didChangeSnapshot':
      version.value = message.snapshot.version;
      peers.value = message.snapshot.peers;
      setPlan(message.snapshot.plan);
      debates.value = message.snapshot.debates;
      deltas.value = message.snapshot.deltas;
      activity.value = message.snapshot.activity;
      loaded.value = true;
      if (openDebateId.value !== null) showDebate(openDebateId.value);
      break;
    case 'didChangePeers':
      peers.value = message.peers;
      break;
    case 'didChangePlan':
      setPlan(message.plan);
      break;
    case 'didChangeTasks':
      // Tasks this page does not have: it is behind the host, and asks for the whole anew.
      if (!setTasks(message.tasks)) vscode.postMessage({ type: 'ready' });
      break;
    case 'didMoveTask':
      moveAnswered(message.requestId, message.taskId, message.ok, message.reason);
      break;
    case 'didChangeDebates':
      debates.value = message.debates;
      // The debate open may have moved on: fetch it again.
      if (openDebateId.value !== null) showDebate(openDebateId.value);
      break;
    case 'didLoadDebate':
      if (message.debateId !== openDebateId.value) break;
      if (message.debate) openDebate.value = message.debate;
      else announcement.value = `Debate #${message.debateId} could not be read: ${message.error ?? 'unknown error'}.`;
      break;
    case 'didChangeActivity':
      activity.value = message.activity;
      break;
    case 'didChangeDeltas':
      deltas.value = message.deltas;
      break;
    case 'didDecideDebate':
      ruled(message.requestId, message.debateId, message.ok, message.reason);
      break;
    default:
      assertNever(message);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Anything that is not one of the host's messages is not ours to handle.
  if (isHostToWebviewMessage(event.data)) handle(event.data);
});
// Each tab's scroll is kept with the view's state, and given back when the tab is shown again:
// once the tab has been drawn tall enough (a few frames at most), and without the scrolling
// that drawing causes meanwhile being taken for the person's.
// (VS Code builds a hidden view's page afresh; a browser's own restoring on reload is not relied on.)
history.scrollRestoration = 'manual';
let scrollFrame = 0;
let restoring = false;
window.addEventListener('scroll', () => {
  if (restoring) return;
  cancelAnimationFrame(scrollFrame);
  scrollFrame = requestAnimationFrame(() => { scrolled.value = { ...scrolled.value, [tab.value]: Math.round(window.scrollY) }; });
}, { passive: true });
effect(() => {
  if (!loaded.value) return;
  const top = scrolled.peek()[tab.value] ?? 0;
  restoring = true;
  const restore = (frames: number): void => {
    requestAnimationFrame(() => {
      const room = document.documentElement.scrollHeight - window.innerHeight;
      if (room < top && frames < 30) return restore(frames + 1);
      window.scrollTo(0, top);
      requestAnimationFrame(() => { restoring = false; });
    });
  };
  restore(0);
});

const app = document.getElementById('app')!;
effect(() => { if (version.value) app.dataset.version = version.value; });
render(<App />, app);
vscode.postMessage({ type: 'ready' });
