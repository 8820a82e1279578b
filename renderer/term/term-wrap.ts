/**
 * One terminal on screen following one zone's output stream. Owns the xterm
 * instance and its addons; paints the attach snapshot and then live chunks in
 * stream order, acknowledges painted bytes for flow control, and forwards
 * input and size changes. Knows nothing of React: a component constructs it,
 * calls `attach()`, and disposes it.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import { MAX_INPUT_CHARS } from '../../preload/contract';
import type { AttachReply, OutputEvent, StateEvent, TerminalState } from '../../preload/contract';
import type { TetherClient } from '../api/client';
import { TetherError } from '../../preload/tether-error';
import { AckBatcher } from './ack-batcher';
import { hasHardwareWebgl } from './gpu';
import { splitInput } from './input-chunks';
import { nextOutput } from './output-cursor';
import { terminalOptions } from './terminal-options';
import { probeTerminal, registerProbe } from './test-seam';
import { claimWebglContext } from './webgl-pool';

export type TermCallbacks = {
  /** The shell's state, after every attach and every change. */
  onState(state: TerminalState): void;
  /** The title the shell set (OSC 0/2); '' when a fresh shell starts. */
  onTitle(title: string): void;
  /** An attach or restart failed; the next `onState` means it has recovered. */
  onError(error: TetherError): void;
};

type HeldEvent = { kind: 'output'; event: OutputEvent } | { kind: 'state'; event: StateEvent };

const NOTHING = new Uint8Array(0);
/** A private OSC that brackets snapshots in band; see paintSnapshot. */
const REPLAY_OSC = 9473;

