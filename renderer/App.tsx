/**
 * The window: banners on top, the workspace below. Loads the app info and the
 * block list once; for now it shows the first block (tabs and splits later).
 */
import { useAtomValue, useSetAtom } from 'jotai';
import { useEffect, useState } from 'react';
import { getClient } from './api/client';
import { TetherError } from '../preload/tether-error';
import { ConnectionBanner } from './banners/ConnectionBanner';
import { NoticeBanner } from './banners/NoticeBanner';
import { TerminalBlock } from './blocks/TerminalBlock';
import { addNoticesAtom, appInfoAtom, blocksAtom } from './state/store';

export function App() {
  const blocks = useAtomValue(blocksAtom);
  const setBlocks = useSetAtom(blocksAtom);
  const setAppInfo = useSetAtom(appInfoAtom);
  const addNotices = useSetAtom(addNoticesAtom);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const client = getClient();
    // Independent loads: missing app info must not keep the terminal from showing.
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
    client.request('listBlocks', {}).then(
      (list) => {
        if (current) setBlocks(list);
      },
      (error: unknown) => {
        if (current) setLoadError(TetherError.from(error).message);
      },
    );
    return () => {
      current = false;
    };
  }, [setAppInfo, setBlocks, addNotices]);

  const first = blocks?.[0];
  return (
    <div className="app">
      <ConnectionBanner />
      <NoticeBanner />
      <main className="workspace">
        {first ? (
          <TerminalBlock key={first.id} blockId={first.id} connection={first.connection} />
        ) : (
          <div className="workspace-message" role="status">
            {loadError ?? (blocks ? 'No blocks to show.' : 'Loading…')}
          </div>
        )}
      </main>
    </div>
  );
}
