/** Notices from the core (start-up problems, warnings) until the user dismisses them. */
import { useAtomValue, useSetAtom } from 'jotai';
import { dismissNoticeAtom, noticesAtom } from '../state/store';

export function NoticeBanner() {
  const notices = useAtomValue(noticesAtom);
  const dismiss = useSetAtom(dismissNoticeAtom);
  if (notices.length === 0) return null;
  return (
    <div className="banners">
      {notices.map((notice) => (
        <div key={notice.id} className={`banner banner-${notice.level}`} role="alert">
          <span className="banner-message">{notice.message}</span>
          <button
            type="button"
            className="banner-dismiss"
            aria-label="Dismiss"
            onClick={() => dismiss(notice.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
