/**
 * One terminal on screen showing one session through its zone (output
 * stream). Owns the xterm instance and its addons; paints the attach snapshot
 * and then live chunks in stream order, acknowledges painted bytes for flow
 * control, forwards input (refused, and said so, while the session's host
 * can't be reached), and sizes the shell by the `latest` rule (see
 * size-rule.ts). For a tmux session it leaves answering queries to tmux (see
 * query-guard.ts). Knows nothing of React: a component constructs it, calls
 * `attach()`, and disposes it.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { MAX_INPUT_CHARS } from '../../preload/contract';
import type { AttachReply, BlockInfo, OutputEvent, SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { TetherClient } from '../api/client';
import { AckBatcher } from './ack-batcher';
import { clipboardKeyHandler } from './clipboard-keys';
import { splitInput } from './input-chunks';
import { nextOutput } from './output-cursor';
import { guardQueries, swallowsQueries } from './query-guard';
import { sizePlan } from './size-rule';
import { terminalOptions } from './terminal-options';
import { probeTerminal, registerProbe } from './test-seam';
import { WebglRenderer } from './webgl-renderer';

export type TermCallbacks = {
  /** The session shown, after every attach and every change to it. */
  onSession(session: SessionInfo): void;
  /** The title the shell set (OSC 0/2); '' when another shell is shown. */
  onTitle(title: string): void;
  /** An attach or restart failed; the next `onSession` means it has recovered. */
  onError(error: TetherError): void;
  /**
   * The block shows no session (it never had one, or it was detached or deleted); `switchTo`
   * gives it one. `sessionId` is the session it showed until now (null if none).
   */
  onDetached(sessionId: string | null): void;
  /**
   * Typing was refused: the session's host cannot be reached now. Nothing of
   * it was sent or kept; the next `onSession` saying running means it can be
   * typed again.
   */
  onInputRefused(): void;
};

type HeldEvent =
  | { kind: 'output'; event: OutputEvent }
  | { kind: 'session'; session: SessionInfo }
  | { kind: 'removed'; sessionId: string }
  | { kind: 'block'; block: BlockInfo }
  /** Typed while an attach, switch or restart was on its way: it goes to what the block shows next. */
  | { kind: 'input'; data: string; binary: boolean };

/** The requests that (re)start following a zone; all reply with an AttachReply. */
type Follow =
  | { name: 'attachBlock' }
  | { name: 'attachSession'; sessionId: string }
  | { name: 'restartSession'; sessionId: string };

type Size = { cols: number; rows: number };

const NOTHING = new Uint8Array(0);
/**
 * A pane that does not size the shell stops parsing a flood once this much is
 * waiting in xterm, and catches up from a snapshot once output goes quiet, so
 * four panes of one session cost the page about what one does (tmux does the
 * same for slow clients). The pane that sizes the shell never drops anything.
 */
const LAG_LIMIT = 256 * 1024;
const CATCH_UP_QUIET_MS = 250;
/** A private OSC that brackets snapshots in band; see paintSnapshot. */
const REPLAY_OSC = 9473;

export class TermWrap {
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly webgl: WebglRenderer;
  private readonly cleanups: (() => void)[] = [];
  private readonly ackers = new Map<string, AckBatcher>();
  /** The zone followed, which is the id of the session shown; null when detached. */
  private zone: string | null = null;
  private session: SessionInfo | null = null;
  /** Stream offset the screen reflects once everything written so far is parsed. */
  private expected = 0;
  /** Bumped by each attach, switch or restart; a reply to an older one is stale. */
  private generation = 0;
  /**
   * Events that arrive while an attach is in flight. Only its reply says which
   * zone and offset to follow, and events may overtake it, so they wait.
   */
  private held: HeldEvent[] | null = null;
  /** The shell's size as main last said or was told; resizes are sent when ours differs. */
  private shellSize: Size = { cols: 0, rows: 0 };
  /** True while a snapshot is parsed: xterm's answers to queries in it are stale. */
  private replaying = false;
  /** The nonce makes the replay markers unforgeable by the shell's own output. */
  private readonly replayNonce = randomHex();
  private readonly replayStart = replayMarker(this.replayNonce, 'start');
  private readonly replayEnd = replayMarker(this.replayNonce, 'end');
  /** True while the output being parsed is a tmux session's: tmux answers its queries. */
  private swallowing = false;
  /** What `swallowing` becomes once xterm has parsed everything written so far. */
  private swallowingNext = false;
  private parsed = 0;
  /** Stream offset the screen reflects once xterm has parsed what it was given. */
  private shown = 0;
  /** Bytes given to xterm and not parsed yet. */
  private backlog = 0;
  /** Dropping a flood; a snapshot catches up when it is over. */
  private lagging = false;
  private catchUp: ReturnType<typeof setTimeout> | null = null;
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
    this.webgl = new WebglRenderer(term);
    term.loadAddon(this.fit);
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener')));
    term.open(container);
    term.attachCustomKeyEventHandler(clipboardKeyHandler(term, () => !this.disposed));

