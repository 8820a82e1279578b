/**
 * One tab's blocks. The layout tree is drawn flat: every block is absolutely
 * placed from its computed rectangle and keyed by its id, so splitting or
 * closing a neighbour moves a terminal without re-creating it (no re-attach,
 * no flash). Dividers sit on the lines between siblings.
 */
import { memo } from 'react';
import type { BlockInfo } from '../../preload/contract';
import type { Tab } from '../../preload/layout';
import { TerminalBlock } from '../blocks/TerminalBlock';
import { Divider } from './Divider';
import { dividers, leafRects, type Rect } from './geometry';
import type { Platform } from './shortcuts';

type Props = {
  tab: Tab;
  active: boolean;
  blocks: Record<string, BlockInfo>;
  platform: Platform;
};

const FULL: Rect = { x: 0, y: 0, w: 100, h: 100 };

const placement = (rect: Rect) => ({
  left: `${rect.x}%`,
  top: `${rect.y}%`,
  width: `${rect.w}%`,
  height: `${rect.h}%`,
});

/** Memoised: switching tabs re-renders the two tabs that changed, not every tab. */
export const TabView = memo(function TabView({ tab, active, blocks, platform }: Props) {
  const { root, focusedBlockId, magnifiedBlockId } = tab.layout;
  const rects = leafRects(root);
  const shared = rects.size > 1;
  return (
    <div
      className="tab-view"
      role="tabpanel"
      aria-label={tab.name}
      hidden={!active}
      data-tab-id={tab.id}
    >
      {[...rects].map(([blockId, rect]) => {
        const magnified = magnifiedBlockId === blockId;
        const covered = magnifiedBlockId !== null && !magnified;
        return (
          <div
            key={blockId}
            className={`pane${magnified ? ' magnified' : ''}`}
            style={placement(magnified ? FULL : rect)}
            hidden={covered}
          >
            <TerminalBlock
              blockId={blockId}
              connection={blocks[blockId]?.connection ?? 'local'}
              focused={focusedBlockId === blockId}
              visible={active && !covered}
              magnified={magnified}
              shared={shared}
              platform={platform}
            />
          </div>
        );
      })}
      {magnifiedBlockId === null
        ? dividers(root).map((divider) => (
            <Divider key={`${divider.splitId}:${divider.index}`} root={root} divider={divider} />
          ))
        : null}
    </div>
  );
});
