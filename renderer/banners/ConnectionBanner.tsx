/**
 * Says so when browser mode loses its host. Nothing reconnects by itself yet:
 * zones would need re-attaching, which a reload does.
 */
import { useAtomValue } from 'jotai';
import { hostConnectionAtom } from '../state/store';

export function ConnectionBanner() {
  const status = useAtomValue(hostConnectionAtom);
  if (status !== 'lost') return null;
  return (
    <div className="banner banner-error" role="alert">
      <span className="banner-message">Lost connection to the Tether host.</span>
      <button type="button" onClick={() => window.location.reload()}>
        Reload
      </button>
    </div>
  );
}
