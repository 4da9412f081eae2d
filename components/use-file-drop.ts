import { useEffect, useRef, useState } from 'preact/hooks';

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Files dragged onto an element: `over` while they hover (for the highlight), `onFiles` when
 * dropped. Children fire enter and leave as the pointer crosses them, hence the depth count.
 */
export function useFileDrop(onFiles: (files: File[]) => void, enabled: boolean) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const leave = () => {
    depth.current = 0;
    setOver(false);
  };
  return {
    over: over && enabled,
    handlers: {
      onDragEnter(event: DragEvent) {
        if (!enabled || !carriesFiles(event)) return;
        event.preventDefault();
        depth.current += 1;
        setOver(true);
      },
      onDragOver(event: DragEvent) {
        if (!enabled || !carriesFiles(event)) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave() {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop(event: DragEvent) {
        if (!enabled || !carriesFiles(event)) return;
        event.preventDefault();
        leave();
        const files = Array.from(event.dataTransfer?.files ?? []);
        if (files.length > 0) onFiles(files);
      },
    },
  };
}

/**
 * A file dropped anywhere else in the popup would replace it with the file's contents (the
 * browser opens what is dropped on a page): only drop zones take files.
 */
export function useNoDropNavigation(target: Pick<Window, 'addEventListener' | 'removeEventListener'>) {
  useEffect(() => {
    const stop = (event: Event) => {
      if (event instanceof DragEvent && carriesFiles(event)) event.preventDefault();
    };
    target.addEventListener('dragover', stop);
    target.addEventListener('drop', stop);
    return () => {
      target.removeEventListener('dragover', stop);
      target.removeEventListener('drop', stop);
    };
  }, [target]);
}