    const subscriptions = [
      term.parser.registerOscHandler(REPLAY_OSC, (data) => {
        if (data === `${this.replayNonce};start`) this.replaying = true;
        else if (data === `${this.replayNonce};end`) this.replaying = false;
        return true;
      }),
      guardQueries(term.parser, () => this.swallowing),
      term.onData((data) => this.input(data, false)),
      // Binary input (legacy mouse reports) is a string of byte values: sent as bytes.
      term.onBinary((data) => this.input(data, true)),
      term.onTitleChange((title) => callbacks.onTitle(title)),
    ];
    this.cleanups.push(() => subscriptions.forEach((subscription) => subscription.dispose()));
    this.cleanups.push(
      client.on('zoneOutput', (event) => this.handleOutput(event)),
      client.on('sessionChanged', ({ session }) => this.handleSession(session)),
      client.on('sessionRemoved', ({ sessionId }) => this.handleRemoved(sessionId)),
      client.on('blockChanged', ({ block }) => this.handleBlock(block)),
    );

    // xterm 6 has no focus event; its textarea's focus bubbles to the container.
    const onFocus = () => this.recordFocus();
    container.addEventListener('focusin', onFocus);
    this.cleanups.push(() => container.removeEventListener('focusin', onFocus));

    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(container);
    this.cleanups.push(() => observer.disconnect());

