/** Small line icons for block and tab actions; they take the text colour. */
import type { ReactNode } from 'react';

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      className="icon"
      width="14"
      height="14"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export const SplitRightIcon = () => (
  <Icon>
    <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
    <line x1="8" y1="2.5" x2="8" y2="13.5" />
  </Icon>
);

export const SplitDownIcon = () => (
  <Icon>
    <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
    <line x1="1.5" y1="8" x2="14.5" y2="8" />
  </Icon>
);

export const MagnifyIcon = () => (
  <Icon>
    <polyline points="9.5,2.5 13.5,2.5 13.5,6.5" />
    <polyline points="6.5,13.5 2.5,13.5 2.5,9.5" />
    <line x1="13.5" y1="2.5" x2="9" y2="7" />
    <line x1="2.5" y1="13.5" x2="7" y2="9" />
  </Icon>
);

export const RestoreIcon = () => (
  <Icon>
    <polyline points="13.5,6.5 9.5,6.5 9.5,2.5" />
    <polyline points="2.5,9.5 6.5,9.5 6.5,13.5" />
    <line x1="9.5" y1="6.5" x2="14" y2="2" />
    <line x1="6.5" y1="9.5" x2="2" y2="14" />
  </Icon>
);

export const CloseIcon = () => (
  <Icon>
    <line x1="4" y1="4" x2="12" y2="12" />
    <line x1="12" y1="4" x2="4" y2="12" />
  </Icon>
);

export const PlusIcon = () => (
  <Icon>
    <line x1="8" y1="3" x2="8" y2="13" />
    <line x1="3" y1="8" x2="13" y2="8" />
  </Icon>
);

/** A split with a chain link: the same session in a new pane. */
export const OpenInNewPaneIcon = () => (
  <Icon>
    <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
    <line x1="6" y1="2.5" x2="6" y2="13.5" />
    <g transform="rotate(-45 10.25 8)">
      <rect x="7.6" y="6.8" width="3.4" height="2.4" rx="1.2" />
      <rect x="9.5" y="6.8" width="3.4" height="2.4" rx="1.2" />
    </g>
  </Icon>
);

/** A broken link: detach the block from its session. */
export const DetachIcon = () => (
  <Icon>
    <path d="M6.5 9.5 5 11a2.1 2.1 0 0 1-3-3l1.5-1.5" />
    <path d="M9.5 6.5 11 5a2.1 2.1 0 0 1 3 3l-1.5 1.5" />
    <line x1="5.5" y1="2.5" x2="6" y2="4" />
    <line x1="10.5" y1="13.5" x2="10" y2="12" />
  </Icon>
);

export const RenameIcon = () => (
  <Icon>
    <path d="M10.5 2.5l3 3-7.5 7.5H3v-3z" />
    <line x1="9" y1="4" x2="12" y2="7" />
  </Icon>
);

export const DeleteIcon = () => (
  <Icon>
    <line x1="2.5" y1="4.5" x2="13.5" y2="4.5" />
    <path d="M6 4.5V2.5h4v2" />
    <path d="M4 4.5l.8 9h6.4l.8-9" />
  </Icon>
);

export const ChevronDownIcon = () => (
  <Icon>
    <polyline points="4,6 8,10 12,6" />
  </Icon>
);
