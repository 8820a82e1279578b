/**
 * The strip of tabs: click to switch, double-click to rename in place (Enter
 * saves, Escape cancels), drag to reorder, × to close, + for a new tab, and the
 * chevron beside it for a new tab on a connection chosen in the picker.
 */
import { useAtom } from 'jotai';
import { useRef, useState, type DragEvent } from 'react';
import { cleanName, nameProblem, type Workspace } from '../../preload/layout';
import { ChevronDownIcon, CloseIcon, PlusIcon } from '../blocks/icons';
import { ConnectionPicker } from '../connections/ConnectionPicker';
import { connectionPickerAtom } from '../state/connections';
import { dispatchLayout, overviewOpenAtom, requestFocus } from '../state/workspace';
import { getClient } from '../api/client';
import { prefetchPeeks } from '../sessions/picker/use-peeks';
import { closeTab, newTab, newTabOn } from './commands';
import { withShortcut, type Command, type Platform } from './shortcuts';

const DRAG_TYPE = 'application/x-tether-tab';

type Props = { workspace: Workspace; platform: Platform };

/** Where a dragged tab would land: before or after the tab under the pointer. */
type DropMark = { tabId: string; after: boolean };

export function TabBar({ workspace, platform }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [dragged, setDragged] = useState<string | null>(null);
  const [mark, setMark] = useState<DropMark | null>(null);
  const [overviewOpen, setOverviewOpen] = useAtom(overviewOpenAtom);
  const [connectionPicker, setConnectionPicker] = useAtom(connectionPickerAtom);
  const pickingConnection = connectionPicker?.kind === 'newTab';
  const [chevron, setChevron] = useState<HTMLButtonElement | null>(null);
  const closeConnectionPicker = (refocus: boolean) => {
    setConnectionPicker((open) => (open?.kind === 'newTab' ? null : open));
    if (refocus) requestFocus();
  };

  const dropIndex = (target: DropMark): number | null => {
    const from = workspace.tabs.findIndex((tab) => tab.id === dragged);
    const over = workspace.tabs.findIndex((tab) => tab.id === target.tabId);
    if (from < 0 || over < 0) return null;
    const slot = over + (target.after ? 1 : 0);
    // Removing the dragged tab first shifts the slots after it left by one.
    return slot > from ? slot - 1 : slot;
  };

  const onDragOver = (event: DragEvent<HTMLDivElement>, tabId: string) => {
    if (!dragged || !event.dataTransfer.types.includes(DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const box = event.currentTarget.getBoundingClientRect();
    const after = event.clientX > box.left + box.width / 2;
    if (mark?.tabId !== tabId || mark.after !== after) setMark({ tabId, after });
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    const target = mark;
    const tabId = dragged;
    setMark(null);
    setDragged(null);
    if (!target || !tabId) return;
    const toIndex = dropIndex(target);
    if (toIndex !== null) dispatchLayout({ type: 'moveTab', tabId, toIndex });
  };

  return (
    <nav className="tab-bar">
      <div className="tab-list" role="tablist" aria-label="Tabs">
        {workspace.tabs.map((tab, index) => {
          const active = tab.id === workspace.activeTabId;
          const marked =
            mark?.tabId === tab.id ? (mark.after ? ' drop-after' : ' drop-before') : '';
          const shortcut = index < 8 ? (`tab${index + 1}` as Command) : null;
          return (
            <div
              key={tab.id}
              className={`tab${active ? ' active' : ''}${marked}`}
              role="tab"
              aria-selected={active}
              data-tab-id={tab.id}
              draggable={editing !== tab.id}
              title={shortcut ? withShortcut(tab.name, shortcut, platform) : tab.name}
              onClick={() => {
                dispatchLayout({ type: 'activateTab', tabId: tab.id });
                requestFocus();
              }}
              onDoubleClick={() => setEditing(tab.id)}
              onAuxClick={(event) => {
                if (event.button === 1) void closeTab(tab.id);
              }}
              onDragStart={(event) => {
                event.dataTransfer.setData(DRAG_TYPE, tab.id);
                event.dataTransfer.effectAllowed = 'move';
                setDragged(tab.id);
              }}
              onDragOver={(event) => onDragOver(event, tab.id)}
              onDragLeave={() => setMark((current) => (current?.tabId === tab.id ? null : current))}
              onDrop={onDrop}
              onDragEnd={() => {
                setDragged(null);
                setMark(null);
              }}
            >
              {editing === tab.id ? (
                <TabNameEditor
                  name={tab.name}
                  onDone={(name) => {
                    setEditing(null);
                    if (name !== null) dispatchLayout({ type: 'renameTab', tabId: tab.id, name });
                    requestFocus();
                  }}
                />
              ) : (
                <span className="tab-name">{tab.name}</span>
              )}
              <button
                type="button"
                className="icon-button tab-close"
                aria-label={`Close tab ${tab.name}`}
                title="Close tab"
                onClick={(event) => {
                  event.stopPropagation();
                  void closeTab(tab.id);
                }}
              >
                <CloseIcon />
              </button>
            </div>
          );
        })}
      </div>
      <button
        type="button"
        className="icon-button new-tab"
        aria-label="New tab"
        title={withShortcut('New tab', 'newTab', platform)}
        onClick={() => void newTab()}
      >
        <PlusIcon />
      </button>
      <button
        ref={setChevron}
        type="button"
        className="icon-button new-tab-on"
        aria-label="Open a tab on a connection"
        aria-haspopup="dialog"
        aria-expanded={pickingConnection}
        title={withShortcut('New tab on a connection…', 'newTabOnConnection', platform)}
        onClick={() =>
          pickingConnection ? closeConnectionPicker(true) : setConnectionPicker({ kind: 'newTab' })
        }
      >
        <ChevronDownIcon />
      </button>
      {pickingConnection && chevron ? (
        <ConnectionPicker
          client={getClient()}
          anchor={chevron}
          current={null}
          onChoose={newTabOn}
          onClose={closeConnectionPicker}
        />
      ) : null}
      <button
        type="button"
        className="tab-bar-button sessions-button"
        aria-label="Sessions overview"
        aria-pressed={overviewOpen}
        title={withShortcut('Every session on every connection', 'sessionsOverview', platform)}
        onClick={() => {
          if (!overviewOpen) prefetchPeeks(getClient(), undefined);
          setOverviewOpen(!overviewOpen);
        }}
      >
        Sessions
      </button>
    </nav>
  );
}

type EditorProps = { name: string; onDone(name: string | null): void };

/** The inline name field: Enter or leaving saves a good name, Escape cancels. */
function TabNameEditor({ name, onDone }: EditorProps) {
  const [value, setValue] = useState(name);
  const trimmed = cleanName(value);
  const problem = nameProblem(trimmed);
  // Enter unmounts the field, which may blur it too: finish once.
  const done = useRef(false);
  const finish = (save: boolean) => {
    if (done.current) return;
    done.current = true;
    onDone(save && !problem && trimmed !== name ? trimmed : null);
  };
  return (
    <input
      className="tab-name-input"
      aria-label="Tab name"
      aria-invalid={problem !== null}
      title={problem ?? undefined}
      value={value}
      maxLength={64}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setValue(event.target.value)}
      onClick={(event) => event.stopPropagation()}
      onDoubleClick={(event) => event.stopPropagation()}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Enter') finish(true);
        else if (event.key === 'Escape') finish(false);
      }}
      onBlur={() => finish(true)}
    />
  );
}