    const probe = probeTerminal(term, {
      bytesParsed: () => this.parsed,
      shownOffset: () => this.shown,
      renderer: () => this.webgl.kind,
      sessionId: () => this.zone,
    });
    this.cleanups.push(registerProbe(blockId, probe));
  }

  /** Follow the session the block shows: snapshot first, then live output. */
  attach(): Promise<void> {
    return this.follow({ name: 'attachBlock' }, false);
  }

  /**
   * Show another session in this block: its snapshot replaces the screen.
   * Rejects with the TetherError if main refuses; the block then keeps what it showed.
   */
  switchTo(sessionId: string): Promise<void> {
    return this.follow({ name: 'attachSession', sessionId }, true);
  }

  /**
   * The block now shows what `block` says (a `switchConnection` reply): follow
   * its session, unless that is already done or under way.
   */
  showBlock(block: BlockInfo): void {
    this.handleBlock(block);
  }

  /** Start a fresh shell under the done session shown (same id), and follow it. */
  restart(): Promise<void> {
    if (this.zone === null) return Promise.resolve();
    return this.follow({ name: 'restartSession', sessionId: this.zone }, true);
  }

  /** Try again after `onError`: restart a done session, otherwise attach. */
  retry(): Promise<void> {
    return this.session?.status === 'done' ? this.restart() : this.attach();
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
      this.webgl.load();
      this.scheduleFit();
    } else {
      this.webgl.unload();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.held = null;
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    if (this.catchUp !== null) clearTimeout(this.catchUp);
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    this.webgl.unload();
    // Acks before the detach: requests go out in order, so main's count settles first.
    for (const acker of this.ackers.values()) acker.dispose();
    this.ackers.clear();
    if (this.zone !== null) this.detach(this.zone);
    this.term.dispose();
  }

  // ---------- following the stream ----------

  private async follow(how: Follow, freshShell: boolean): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.held ??= [];
    if (how.name === 'attachSession') {
      // Acks owed to the zone being left go out before the switch reaches main.
      for (const [zone, acker] of this.ackers) if (zone !== how.sessionId) acker.flush();
    }
    let reply: AttachReply;
    try {
      reply = await this.send(how, this.proposedSize());
    } catch (error) {
      if (this.disposed || generation !== this.generation) return;
      const failure = TetherError.from(error);
      if (how.name === 'attachSession') {
        // The block still shows what it showed: carry on following it.
        this.resumeHeld();
        throw failure;
      }
      this.releaseHeld();
      if (failure.code === 'detached') this.becomeDetached();
      else this.callbacks.onError(failure);
      return;
    }
    if (this.disposed) {
      // Unmounted while the reply was on its way: main now counts us as attached.
      this.detach(reply.zone);
      return;
    }
    if (generation !== this.generation) return;
    this.adopt(reply, freshShell);
  }

  private send(how: Follow, size: Size): Promise<AttachReply> {
    const blockId = this.blockId;
    switch (how.name) {
      case 'attachBlock':
        return this.client.request('attachBlock', { blockId, ...size });
      case 'attachSession':
        return this.client.request('attachSession', { blockId, sessionId: how.sessionId, ...size });
      case 'restartSession':
        return this.client.request('restartSession', {
          blockId,
          sessionId: how.sessionId,
          ...size,
        });
    }
  }

  private adopt(reply: AttachReply, freshShell: boolean): void {
    const held = this.held ?? [];
    this.held = null;
    const left = this.zone;
    if (left !== null && left !== reply.zone) {
      // Switched away: settle what the old zone's acker still holds and forget it.
      this.ackers.get(left)?.flush();
      this.ackers.delete(left);
    }
    this.zone = reply.zone;
    this.expected = reply.offset;
    this.lagging = false;
    this.shellSize = { cols: reply.session.cols, rows: reply.session.rows };
    // Sized before the snapshot is painted, so it is parsed at the size it was taken at.
    this.setSession(reply.session);
    this.paintSnapshot(reply.snapshot);
    if (freshShell) this.callbacks.onTitle('');
    this.replay(held);
    // Focused while the attach was in flight: the focus counts now.
    if (this.container.contains(document.activeElement)) this.recordFocus();
  }

  /** After a failed attach nothing new is followed; settle what was held without painting it. */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const item of held) {
      // Nothing new is followed, so keys typed meanwhile have no shell to go to.
      if (item.kind === 'input') continue;
      if (item.kind !== 'output') this.replay([item]);
      else if (item.event.zone === this.zone) {
        this.acker(item.event.zone).add(item.event.data.byteLength);
      }
    }
  }

  /** After a refused switch the old zone is still followed: take what was held as if live. */
  private resumeHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    this.replay(held);
  }

  private replay(held: HeldEvent[]): void {
    for (const item of held) {
      if (item.kind === 'output') this.handleOutput(item.event);
      else if (item.kind === 'session') this.handleSession(item.session);
      else if (item.kind === 'removed') this.handleRemoved(item.sessionId);
      else if (item.kind === 'input') this.input(item.data, item.binary);
      else this.handleBlock(item.block);
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
    const offset = this.expected;
    this.term.write(framed, () => {
      this.replaying = false;
      this.parsed += bytes;
      this.shown = offset;
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
    if (this.shouldDrop()) {
      // Settled at once: a pane that is not keeping up must not hold the shell back.
      acker.add(bytes);
      this.lagging = true;
      this.scheduleCatchUp();
      return;
    }
    const end = step.next;
    this.backlog += bytes;
    this.term.write(step.data, () => {
      this.backlog -= bytes;
      this.parsed += bytes;
      this.shown = end;
      acker.add(bytes);
    });
  }

  private sizesShell(): boolean {
    const sizedBy = this.session?.sizedBy ?? null;
    return sizedBy === null || sizedBy === this.blockId;
  }

  private shouldDrop(): boolean {
    if (this.sizesShell()) return false;
    return this.lagging || this.backlog > LAG_LIMIT;
  }

  /** Once output has been quiet for a moment, repaint from a fresh snapshot. */
  private scheduleCatchUp(): void {
    if (this.catchUp !== null) clearTimeout(this.catchUp);
    this.catchUp = setTimeout(() => {
      this.catchUp = null;
      this.caughtUp();
    }, CATCH_UP_QUIET_MS);
  }

  private caughtUp(): void {
    if (!this.lagging || this.disposed || this.held) return;
    if (this.catchUp !== null) clearTimeout(this.catchUp);
    this.catchUp = null;
    this.lagging = false;
    void this.follow({ name: 'attachBlock' }, false);
  }

  private handleSession(session: SessionInfo): void {
    if (this.held) {
      this.held.push({ kind: 'session', session });
      return;
    }
    if (session.id !== this.zone) return;
    const wasDone = this.session?.status === 'done';
    this.shellSize = { cols: session.cols, rows: session.rows };
    this.setSession(session);
    if (wasDone && session.status !== 'done') {
      // Restarted from another pane or window. A fresh snapshot, rather than a reset in
      // place, also covers what the new shell printed before this event got here.
      void this.follow({ name: 'attachBlock' }, true);
    }
  }

  private handleRemoved(sessionId: string): void {
    if (this.held) {
      this.held.push({ kind: 'removed', sessionId });
      return;
    }
    if (sessionId === this.zone) this.becomeDetached();
  }

  /** Main changed this block's session on its own (a delete, a repair): follow what it says. */
  private handleBlock(block: BlockInfo): void {
    if (block.id !== this.blockId) return;
    if (this.held) {
      this.held.push({ kind: 'block', block });
      return;
    }
    if (block.sessionId === this.zone) return;
    if (block.sessionId === null) this.becomeDetached();
    // Another session: the last one's title is not this one's.
    else void this.follow({ name: 'attachBlock' }, true);
  }

  private setSession(session: SessionInfo): void {
    this.session = session;
    this.followBackend(session.backend);
    this.callbacks.onSession(session);
    this.applySize();
    // Became the pane the user works in while lagging: catch up now.
    if (this.lagging && this.sizesShell()) this.caughtUp();
  }

  /**
   * Swallow xterm's answers to queries while the session shown answers them itself
   * (query-guard.ts). Switched in band, from a write callback: output of the session left
   * that still waits in xterm's queue is parsed under that session's rule.
   */
  private followBackend(backend: SessionInfo['backend']): void {
    const swallow = swallowsQueries(backend);
    if (swallow === this.swallowingNext) return;
    this.swallowingNext = swallow;
    this.term.write(NOTHING, () => {
      this.swallowing = swallow;
    });
  }

  /** Main no longer shows a session in this block: clear the screen, follow nothing. */
  private becomeDetached(): void {
    const zone = this.zone;
    this.zone = null;
    this.session = null;
    if (zone !== null) {
      // The zone is gone with its session; nobody is owed its acks.
      this.ackers.get(zone)?.cancel();
      this.ackers.delete(zone);
    }
    this.term.write(NOTHING, () => this.term.reset());
    this.callbacks.onTitle('');
    this.callbacks.onDetached(zone);
  }

  private acker(zone: string): AckBatcher {
    let acker = this.ackers.get(zone);
    if (!acker) {
      const blockId = this.blockId;
      acker = new AckBatcher((bytes) => {
        this.client
          .request('ackZone', { zone, blockId, bytes })
          .catch((error) => this.warn('ack', error));
      });
      this.ackers.set(zone, acker);
    }
    return acker;
  }

  private detach(zone: string): void {
    this.client
      .request('detachZone', { zone, blockId: this.blockId })
      .catch((error: unknown) => this.warn(`detaching zone ${zone}`, error));
  }

  // ---------- input and activity ----------

  private input(data: string, binary: boolean): void {
    if (this.replaying || this.disposed) return;
    if (this.held) {
      // The header may already say the new shell runs: keep the keys for it.
      this.held.push({ kind: 'input', data, binary });
      return;
    }
    if (this.zone === null) return;
    const zone = this.zone;
    if (this.session?.status === 'done') {
      // Like VS Code: Enter in an ended terminal starts it again.
      if (data === '\r') void this.restart();
      return;
    }
    if (this.session?.status === 'disconnected') {
      // Never queued: keys landing in a shell minutes later, unseen, could do anything.
      this.callbacks.onInputRefused();
      return;
    }
    // Typing here while another block sizes the shell: this one takes over first.
    if (sizePlan(this.session, this.blockId).kind === 'follow') this.recordFocus();
    const blockId = this.blockId;
    // Each piece is a request sent at once, so keystrokes reach main in typing order.
    for (const piece of splitInput(data, MAX_INPUT_CHARS)) {
      this.client
        .request(
          'writeZone',
          binary ? { zone, blockId, data: piece, binary } : { zone, blockId, data: piece },
        )
        .catch((error) => this.inputFailed(error));
    }
  }

  /** Main refuses keys for a session whose host just went away, before the event says so. */
  private inputFailed(error: unknown): void {
    if (this.disposed || TetherError.from(error).code !== 'disconnected') {
      this.warn('input', error);
      return;
    }
    this.callbacks.onInputRefused();
  }

  /**
   * The block was focused: the session's activity time, and its shell now
   * follows this block's size (main answers with a sessionChanged naming it).
   */
  private recordFocus(): void {
    const zone = this.zone;
    if (this.disposed || this.held || zone === null) return;
    // Hidden, so no size of its own to offer.
    if (!this.fitToContainer()) return;
    const { cols, rows } = this.term;
    this.shellSize = { cols, rows };
    this.client
      .request('recordActivity', {
        sessionId: zone,
        blockId: this.blockId,
        kind: 'focus',
        cols,
        rows,
      })
      .catch((error) => this.warn('activity', error));
  }

  // ---------- size and rendering ----------

  private scheduleFit(): void {
    if (this.frame !== 0 || this.disposed) return;
    // A drag fires many resize callbacks per frame; fit once per frame.
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.applySize();
    });
  }

  /** Fit and send our size if this block sizes the shell, else show the shell at its size. */
  private applySize(): void {
    if (this.disposed) return;
    const plan = sizePlan(this.session, this.blockId);
    if (plan.kind === 'follow') {
      if (plan.cols !== this.term.cols || plan.rows !== this.term.rows) {
        this.term.resize(plan.cols, plan.rows);
      }
      return;
    }
    if (this.fitToContainer()) this.syncSize();
  }

  /** Fit to the container if it has a size; a hidden one has none and keeps the last size. */
  private fitToContainer(): boolean {
    if (this.container.clientWidth === 0 || this.container.clientHeight === 0) return false;
    this.fit.fit();
    return true;
  }

  /** The size this block would have fitted to its container, without resizing the terminal. */
  private proposedSize(): Size {
    const fallback = { cols: this.term.cols, rows: this.term.rows };
    if (this.container.clientWidth === 0 || this.container.clientHeight === 0) return fallback;
    const proposed = this.fit.proposeDimensions();
    if (!proposed || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows)) {
      return fallback;
    }
    return { cols: Math.max(2, proposed.cols), rows: Math.max(1, proposed.rows) };
  }

  private syncSize(): void {
    const zone = this.zone;
    // While an attach is in flight its reply leads to another applySize.
    if (zone === null || this.held) return;
    const { cols, rows } = this.term;
    if (cols === this.shellSize.cols && rows === this.shellSize.rows) return;
    this.shellSize = { cols, rows };
    this.client
      .request('resizeZone', { zone, blockId: this.blockId, cols, rows })
      .catch((error) => this.warn('resize', error));
  }

  /** Failures of fire-and-forget requests: expected ones are quiet, others are logged. */
  private warn(what: string, error: unknown): void {
    // Once the host is gone every request fails; the connection banner says so once.
    if (this.disposed || this.client.connection.status() === 'lost') return;
    const failure = TetherError.from(error);
    // A shell that just exited, a block main just detached, or a session another window just
    // deleted rejects requests until the event saying so arrives.
    if (['not_running', 'detached', 'not_found'].includes(failure.code)) return;
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
