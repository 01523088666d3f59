import type { ReactNode } from 'react';

/**
 * A labelled form control with its help and the API's errors for it: the errors are announced, tied
 * to the control with `aria-describedby`, and mark it `aria-invalid`.
 */
export function FormField(props: {
  id: string;
  label: string;
  help?: string;
  errors?: string[];
  children: (a11y: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const errorId = `${props.id}-error`;
  const helpId = `${props.id}-help`;
  const describedBy = [props.errors?.length ? errorId : '', props.help ? helpId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.errors?.length ? 'field invalid' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({ id: props.id, ...(props.errors?.length ? { 'aria-invalid': true as const } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {props.help && (
        <p id={helpId} className="help">
          {props.help}
        </p>
      )}
      {props.errors?.length ? (
        <p id={errorId} className="error" data-testid={`${props.id}-error`}>
          {props.errors.join('; ')}
        </p>
      ) : null}
    </div>
  );
}
