import { useState } from 'preact/hooks';
import { describeError } from './describe';

/** One button's request: busy while it runs, its failure in words until the next try. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError('');
    action()
      .catch((problem: unknown) => setError(describeError(problem)))
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}
