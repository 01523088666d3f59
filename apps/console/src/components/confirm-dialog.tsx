import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A modal confirmation (native `<dialog>`: focus moves in and Escape cancels). With `typed`, the user
 * must type that word first, as the guide's stop (YES, L11918-11920) and delete (DELETE, L11934-11936) do.
 */
export function ConfirmDialog(props: {
  title: string;
  children?: ReactNode;
  typed?: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(input: { reason: string }): Promise<void> | void;
  onClose(): void;
  /** Ask for an optional reason (node verbs). */
  reason?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [word, setWord] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const ok = !props.typed || word === props.typed;
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm({ reason });
      props.onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby={`${id}-title`} onClose={props.onClose} className="dialog">
      <form method="dialog" onSubmit={(e) => (e.preventDefault(), ok && void confirm())}>
        <h2 id={`${id}-title`}>{props.title}</h2>
        {props.children}
        {props.reason && (
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (optional)</label>
            <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </div>
        )}
        {props.typed && (
          <div className="field">
            <label htmlFor={`${id}-word`}>
              Type <strong>{props.typed}</strong> to confirm
            </label>
            <input id={`${id}-word`} value={word} autoComplete="off" onChange={(e) => setWord(e.target.value)} />
          </div>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={props.danger ? 'danger' : 'primary'} disabled={!ok || busy}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
