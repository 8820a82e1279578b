/**
 * The window: banners on top, the workspace below. Loads the app info and the
 * workspace once, and follows the sessions and the connections; a workspace
 * that cannot be loaded shows why instead.
 */
import { useAtomValue, useSetAtom } from 'jotai';
import { useEffect, useState } from 'react';
import { TetherError } from '../preload/tether-error';
import { getClient } from './api/client';
import { ConnectionBanner } from './banners/ConnectionBanner';
import { NoticeBanner } from './banners/NoticeBanner';
import { Workspace } from './layout/Workspace';
import { followConnections } from './state/connections';
import { followSessions } from './state/sessions';
import { addNoticesAtom, appInfoAtom, store } from './state/store';
import { rememberBlocks, saver, workspaceAtom } from './state/workspace';
import { registerWorkspaceProbe } from './term/test-seam';

export function App() {
  const workspace = useAtomValue(workspaceAtom);
  const setWorkspace = useSetAtom(workspaceAtom);
  const setAppInfo = useSetAtom(appInfoAtom);
  const addNotices = useSetAtom(addNoticesAtom);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const client = getClient();
    const stopFollowing = followSessions(client);
    const stopFollowingConnections = followConnections(client);
    // Independent loads: missing app info must not keep the terminals from showing.
    client.request('appInfo', {}).then(
      (info) => {
        if (!current) return;
        setAppInfo(info);
        addNotices(info.notices);
      },
      (error: unknown) => {
        if (current) addNotices([{ level: 'warning', message: TetherError.from(error).message }]);
      },
    );
    client.request('loadWorkspace', {}).then(
      (reply) => {
        if (!current) return;
        rememberBlocks(reply.blocks);
        setWorkspace(reply.workspace);
        addNotices(reply.warnings.map((message) => ({ level: 'warning' as const, message })));
      },
      (error: unknown) => {
        if (current) setLoadError(TetherError.from(error).message);
      },
    );
    const withdrawProbe = registerWorkspaceProbe({
      state: () => store.get(workspaceAtom),
      saved: () => saver.idle(),
    });
    // Leaving (reload, quit) writes what the debounce still holds.
    const flush = () => saver.flush();
    window.addEventListener('pagehide', flush);
    return () => {
      current = false;
      stopFollowing();
      stopFollowingConnections();
      withdrawProbe();
      window.removeEventListener('pagehide', flush);
    };
  }, [setAppInfo, setWorkspace, addNotices]);

  return (
    <div className="app">
      <ConnectionBanner />
      <NoticeBanner />
      <main className="workspace">
        {workspace ? (
          <Workspace />
        ) : (
          <div className="workspace-message" role="status">
            {loadError ? `The workspace could not be loaded: ${loadError}` : 'Loading…'}
          </div>
        )}
      </main>
    </div>
  );
}
