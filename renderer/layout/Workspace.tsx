/**
 * The workspace: the tab bar over every tab's blocks. All tabs stay mounted
 * so switching is instant and terminals keep their state, but only the
 * active one is displayed; hidden terminals parse output and paint nothing.
 * Workspace shortcuts are caught here, before the terminal sees the key.
 */
import { useAtomValue } from 'jotai';
import { useEffect, useMemo } from 'react';
import { blocksAtom, workspaceAtom } from '../state/workspace';
import { runCommand } from './commands';
import { commandFor, currentPlatform } from './shortcuts';
import { TabBar } from './TabBar';
import { TabView } from './TabView';

export function Workspace() {
  const workspace = useAtomValue(workspaceAtom);
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
  );
}