export class TermWrap {
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly cleanups: (() => void)[] = [];
  private readonly ackers = new Map<string, AckBatcher>();
  private zone: string | null = null;
  /** Stream offset the screen reflects once everything written so far is parsed. */
  private expected = 0;
  private state: TerminalState | null = null;
  /** Bumped by each attach or restart; a reply to an older one is stale. */
  private generation = 0;
  /**
   * Events that arrive while an attach is in flight. Only its reply says which
   * zone and offset to follow, and events may overtake it, so they wait.
   */
  private held: HeldEvent[] | null = null;
  private sentSize = { cols: 0, rows: 0 };
  /** True while a snapshot is parsed: xterm's answers to queries in it are stale. */
  private replaying = false;
  /** The nonce makes the replay markers unforgeable by the shell's own output. */
  private readonly replayNonce = randomHex();
  private readonly replayStart = replayMarker(this.replayNonce, 'start');
  private readonly replayEnd = replayMarker(this.replayNonce, 'end');
  private parsed = 0;
  private renderer: 'webgl' | 'dom' = 'dom';
  private webgl: { addon: WebglAddon; release: () => void } | null = null;
  /** Hidden terminals (other tabs, behind a magnified block) keep parsing but never paint. */
  private visible = false;
  private frame = 0;
  private disposed = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly client: TetherClient,
    private readonly blockId: string,
    private readonly callbacks: TermCallbacks,
  ) {
    const term = new Terminal(terminalOptions);
    this.term = term;
    term.loadAddon(this.fit);
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener')));
    term.open(container);
    term.attachCustomKeyEventHandler((event) => this.handleKey(event));

    const subscriptions = [
      term.parser.registerOscHandler(REPLAY_OSC, (data) => {
        if (data === `${this.replayNonce};start`) this.replaying = true;
        else if (data === `${this.replayNonce};end`) this.replaying = false;
        return true;
      }),
      term.onData((data) => this.input(data, false)),
      // Binary input (legacy mouse reports) is a string of byte values: sent as bytes.
      term.onBinary((data) => this.input(data, true)),
      term.onTitleChange((title) => callbacks.onTitle(title)),
    ];
    this.cleanups.push(() => subscriptions.forEach((subscription) => subscription.dispose()));
    this.cleanups.push(client.on('zoneOutput', (event) => this.handleOutput(event)));
    this.cleanups.push(client.on('zoneState', (event) => this.handleState(event)));

    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(container);
    this.cleanups.push(() => observer.disconnect());

    const probe = probeTerminal(
      term,
      () => this.parsed,
      () => this.renderer,
    );
    this.cleanups.push(registerProbe(blockId, probe));
  }

  /** Follow the block's shell (main starts one if none runs): snapshot first, then live output. */
  attach(): Promise<void> {
    return this.follow('attachBlock', false);
  }

  /** Start a fresh shell for the block after it exited or failed, and follow it. */
  restart(): Promise<void> {
    return this.follow('restartBlock', true);
  }

  /** Try again after `onError`: restart a stopped shell, otherwise attach. */
  retry(): Promise<void> {
    const stopped = this.zone !== null && this.state !== null && this.state.status !== 'running';
    return stopped ? this.restart() : this.attach();
  }

  focus(): void {
    this.term.focus();
  }

  /**
   * Shown or hidden. xterm stops painting a hidden element by itself; this
   * hands its WebGL context to visible terminals and refits on the way back.
   */
  setVisible(visible: boolean): void {
    if (visible === this.visible || this.disposed) return;
    this.visible = visible;
    if (visible) {
      this.loadWebgl();
      this.scheduleFit();
    } else {
      this.unloadWebgl();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.held = null;
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    this.unloadWebgl();
    // Acks before the detach: requests go out in order, so main's count settles first.
    for (const acker of this.ackers.values()) acker.dispose();
    this.ackers.clear();
    if (this.zone !== null) this.detach(this.zone);
    this.term.dispose();
  }

  // ---------- following the stream ----------

  private async follow(name: 'attachBlock' | 'restartBlock', freshShell: boolean): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.held ??= [];
    this.fitToContainer();
    const size = { cols: this.term.cols, rows: this.term.rows };
    let reply: AttachReply;
    try {
      reply = await this.client.request(name, { blockId: this.blockId, ...size });
    } catch (error) {
      if (this.disposed || generation !== this.generation) return;
      this.releaseHeld();
      this.callbacks.onError(TetherError.from(error));
      return;
    }
    if (this.disposed) {
      // Unmounted while the reply was on its way: main now counts us as attached.
      this.detach(reply.zone);
      return;
    }
    if (generation !== this.generation) return;
    this.sentSize = size;
    this.adopt(reply, freshShell);
  }

  private adopt(reply: AttachReply, freshShell: boolean): void {
    const held = this.held ?? [];
    this.held = null;
    this.zone = reply.zone;
    this.expected = reply.offset;
    this.paintSnapshot(reply.snapshot);
    if (freshShell) this.callbacks.onTitle('');
    this.setState(reply.state);
    for (const item of held) {
      if (item.kind === 'output') this.handleOutput(item.event);
      else this.handleState(item.event);
    }
    this.syncSize();
  }

  /** After a failed attach nothing new is followed; settle what was held without painting it. */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const item of held) {
      if (item.event.zone !== this.zone) continue;
      if (item.kind === 'output') this.acker(item.event.zone).add(item.event.data.byteLength);
      else this.handleState(item.event);
    }
  }

  private paintSnapshot(snapshot: Uint8Array): void {
    // term.reset() acts at once while earlier chunks may still wait in xterm's write
    // queue; running it from a write callback puts it between those and the snapshot.
    this.term.write(NOTHING, () => this.term.reset());
    // Queries replayed from the snapshot (DA, DSR...) were answered long ago, so xterm's
    // answers must not reach the shell. Markers parsed in band switch that off and on
    // again within the one synchronous parse of this chunk, so no keystroke typed while
    // xterm yields between chunks is mistaken for an answer. (A snapshot cut inside a
    // UTF-8 sequence can't eat the marker: xterm re-reads a byte that breaks a sequence.)
    const framed = new Uint8Array(
      this.replayStart.byteLength + snapshot.byteLength + this.replayEnd.byteLength,
    );
    framed.set(this.replayStart, 0);
    framed.set(snapshot, this.replayStart.byteLength);
    framed.set(this.replayEnd, this.replayStart.byteLength + snapshot.byteLength);
    const bytes = snapshot.byteLength;
    this.term.write(framed, () => {
      this.replaying = false;
      this.parsed += bytes;
    });
  }

  private handleOutput(event: OutputEvent): void {
    if (this.held) {
      this.held.push({ kind: 'output', event });
      return;
    }
    if (event.zone !== this.zone) return;
    const zone = event.zone;
    const step = nextOutput(this.expected, event);
    if (step.kind === 'gap') {
      console.warn(
        `tether: output gap in zone ${zone} (expected offset ${step.expected}, got ${step.received}); re-attaching`,
      );
      // Main counted these bytes as sent, painted or not; an unacked byte could stall the shell.
      this.acker(zone).add(event.data.byteLength);
      void this.attach();
      return;
    }
    this.expected = step.next;
    this.acker(zone).add(step.skipped);
    if (step.kind !== 'write') return;
    const acker = this.acker(zone);
    const bytes = step.data.byteLength;
    this.term.write(step.data, () => {
      this.parsed += bytes;
      acker.add(bytes);
    });
  }

  private handleState(event: StateEvent): void {
    if (this.held) {
      this.held.push({ kind: 'state', event });
      return;
    }
    if (event.zone !== this.zone) return;
    const wasStopped = this.state !== null && this.state.status !== 'running';
    this.setState(event.state);
    if (wasStopped && event.state.status === 'running') {
      // Another window restarted the shell. A fresh snapshot, rather than a reset in
      // place, also covers what the new shell printed before this event got here.
      void this.follow('attachBlock', true);
    }
  }

  private setState(state: TerminalState): void {
    this.state = state;
    this.callbacks.onState(state);
  }

  private acker(zone: string): AckBatcher {
    let acker = this.ackers.get(zone);
    if (!acker) {
      acker = new AckBatcher((bytes) => {
        this.client.request('ackZone', { zone, bytes }).catch((error) => this.warn('ack', error));
      });
      this.ackers.set(zone, acker);
    }
    return acker;
  }

  private detach(zone: string): void {
    this.client.request('detachZone', { zone }).catch((error: unknown) => {
      console.warn(`tether: detaching zone ${zone} failed`, error);
    });
  }

  // ---------- input ----------

  private input(data: string, binary: boolean): void {
    if (this.replaying || this.disposed || this.zone === null) return;
    const zone = this.zone;
    if (this.state?.status !== 'running') {
      // Like VS Code: Enter in an ended terminal starts it again.
      if (data === '\r' && !this.held) void this.restart();
      return;
    }
    // Each piece is a request sent at once, so keystrokes reach main in typing order.
    for (const piece of splitInput(data, MAX_INPUT_CHARS)) {
      this.client
        .request('writeZone', binary ? { zone, data: piece, binary } : { zone, data: piece })
        .catch((error) => this.warn('input', error));
    }
  }

  private handleKey(event: KeyboardEvent): boolean {
    const chord = event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey;
    if (!chord || (event.code !== 'KeyC' && event.code !== 'KeyV')) return true;
    // Every phase of the chord is kept from xterm; only keydown acts. preventDefault
    // stops the browser's own Ctrl+Shift+V paste from pasting a second time.
    if (event.type === 'keydown') {
      event.preventDefault();
      if (event.code === 'KeyC') this.copySelection();
      else this.pasteClipboard();
    }
    return false;
  }

  private copySelection(): void {
    if (!this.term.hasSelection()) return;
    navigator.clipboard.writeText(this.term.getSelection()).catch((error: unknown) => {
      console.warn('tether: copy failed', error);
    });
  }

  private pasteClipboard(): void {
    navigator.clipboard.readText().then(
      (text) => {
        // paste() applies bracketed paste mode and line-ending rules, as a real paste does.
        if (text && !this.disposed) this.term.paste(text);
      },
      (error: unknown) => console.warn('tether: paste failed', error),
    );
  }

  // ---------- size and rendering ----------

  private scheduleFit(): void {
    if (this.frame !== 0 || this.disposed) return;
    // A drag fires many resize callbacks per frame; fit once per frame.
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.fitToContainer()) this.syncSize();
    });
  }

  /** Fit to the container if it has a size; a hidden one has none and keeps the last size. */
  private fitToContainer(): boolean {
    if (this.container.clientWidth === 0 || this.container.clientHeight === 0) return false;
    this.fit.fit();
    return true;
  }

  private syncSize(): void {
    const zone = this.zone;
    // While an attach is in flight its reply leads to another syncSize.
    if (zone === null || this.held) return;
    const { cols, rows } = this.term;
    if (cols === this.sentSize.cols && rows === this.sentSize.rows) return;
    this.sentSize = { cols, rows };
    this.client
      .request('resizeZone', { zone, cols, rows })
      .catch((error) => this.warn('resize', error));
  }

  private loadWebgl(): void {
    if (this.webgl || !hasHardwareWebgl()) return;
    const release = claimWebglContext();
    if (!release) return;
    let addon: WebglAddon | undefined;
    try {
      addon = new WebglAddon();
      const loaded = addon;
      // Disposing the addon hands rendering back to xterm's DOM renderer.
      loaded.onContextLoss(() => this.unloadWebgl());
      this.term.loadAddon(loaded);
      this.webgl = { addon: loaded, release };
      this.renderer = 'webgl';
    } catch (error) {
      console.warn('tether: WebGL renderer unavailable, using the DOM renderer', error);
      release();
      try {
        addon?.dispose();
      } catch {
        // Half-initialised; nothing more to release.
      }
    }
  }

  private unloadWebgl(): void {
    const webgl = this.webgl;
    if (!webgl) return;
    this.webgl = null;
    this.renderer = 'dom';
    webgl.release();
    try {
      webgl.addon.dispose();
    } catch (error) {
      console.warn('tether: releasing the WebGL renderer failed', error);
    }
  }

  /** Failures of fire-and-forget requests: expected ones are quiet, others are logged. */
  private warn(what: string, error: unknown): void {
    // Once the host is gone every request fails; the connection banner says so once.
    if (this.disposed || this.client.connection.status() === 'lost') return;
    const failure = TetherError.from(error);
    // A shell that just exited rejects input until the state event arrives.
    if (failure.code === 'not_running') return;
    console.warn(`tether: ${what} failed for block ${this.blockId}`, failure);
  }
}

function replayMarker(nonce: string, edge: 'start' | 'end'): Uint8Array {
  return new TextEncoder().encode(`\x1b]${REPLAY_OSC};${nonce};${edge}\x07`);
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
