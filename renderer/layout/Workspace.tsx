/**
 * The workspace: the tab bar over every tab's blocks. All tabs stay mounted
 * so switching is instant and terminals keep their state, but only the
 * active one is displayed; hidden terminals parse output and paint nothing.
 * Workspace shortcuts are caught here, before the terminal sees the key.
 */
import { useAtom, useAtomValue } from 'jotai';
import { useEffect, useMemo } from 'react';
import { getClient } from '../api/client';
import { SessionsOverview, type OverviewActions } from '../sessions/overview/SessionsOverview';
import { activeTab } from './layout-reducer';
import { blocksAtom, overviewOpenAtom, requestFocus, workspaceAtom } from '../state/workspace';
import { store } from '../state/store';
import { openSessionInNewPane, revealSession, runCommand } from './commands';
import { commandFor, currentPlatform } from './shortcuts';
import { TabBar } from './TabBar';
import { TabView } from './TabView';

const overviewActions: OverviewActions = {
  reveal: revealSession,
  openInNewPane: async (sessionId) => {
    const workspace = store.get(workspaceAtom);
    if (!workspace) return false;
    return openSessionInNewPane(sessionId, activeTab(workspace).layout.focusedBlockId);
  },
};

export function Workspace() {
  const workspace = useAtomValue(workspaceAtom);
  const [overviewOpen, setOverviewOpen] = useAtom(overviewOpenAtom);
  const blocks = useAtomValue(blocksAtom);
  const platform = useMemo(() => currentPlatform(), []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // Typing a tab name: its keys are its own.
      if (event.target instanceof HTMLInputElement) return;
      const command = commandFor(event, platform);
      if (!command) return;
      // Capture phase on window: xterm's textarea never sees the chord.
      event.preventDefault();
      event.stopPropagation();
      if (!event.repeat || command.startsWith('focus') || command.endsWith('Tab')) {
        runCommand(command);
      }
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [platform]);

  if (!workspace) return null;
  return (
    <div className="workspace-view">
      <TabBar workspace={workspace} platform={platform} />
      <div className="tab-area">
        {overviewOpen ? (
          <SessionsOverview
            client={getClient()}
            actions={overviewActions}
            onClose={() => {
              setOverviewOpen(false);
              requestFocus();
            }}
          />
        ) : null}
        {/* Under the overview the terminals keep running but take no keys or clicks. */}
        <div className="tab-views" inert={overviewOpen}>
          {workspace.tabs.map((tab) => (
            <TabView
              key={tab.id}
              tab={tab}
              active={tab.id === workspace.activeTabId}
              blocks={blocks}
              platform={platform}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
